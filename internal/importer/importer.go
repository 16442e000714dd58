package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/strata-db/strata/sqlsplit"
)

// Tool names a migration tool whose folders Convert reads.
type Tool string

// The tools Convert understands.
const (
	GolangMigrate Tool = "golang-migrate"
	Goose         Tool = "goose"
	Dbmate        Tool = "dbmate"
	Flyway        Tool = "flyway"
	Tern          Tool = "tern"
	SQLMigrate    Tool = "sql-migrate"
	Liquibase     Tool = "liquibase"
)

// Tools returns every tool Convert understands, in a stable order.
func Tools() []Tool {
	return []Tool{GolangMigrate, Goose, Dbmate, Flyway, Tern, SQLMigrate, Liquibase}
}

// ParseTool returns the Tool named s (case-insensitive), or an
// *UnknownToolError.
func ParseTool(s string) (Tool, error) {
	for _, t := range Tools() {
		if strings.EqualFold(s, string(t)) {
			return t, nil
		}
	}
	return "", &UnknownToolError{Name: s}
}

// UnknownToolError is returned for a tool name Convert does not know.
type UnknownToolError struct {
	Name string
}

// Error lists the known tools.
func (e *UnknownToolError) Error() string {
	names := make([]string, 0, len(Tools()))
	for _, t := range Tools() {
		names = append(names, string(t))
	}
	return fmt.Sprintf("unknown migration tool %q: the known tools are %s", e.Name, strings.Join(names, ", "))
}

// ConvertOptions change what Convert does.
type ConvertOptions struct {
	// Exclude lists source paths (as in File.Source, for Liquibase the
	// changelog path alone excludes all its changesets) that the user
	// excludes explicitly: they are not converted and their problems do
	// not stop the conversion.
	Exclude []string
	// Dialect, when set, is the database the migrations run on. Convert
	// then checks that strata's splitter cuts every statement block
	// (goose and sql-migrate StatementBegin/StatementEnd) into exactly the
	// one statement the tool sends, wraps a MySQL block in DELIMITER lines
	// when that is needed, and reports a Problem where it cannot. When
	// zero, blocks are written as they are and not checked.
	Dialect sqlsplit.Dialect
	// LiquibaseDBMS are the names Liquibase gives the target database
	// (its dbms attribute values, such as the one the dialect reports).
	// A changeset with a dbms filter is converted when the filter admits
	// one of these names and skipped otherwise; with none given, such a
	// changeset is a Problem.
	LiquibaseDBMS []string
}

// Conversion is a converted folder.
type Conversion struct {
	// Tool is the tool the folder was written for.
	Tool Tool
	// Files are the converted migrations in strata order: versioned ones
	// by version, then repeatable ones by name.
	Files []File
	// Problems are what cannot be converted faithfully in the files that
	// were not excluded. Convert returns an error when it is not empty, so
	// a Conversion returned without error has none; it is kept for
	// callers that want to show them next to an *UnconvertibleError.
	Problems []Problem
	// Excluded are the source paths left out because ConvertOptions.Exclude
	// named them.
	Excluded []string
	// Mapping describes how the tool's versions became strata versions
	// when that is not the identity (Flyway's dotted versions); "" otherwise.
	Mapping string
}

// File is one converted migration.
type File struct {
	// Source is the original file's path in the source FS; for
	// Liquibase it is "changelog-path::id::author" of the changeset.
	Source string
	// ToolVersion is the key the old tool records in its history table
	// for this file: goose version_id and golang-migrate version
	// (decimal), dbmate version (as written), Flyway version as written
	// ("1.2.3", "" for a repeatable), tern sequence number, sql-migrate id
	// (the file name), Liquibase "id::author::filename".
	ToolVersion string
	// Version is the strata version (digits, as written in the file name;
	// "" for a repeatable migration).
	Version string
	// Name is the strata description slug.
	Name string
	// Up is the strata up file's content.
	Up []byte
	// Down is the strata down file's content, nil when there is none.
	Down []byte
	// Repeatable says the file is a repeatable migration (R__name.sql).
	Repeatable bool
	// NoTransaction says the up file carries the strata:no-transaction
	// directive (the tool ran it outside a transaction).
	NoTransaction bool
	// ToolChecksum is the old tool's own checksum of the original when it
	// keeps one: Flyway's CRC32 as a decimal int32, Liquibase's "9:<md5>";
	// "" otherwise.
	ToolChecksum string
	// ToolDownChecksum is Flyway's checksum of the original undo (U) file
	// when there is one; "" otherwise.
	ToolDownChecksum string
	// RunAlways is set for a Liquibase runAlways changeset: strata has no
	// equivalent, the file becomes a repeatable one that runs on change.
	RunAlways bool
}

// UpName returns the file name the up file is written under.
func (f *File) UpName() string {
	if f.Repeatable {
		return "R__" + f.Name + ".sql"
	}
	if f.Name == "" {
		return f.Version + ".sql"
	}
	return f.Version + "_" + f.Name + ".sql"
}

// DownName returns the file name of the down file ("" when Down is nil).
func (f *File) DownName() string {
	if f.Down == nil {
		return ""
	}
	return strings.TrimSuffix(f.UpName(), ".sql") + ".down.sql"
}

// ProblemKind classifies a Problem.
type ProblemKind string

// The kinds of problem.
const (
	// GoMigration is a migration written in Go (goose .go files).
	GoMigration ProblemKind = "go-migration"
	// JavaMigration is a Flyway Java or other non-SQL migration.
	JavaMigration ProblemKind = "java-migration"
	// Template is text the tool expands before running: tern's {{ }}.
	Template ProblemKind = "template"
	// Substitution is a variable the tool replaces from its environment or
	// configuration: goose ENVSUB ${VAR}, Flyway ${placeholder},
	// Liquibase ${property}.
	Substitution ProblemKind = "substitution"
	// StatementBlock is a statement block strata's splitter would cut
	// differently from the tool, in the dialect given.
	StatementBlock ProblemKind = "statement-block"
	// Unsupported is a construct of the tool with no strata equivalent
	// (a Liquibase precondition, an XML changelog, a malformed file).
	Unsupported ProblemKind = "unsupported"
)

// Problem is something in a source file that cannot be converted
// faithfully.
type Problem struct {
	// File is the source path, Line its 1-based line (0: the whole file).
	File string
	Line int
	// Kind classifies the problem.
	Kind ProblemKind
	// Detail says what was found, such as the template text.
	Detail string
}

// String returns "file:line: kind: detail".
func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s: %s: %s", loc, p.Kind, p.Detail)
}

// UnconvertibleError stops a conversion: files that cannot be converted
// faithfully and were not excluded.
type UnconvertibleError struct {
	Tool     Tool
	Problems []Problem
}

// Error lists every problem with file:line.
func (e *UnconvertibleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) in the %s folder cannot be converted faithfully; rewrite or exclude these files:", len(e.Problems), e.Tool)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Files returns the distinct source files named by the problems, in order.
func (e *UnconvertibleError) Files() []string {
	var out []string
	for _, p := range e.Problems {
		if !slices.Contains(out, p.File) {
			out = append(out, p.File)
		}
	}
	return out
}

// ErrNoMigrations is returned (wrapped) when the folder holds no
// migration of the tool.
var ErrNoMigrations = errors.New("no migrations found")

// converter is what each tool implements.
type converter func(src fs.FS, c *convState) error

// Convert reads src, a folder written for tool, and returns its migrations
// as strata files. It returns an *UnconvertibleError when a file that is
// not excluded cannot be converted faithfully, and an error wrapping
// ErrNoMigrations when there is nothing to convert.
func Convert(tool Tool, src fs.FS, opts ConvertOptions) (*Conversion, error) {
	var conv converter
	switch tool {
	case GolangMigrate:
		conv = convertGolangMigrate
	case Goose:
		conv = convertGoose
	case Dbmate:
		conv = convertDbmate
	case Flyway:
		conv = convertFlyway
	case Tern:
		conv = convertTern
	case SQLMigrate:
		conv = convertSQLMigrate
	case Liquibase:
		conv = convertLiquibase
	default:
		return nil, &UnknownToolError{Name: string(tool)}
	}
	st := &convState{
		out:     &Conversion{Tool: tool},
		opts:    opts,
		exclude: make(map[string]bool, len(opts.Exclude)),
	}
	for _, p := range opts.Exclude {
		st.exclude[strings.TrimPrefix(p, "./")] = true
	}
	if err := conv(src, st); err != nil {
		return nil, err
	}
	c := st.out
	if opts.Dialect != 0 {
		st.checkSplit()
	}
	if len(c.Problems) > 0 {
		return c, &UnconvertibleError{Tool: tool, Problems: c.Problems}
	}
	if len(c.Files) == 0 {
		return c, fmt.Errorf("%s folder: %w", tool, ErrNoMigrations)
	}
	if err := c.check(); err != nil {
		return c, err
	}
	return c, nil
}

// convState is what a converter fills in.
type convState struct {
	out     *Conversion
	opts    ConvertOptions
	exclude map[string]bool
}

// excluded reports (and records) whether path is excluded by the user.
func (s *convState) excluded(path string) bool {
	if !s.exclude[path] {
		return false
	}
	if !slices.Contains(s.out.Excluded, path) {
		s.out.Excluded = append(s.out.Excluded, path)
	}
	return true
}

// problem records a problem.
func (s *convState) problem(file string, line int, kind ProblemKind, format string, args ...any) {
	p := Problem{File: file, Line: line, Kind: kind, Detail: fmt.Sprintf(format, args...)}
	if !slices.Contains(s.out.Problems, p) {
		s.out.Problems = append(s.out.Problems, p)
	}
}

// maxName is the longest Name a converted file gets, in bytes, so that
// its down file's name stays within what strata accepts.
const maxName = 200

// add appends a converted file, shortening a long name at a rune boundary.
func (s *convState) add(f File) {
	if len(f.Name) > maxName {
		n := maxName
		for n > 0 && !utf8.RuneStart(f.Name[n]) {
			n--
		}
		f.Name = strings.TrimRight(f.Name[:n], "_")
	}
	s.out.Files = append(s.out.Files, f)
}

// DuplicateError is returned when two source files map to the same strata
// file name or version.
type DuplicateError struct {
	Name    string
	Sources []string
}

// Error names the files.
func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s would be written for more than one source file (%s): rename one of them", e.Name, strings.Join(e.Sources, ", "))
}

// check sorts the files into strata order and refuses two files with the
// same strata version or name.
func (c *Conversion) check() error {
	slices.SortStableFunc(c.Files, func(a, b File) int {
		switch {
		case a.Repeatable != b.Repeatable:
			if a.Repeatable {
				return 1
			}
			return -1
		case a.Repeatable:
			return strings.Compare(a.Name, b.Name)
		}
		return compareDigits(a.Version, b.Version)
	})
	for i := 1; i < len(c.Files); i++ {
		a, b := &c.Files[i-1], &c.Files[i]
		if a.Repeatable == b.Repeatable && ((a.Repeatable && a.Name == b.Name) ||
			(!a.Repeatable && compareDigits(a.Version, b.Version) == 0)) {
			return &DuplicateError{Name: b.UpName(), Sources: []string{a.Source, b.Source}}
		}
	}
	return nil
}

// compareDigits compares two runs of digits numerically.
func compareDigits(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// slug turns a tool's description into a strata name: letters, digits,
// dots and dashes kept, blanks and other punctuation become one
// underscore, no leading or trailing underscore.
func slug(s string) string {
	var b strings.Builder
	under := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-',
			r > unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		default:
			under = true
		}
	}
	return b.String()
}

// checkSplit reports every converted file strata's splitter cannot read
// in the dialect given, at the line of the source file where it can.
func (st *convState) checkSplit() {
	for _, f := range st.out.Files {
		for _, body := range [][]byte{f.Up, f.Down} {
			if body == nil {
				continue
			}
			_, err := sqlsplit.Split(string(body), sqlsplit.Options{Dialect: st.opts.Dialect})
			var se *sqlsplit.Error
			switch {
			case errors.As(err, &se):
				st.problem(f.Source, 0, Unsupported, "strata's %s splitter cannot read the converted file (line %d of it): %s", st.opts.Dialect, se.Line, se.Msg)
			case err != nil:
				st.problem(f.Source, 0, Unsupported, "strata's %s splitter cannot read the converted file: %v", st.opts.Dialect, err)
			}
		}
	}
}

// lazyRegexp compiles expr on first use: the importer's patterns are
// needed by `strata import` only, and compiling them all at package
// initialisation cost every strata command's start-up.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
