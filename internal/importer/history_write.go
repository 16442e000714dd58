package importer

// Keeping another tool's history table in step while strata migrates
// (strata import --keep-writing), so the team can go back to that tool.

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// KeepWriter writes one tool's history table as that tool would after
// running a file: it implements strata.OtherHistory.
type KeepWriter struct {
	tool  Tool
	d     dialect.Dialect
	table dialect.Table
	// files are the old tool's files by strata version (UseFolder): the
	// keys sql-migrate, Flyway and Liquibase record come from them.
	files map[string]*File
}

// keepWriterTools are the tools whose tables KeepWriter can write.
var keepWriterTools = []Tool{Goose, GolangMigrate, Dbmate, Tern, SQLMigrate, Flyway, Liquibase}

// NeedsFolder reports whether keeping tool's history needs the tool's
// own folder (KeepWriter.UseFolder): its rows hold file names, Flyway's
// dotted versions and checksums, or Liquibase's changeset ids, which
// strata's files do not carry.
func NeedsFolder(tool Tool) bool {
	return tool == SQLMigrate || tool == Flyway || tool == Liquibase
}

// UseFolder gives w the old tool's folder, converted: the files whose
// keys w records. A file strata runs must be in it (written in the old
// tool's format too) for the tools NeedsFolder names.
func (w *KeepWriter) UseFolder(c *Conversion) {
	w.files = make(map[string]*File, len(c.Files))
	for i := range c.Files {
		if f := &c.Files[i]; !f.Repeatable {
			w.files[canonical(f.Version)] = f
		}
	}
}

// canonical is a version without leading zeros, as strata compares them.
func canonical(v string) string {
	if t := strings.TrimLeft(v, "0"); t != "" {
		return t
	}
	return "0"
}

// NewKeepWriter returns the writer of tool's history table t (its default
// table when t.Name is ""), or an error naming the tools it supports.
func NewKeepWriter(tool Tool, d dialect.Dialect, t dialect.Table) (*KeepWriter, error) {
	ok := false
	for _, k := range keepWriterTools {
		ok = ok || k == tool
	}
	if !ok {
		return nil, fmt.Errorf("keeping %s's history table is not supported: only goose, golang-migrate, dbmate, tern, sql-migrate, flyway and liquibase", tool)
	}
	if t.Name == "" {
		t.Name = DefaultTables(tool)[0]
	}
	return &KeepWriter{tool: tool, d: d, table: t}, nil
}

// Applied records version as the tool records an applied file.
func (w *KeepWriter) Applied(ctx context.Context, q dialect.Execer, version string) error {
	t, p := w.d.QuoteTable(w.table), w.d.Placeholder
	var err error
	switch w.tool {
	case SQLMigrate, Flyway, Liquibase:
		err = w.appliedFile(ctx, q, version)
	case Goose:
		var n int64
		if n, err = strconv.ParseInt(version, 10, 64); err == nil {
			_, err = q.ExecContext(ctx, "INSERT INTO "+t+" (version_id, is_applied) VALUES ("+p(1)+", "+p(2)+")", n, true)
		}
	case GolangMigrate:
		var n int64
		if n, err = strconv.ParseInt(version, 10, 64); err == nil {
			err = w.setVersion(ctx, q, n)
		}
	case Dbmate:
		_, err = q.ExecContext(ctx, "INSERT INTO "+t+" (version) VALUES ("+p(1)+")", version)
	case Tern:
		var n int64
		if n, err = strconv.ParseInt(version, 10, 64); err == nil {
			_, err = q.ExecContext(ctx, "UPDATE "+t+" SET version = "+p(1), n)
		}
	}
	if err != nil {
		return fmt.Errorf("keep %s's history %s: record %s as applied: %w", w.tool, w.table, version, err)
	}
	return nil
}

// Reverted records that version's down file ran; prev is the highest
// version still applied ("" for none).
func (w *KeepWriter) Reverted(ctx context.Context, q dialect.Execer, version, prev string) error {
	t, p := w.d.QuoteTable(w.table), w.d.Placeholder
	var err error
	switch w.tool {
	case SQLMigrate, Flyway, Liquibase:
		err = w.revertedFile(ctx, q, version)
	case Goose:
		var n int64
		if n, err = strconv.ParseInt(version, 10, 64); err == nil {
			_, err = q.ExecContext(ctx, "DELETE FROM "+t+" WHERE version_id = "+p(1), n)
		}
	case GolangMigrate:
		n := int64(-1) // golang-migrate's "no version"
		if prev != "" {
			n, err = strconv.ParseInt(prev, 10, 64)
		}
		if err == nil {
			err = w.setVersion(ctx, q, n)
		}
	case Dbmate:
		_, err = q.ExecContext(ctx, "DELETE FROM "+t+" WHERE version = "+p(1), version)
	case Tern:
		n := int64(0) // tern's "nothing applied"
		if prev != "" {
			n, err = strconv.ParseInt(prev, 10, 64)
		}
		if err == nil {
			_, err = q.ExecContext(ctx, "UPDATE "+t+" SET version = "+p(1), n)
		}
	}
	if err != nil {
		return fmt.Errorf("keep %s's history %s: record %s as reverted: %w", w.tool, w.table, version, err)
	}
	return nil
}

// setVersion replaces golang-migrate's one row; -1 leaves the table
// empty, as golang-migrate does after its last down.
func (w *KeepWriter) setVersion(ctx context.Context, q dialect.Execer, n int64) error {
	t := w.d.QuoteTable(w.table)
	if _, err := q.ExecContext(ctx, "DELETE FROM "+t); err != nil {
		return err
	}
	if n < 0 {
		return nil
	}
	_, err := q.ExecContext(ctx, "INSERT INTO "+t+" (version, dirty) VALUES ("+w.d.Placeholder(1)+", "+w.d.Placeholder(2)+")", n, false)
	return err
}
