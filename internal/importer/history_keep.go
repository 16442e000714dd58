package importer

// Keeping the history tables whose rows name files rather than versions:
// sql-migrate's gorp_migrations, Flyway's flyway_schema_history and
// Liquibase's DATABASECHANGELOG. Their keys come from the old tool's
// folder (KeepWriter.UseFolder).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// KeepFileError is returned when strata runs a file that the old tool's
// folder does not hold, so the row the tool would write cannot be made:
// write the file in the old tool's format too (or give the folder).
type KeepFileError struct {
	Tool    Tool
	Version string // the strata version
	// NoFolder is set when no folder was given at all.
	NoFolder bool
}

func (e *KeepFileError) Error() string {
	if e.NoFolder {
		return fmt.Sprintf("%s's history records file names and keys that strata's files do not carry: the %s folder is needed", e.Tool, e.Tool)
	}
	return fmt.Sprintf("the %s folder has no file of strata version %s: write the migration in the %s folder too, so that %s's row names it", e.Tool, e.Version, e.Tool, e.Tool)
}

// CanRecord reports whether w can write the row of strata version
// version: for sql-migrate, Flyway and Liquibase its file must be in the
// tool's folder (a *KeepFileError otherwise). It implements
// strata.OtherHistoryChecker, so that a plan is refused before it runs.
func (w *KeepWriter) CanRecord(version string) error {
	if !NeedsFolder(w.tool) {
		return nil
	}
	_, err := w.file(version)
	return err
}

// liquibaseVersion is what the LIQUIBASE column says for rows strata
// writes: the Liquibase 4 release whose table layout and checksums
// (version 9) strata follows.
const liquibaseVersion = "4.29.2"

// file returns the old tool's file of strata version v.
func (w *KeepWriter) file(version string) (*File, error) {
	if w.files == nil {
		return nil, &KeepFileError{Tool: w.tool, Version: version, NoFolder: true}
	}
	f := w.files[canonical(version)]
	if f == nil {
		return nil, &KeepFileError{Tool: w.tool, Version: version}
	}
	return f, nil
}

// liquibaseTable finds DATABASECHANGELOG in the spelling it was created
// with, unless the table was named.
func (w *KeepWriter) liquibaseTable(ctx context.Context, q dialect.Execer) (string, error) {
	if w.table.Name != DefaultTables(Liquibase)[0] || w.table.Schema != "" {
		return w.d.QuoteTable(w.table), nil
	}
	t, err := FindTable(ctx, q, w.d, Liquibase, "")
	if err != nil {
		return "", err
	}
	return w.d.QuoteTable(t), nil
}

// appliedFile writes the row sql-migrate, Flyway or Liquibase writes
// after running the file of version.
func (w *KeepWriter) appliedFile(ctx context.Context, q dialect.Execer, version string) error {
	f, err := w.file(version)
	if err != nil {
		return err
	}
	p := w.d.Placeholder
	now := time.Now().UTC().Truncate(time.Microsecond)
	switch w.tool {
	case SQLMigrate:
		_, err = q.ExecContext(ctx, "INSERT INTO "+w.d.QuoteTable(w.table)+" (id, applied_at) VALUES ("+p(1)+", "+p(2)+")", f.ToolVersion, now)
	case Flyway:
		err = w.flywayRow(ctx, q, f, "SQL", f.Source, f.ToolChecksum, now)
	case Liquibase:
		id, author, file, ok := liquibaseKey(f.ToolVersion)
		if !ok {
			return fmt.Errorf("changeset key %q is not id::author::filename", f.ToolVersion)
		}
		t, err := w.liquibaseTable(ctx, q)
		if err != nil {
			return err
		}
		order, err := nextNumber(ctx, q, "ORDEREXECUTED", t)
		if err != nil {
			return err
		}
		// Liquibase's deployment id: the milliseconds since 1970
		// without their first three digits.
		deployment := strconv.FormatInt(now.UnixMilli(), 10)[3:]
		_, err = q.ExecContext(ctx, "INSERT INTO "+t+" (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE, MD5SUM, DESCRIPTION, COMMENTS, LIQUIBASE, DEPLOYMENT_ID) VALUES ("+
			p(1)+", "+p(2)+", "+p(3)+", "+p(4)+", "+p(5)+", "+p(6)+", "+p(7)+", "+p(8)+", "+p(9)+", "+p(10)+", "+p(11)+")",
			id, author, file, now, order, "EXECUTED", f.ToolChecksum, "sql", "", liquibaseVersion, deployment)
		return err
	}
	return err
}

// revertedFile records that the down file of version ran: sql-migrate
// and Liquibase (rollback) delete the file's row; Flyway's undo adds an
// UNDO_SQL row for the U script, keeping the history of the SQL row.
func (w *KeepWriter) revertedFile(ctx context.Context, q dialect.Execer, version string) error {
	f, err := w.file(version)
	if err != nil {
		return err
	}
	p := w.d.Placeholder
	switch w.tool {
	case SQLMigrate:
		_, err = q.ExecContext(ctx, "DELETE FROM "+w.d.QuoteTable(w.table)+" WHERE id = "+p(1), f.ToolVersion)
	case Flyway:
		dir, base := path.Split(f.Source)
		err = w.flywayRow(ctx, q, f, "UNDO_SQL", dir+"U"+strings.TrimPrefix(base, "V"), f.ToolDownChecksum, time.Now().UTC().Truncate(time.Microsecond))
	case Liquibase:
		id, author, file, ok := liquibaseKey(f.ToolVersion)
		if !ok {
			return fmt.Errorf("changeset key %q is not id::author::filename", f.ToolVersion)
		}
		t, err := w.liquibaseTable(ctx, q)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, "DELETE FROM "+t+" WHERE ID = "+p(1)+" AND AUTHOR = "+p(2)+" AND FILENAME = "+p(3), id, author, file)
		return err
	}
	return err
}

// flywayRow appends a successful row of type typ to flyway_schema_history,
// as Flyway does after a migrate (SQL) or an undo (UNDO_SQL): the next
// installed_rank, the version as written, the description from the
// script's name, the script's path in the location, its checksum, the
// database user, execution_time 0 (strata measures the file, not this
// row).
func (w *KeepWriter) flywayRow(ctx context.Context, q dialect.Execer, f *File, typ, script, checksum string, at time.Time) error {
	t, p := w.d.QuoteTable(w.table), w.d.Placeholder
	rank, err := nextNumber(ctx, q, "installed_rank", t)
	if err != nil {
		return err
	}
	var sum sql.NullInt64
	if checksum != "" {
		n, err := strconv.ParseInt(checksum, 10, 32)
		if err != nil {
			return fmt.Errorf("flyway checksum %q: %w", checksum, err)
		}
		sum = sql.NullInt64{Int64: n, Valid: true}
	}
	user, err := w.d.CurrentUser(ctx, q)
	if err != nil {
		return fmt.Errorf("read the database user for installed_by: %w", err)
	}
	user, _, _ = strings.Cut(user, "@") // MySQL's user@host; Flyway keeps the user
	_, err = q.ExecContext(ctx, "INSERT INTO "+t+" (installed_rank, version, description, type, script, checksum, installed_by, installed_on, execution_time, success) VALUES ("+
		p(1)+", "+p(2)+", "+p(3)+", "+p(4)+", "+p(5)+", "+p(6)+", "+p(7)+", "+p(8)+", "+p(9)+", "+p(10)+")",
		rank, f.ToolVersion, flywayDescription(script), typ, script, sum, user, at, 0, true)
	return err
}

// flywayDescription is the description Flyway takes from a script name:
// the text after "__", without ".sql", underscores as blanks.
func flywayDescription(script string) string {
	base := strings.TrimSuffix(path.Base(script), ".sql")
	if _, d, ok := strings.Cut(base, "__"); ok {
		base = d
	}
	return strings.ReplaceAll(base, "_", " ")
}

// liquibaseKey splits File.ToolVersion of a changeset.
func liquibaseKey(key string) (id, author, file string, ok bool) {
	parts := strings.SplitN(key, "::", 3)
	if len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// nextNumber returns MAX(col)+1 of table t (1 when empty).
func nextNumber(ctx context.Context, q dialect.Execer, col, t string) (int64, error) {
	var n sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT MAX("+col+") FROM "+t).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read the last %s: %w", col, err)
	}
	return n.Int64 + 1, nil
}
