// Package lint finds risky statements in migration files before they run:
// destructive changes, changes that break the application version still
// running during a deploy, locks that stall traffic, statements that fight
// strata's transactions, files that cannot be re-run, and client commands
// that are not SQL. It reads files only; it never connects to a database.
//
// Each rule has an id, a default severity and a message that says what the
// risk is and what to do instead. A comment line
//
//	-- strata:lint-ignore RULE reason
//
// just before a statement silences RULE for that statement.
package lint

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/strata-db/strata/sqlsplit"
)

// Severity is how much a finding matters.
type Severity string

// The severities. Off silences a rule.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Off     Severity = "off"
)

// ParseSeverity parses error, warning or off.
func ParseSeverity(s string) (Severity, error) {
	switch Severity(strings.ToLower(strings.TrimSpace(s))) {
	case Error:
		return Error, nil
	case Warning, "warn":
		return Warning, nil
	case Off, "ignore", "none":
		return Off, nil
	}
	return "", fmt.Errorf("unknown severity %q: use error, warning or off", s)
}

// Finding is one rule that fired on one statement.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	// Message says what was found, why it is risky, and the safe
	// alternative.
	Message string `json:"message"`
	// Statement is the first line of the statement.
	Statement string `json:"statement,omitempty"`
}

// String formats the finding as "file:line: severity: message [rule]".
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s: %s [%s]", f.File, f.Line, f.Severity, f.Message, f.Rule)
}

// HasErrors reports whether any finding has severity Error.
func HasErrors(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == Error })
}

// Options configure a Linter.
type Options struct {
	// Dialect selects the scanner's rules and the rules that apply.
	Dialect sqlsplit.Dialect
	// Severity overrides rules' default severities, by rule id.
	Severity map[string]Severity
	// LockTimeout is set when every file runs with a DDL lock timeout
	// (strata --lock-timeout-ddl), so files need not set their own.
	LockTimeout bool
	// Backslash is the server's string rule, when known (a plan read it
	// from the server); the dialect's default otherwise.
	Backslash sqlsplit.Backslash
}

// Linter checks a set of files, in the order they will run. Tables created
// by an earlier file of the set (or earlier in the same file) count as new:
// statements on them cannot stall traffic or break running code.
type Linter struct {
	opts    Options
	rules   map[string]*Rule
	created map[string]bool
}

// New returns a Linter. It fails on an unknown rule id in opts.Severity.
func New(opts Options) (*Linter, error) {
	if opts.Dialect < sqlsplit.Postgres || opts.Dialect > sqlsplit.SQLite {
		return nil, errors.New("lint: unknown dialect: set Options.Dialect")
	}
	l := &Linter{opts: opts, rules: map[string]*Rule{}, created: map[string]bool{}}
	for _, r := range rules() {
		l.rules[r.ID] = &r
	}
	for id := range opts.Severity {
		if l.rules[id] == nil {
			return nil, fmt.Errorf("unknown lint rule %q: the rules are %s", id, strings.Join(ids(), ", "))
		}
	}
	return l, nil
}

// File lints one file read from r; name is how findings name it. Files of
// one set must be given in the order they run. A read error is returned;
// a file the scanner cannot split is a finding.
func (l *Linter) File(name string, r io.Reader) ([]Finding, error) {
	return l.FileIn(name, r, false)
}

// FileIn is File for a file whose phase the caller knows: postDeploy is
// set for a post-deploy file (one in the post-deploy folder; a file that
// says -- strata:phase post-deploy is one whatever postDeploy says). The
// rules about the release still running during the deploy (Rule.Contract)
// pass in a post-deploy file, which runs after the rollout.
func (l *Linter) FileIn(name string, r io.Reader, postDeploy bool) ([]Finding, error) {
	f := &fileState{l: l, name: name, post: postDeploy}
	sc := sqlsplit.NewScanner(r, sqlsplit.Options{Dialect: l.opts.Dialect, Backslash: l.opts.Backslash})
	for {
		st, err := sc.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *sqlsplit.Error
			if !errors.As(err, &se) {
				return f.out, fmt.Errorf("read %s: %w", name, err)
			}
			f.scanError(se)
			break
		}
		f.statement(st)
	}
	f.finish()
	slices.SortStableFunc(f.out, func(a, b Finding) int { return a.Line - b.Line })
	return f.out, nil
}

// Lint lints one SQL text, as a set of its own.
func Lint(name, sql string, opts Options) ([]Finding, error) {
	l, err := New(opts)
	if err != nil {
		return nil, err
	}
	return l.File(name, strings.NewReader(sql))
}

// severity returns the effective severity of a rule.
func (l *Linter) severity(r *Rule) Severity {
	if s, ok := l.opts.Severity[r.ID]; ok {
		return s
	}
	return r.Severity
}

// fileState is what the rules know about the file being linted.
type fileState struct {
	l    *Linter
	name string
	out  []Finding

	cur          *stmt
	ignore       map[string]bool // rules silenced for the current statement
	statements   int             // statements that are not SET/RESET
	alone        []aloneStmt     // statements that must run alone
	lockTimeout  bool            // the file sets a lock timeout
	strongLockAt int             // line of the first statement taking a strong lock on an existing table
	strongLock   string          // what it does
	strongIgnore bool            // lint-ignore lock-timeout on that statement
	post         bool            // a post-deploy file (docs/phases.md)
}

type aloneStmt struct {
	line   int
	what   string
	ignore bool
	first  string
}

// statement runs every rule on one statement.
func (f *fileState) statement(st sqlsplit.Statement) {
	f.ignore = ignores(st.Comments)
	for _, c := range st.Comments {
		if directive(c, "lock-timeout") {
			f.lockTimeout = true
		}
		if f.statements == 0 && f.cur == nil && phaseDirective(c) == "post-deploy" {
			f.post = true
		}
	}
	s := &stmt{toks: tokenize(st.Text, sqlsplit.Options{Dialect: f.l.opts.Dialect, Backslash: f.l.opts.Backslash}), text: st.Text, line: st.Line}
	f.cur = s
	if len(s.toks) == 0 {
		return
	}
	if !s.is(0, "SET") && !s.is(0, "RESET") {
		f.statements++
	}
	check(f, s)
}

// finish runs the rules that look at the whole file.
func (f *fileState) finish() {
	if f.strongLockAt > 0 && !f.lockTimeout && !f.l.opts.LockTimeout && !f.strongIgnore {
		f.addAt("lock-timeout", f.strongLockAt, "", fmt.Sprintf("%s without a lock timeout", f.strongLock))
	}
	if f.statements > 1 {
		for _, a := range f.alone {
			if !a.ignore {
				f.addAt("must-run-alone", a.line, a.first, fmt.Sprintf("%s is in a file with other statements", a.what))
			}
		}
	}
}

// report records a finding of rule id at token i of the current statement,
// unless the rule does not apply to the dialect, is off, or is silenced.
func (f *fileState) report(id string, i int, detail string) {
	if f.ignore[id] {
		return
	}
	f.addAt(id, f.cur.lineAt(i), firstLine(f.cur.text), detail)
}

func (f *fileState) addAt(id string, line int, first, detail string) {
	r := f.l.rules[id]
	if r == nil {
		panic("lint: unknown rule " + id)
	}
	if !r.applies(f.l.opts.Dialect) {
		return
	}
	sev := f.l.severity(r)
	if sev == Off || r.Contract && f.post {
		return
	}
	msg := detail + ": " + r.Risk + "; " + strings.ReplaceAll(r.Fix, "RULE", id)
	if r.Contract {
		msg += "; " + contractPhase
	}
	f.out = append(f.out, Finding{Rule: id, Severity: sev, File: f.name, Line: line, Message: msg, Statement: first})
}

// scanError reports a file the scanner cannot split.
func (f *fileState) scanError(se *sqlsplit.Error) {
	id := "unscannable"
	if strings.Contains(se.Msg, "meta-command") {
		id = "psql-meta-command"
		if strings.Contains(se.Msg, `\c `) || strings.Contains(se.Msg, `\connect `) {
			f.addAt("switch-database", se.Line, "", `\connect switches to another database`)
		}
	}
	f.addAt(id, se.Line, "", se.Msg)
}

// ignores reads the "-- strata:lint-ignore RULE reason" comments before a
// statement.
func ignores(comments []string) map[string]bool {
	var m map[string]bool
	for _, c := range comments {
		for _, line := range strings.Split(c, "\n") {
			args, ok := directiveArgs(line, "lint-ignore")
			if !ok {
				continue
			}
			fields := strings.Fields(args)
			if len(fields) == 0 {
				continue
			}
			if m == nil {
				m = map[string]bool{}
			}
			for _, id := range strings.Split(fields[0], ",") {
				m[strings.ToLower(id)] = true
			}
		}
	}
	return m
}

// contractPhase ends the message of a Contract rule in a pre-deploy file.
const contractPhase = "this change belongs in the post-deploy phase, after the rollout, once the previous release no longer uses what it changes: " +
	"put it in a post-deploy file (-- strata:phase post-deploy, or the post-deploy folder; strata new --post-deploy), where this rule passes"

// phaseDirective returns the phase a "-- strata:phase PHASE" line in
// comment names, lower-cased, or "".
func phaseDirective(comment string) string {
	for _, line := range strings.Split(comment, "\n") {
		if args, ok := directiveArgs(line, "phase"); ok {
			return strings.ToLower(strings.TrimSpace(args))
		}
	}
	return ""
}

// directive reports whether comment holds "-- strata:NAME".
func directive(comment, name string) bool {
	for _, line := range strings.Split(comment, "\n") {
		if _, ok := directiveArgs(line, name); ok {
			return true
		}
	}
	return false
}

// directiveArgs returns the arguments of a "-- strata:NAME args" line.
func directiveArgs(line, name string) (string, bool) {
	line = strings.TrimSpace(line)
	rest, ok := strings.CutPrefix(line, "--")
	if !ok {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < len("strata:") || !strings.EqualFold(rest[:len("strata:")], "strata:") {
		return "", false
	}
	rest = rest[len("strata:"):]
	n, args, _ := strings.Cut(rest, " ")
	if !strings.EqualFold(strings.TrimSpace(n), name) {
		return "", false
	}
	return strings.TrimSpace(args), true
}

func firstLine(s string) string {
	first, _, more := strings.Cut(s, "\n")
	if len(first) > 120 {
		first, more = first[:120], true
	}
	if more {
		first += " ..."
	}
	return first
}
