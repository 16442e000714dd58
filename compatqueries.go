package strata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// ParseQueries reads a queries file for Compat: statements as in a
// migration file, each ended by a semicolon (or the end of the file), with
// comments allowed between them, split with the rules of the scanner
// dialect d. name is the file's name for the queries' positions.
func ParseQueries(name, text string, d sqlsplit.Dialect) ([]CompatQuery, error) {
	stmts, err := sqlsplit.Split(text, sqlsplit.Options{Dialect: d})
	if err != nil {
		var se *sqlsplit.Error
		if errors.As(err, &se) {
			return nil, fileError(name, se.Line, errors.New(se.Msg))
		}
		return nil, fileError(name, 0, err)
	}
	out := make([]CompatQuery, 0, len(stmts))
	for _, s := range stmts {
		out = append(out, CompatQuery{Text: s.Text, File: name, Line: s.Line})
	}
	return out, nil
}

// WriteQueries writes queries in the format ParseQueries reads: a header
// of comment lines, then each query followed by a semicolon and a blank
// line.
func WriteQueries(w io.Writer, header []string, queries []string) error {
	var b strings.Builder
	for _, h := range header {
		b.WriteString("-- " + h + "\n")
	}
	for _, q := range queries {
		b.WriteString("\n" + q + ";\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Captured is what CaptureQueries read from the database's own record.
type Captured struct {
	// Queries are the application's statements, most run first, each
	// once, with placeholders where the server saw values.
	Queries []string
	// Skipped counts the statements left out, by reason: "not_dml"
	// (DDL, SET, transaction control ...), "literal" (a string literal
	// the server did not normalise, which might hold a secret), "system"
	// (catalog queries of tools and drivers), "strata" (strata's own
	// bookkeeping).
	Skipped map[string]int
}

// CaptureQueries reads the statements the database's server recorded for
// this database (dialect.QueryCapturer: PostgreSQL's statement statistics
// extension, MySQL's performance schema digests) and keeps the
// application's: the
// SELECT, INSERT, UPDATE, DELETE, REPLACE, WITH and CALL statements that
// hold no string literal and name no system catalog and none of strata's
// own tables. A server that keeps no record returns a
// *dialect.CaptureUnavailableError, which says how to enable it.
func (m *Migrator) CaptureQueries(ctx context.Context) (*Captured, error) {
	qc, ok := m.d.(dialect.QueryCapturer)
	if !ok {
		return nil, &dialect.CaptureUnavailableError{Source: "the server's statement statistics",
			Reason: m.d.Name() + " keeps no record of the statements applications run"}
	}
	c, err := m.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer m.putBack(c, false)
	texts, err := qc.CaptureQueries(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("capture queries: %w", err)
	}
	own := []string{strings.ToLower(m.cfg.table.Name), strings.ToLower(dialect.AuditTable(m.cfg.table).Name), strings.ToLower(m.cfg.table.Name + "_lock")}
	res := &Captured{Queries: []string{}, Skipped: map[string]int{}}
	opts := sqlsplit.Options{Dialect: m.d.Scanner()}
	for _, t := range texts {
		t = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t), ";"))
		toks := sqlsplit.Tokens(t, opts)
		if reason := skipCaptured(toks, own, qc.SystemName); reason != "" {
			res.Skipped[reason]++
			continue
		}
		if !slices.Contains(res.Queries, t) {
			res.Queries = append(res.Queries, t)
		}
	}
	return res, nil
}

// skipCaptured says why a captured statement is not one of the
// application's queries, or "".
func skipCaptured(toks []sqlsplit.Token, own []string, system func(string) bool) string {
	if len(toks) == 0 || toks[0].Kind != sqlsplit.Word {
		return "not_dml"
	}
	switch strings.ToUpper(toks[0].Text) {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "CALL":
	default:
		return "not_dml"
	}
	if sessionQuery(toks, system) {
		return "system"
	}
	reason := ""
	for _, t := range toks {
		switch t.Kind {
		case sqlsplit.String:
			return "literal"
		case sqlsplit.Word, sqlsplit.QuotedIdent:
			n := strings.ToLower(dialect.UnquoteIdent(t.Text))
			switch {
			case slices.Contains(own, n):
				reason = "strata"
			case system(n):
				if reason == "" {
					reason = "system"
				}
			}
		}
	}
	return reason
}

// sessionQuery reports whether toks are a SELECT of session state that
// strata, drivers and tools run, not the application: without FROM, and
// reading @@variables or calling only the server's own functions (system).
func sessionQuery(toks []sqlsplit.Token, system func(string) bool) bool {
	if !strings.EqualFold(toks[0].Text, "SELECT") {
		return false
	}
	calls := false
	for i, t := range toks {
		if t.Kind == sqlsplit.Word && strings.EqualFold(t.Text, "FROM") {
			return false
		}
		if t.Text == "@" {
			return true
		}
		if (t.Kind == sqlsplit.Word || t.Kind == sqlsplit.QuotedIdent) && i+1 < len(toks) && toks[i+1].Text == "(" {
			if !system(strings.ToLower(dialect.UnquoteIdent(t.Text))) {
				return false
			}
			calls = true
		}
	}
	return calls
}
