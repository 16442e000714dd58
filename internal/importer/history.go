package importer

// Reading another tool's history table, as that tool writes it.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Applied is one migration the old tool records as applied.
type Applied struct {
	// Key is what the tool records for the file: the File.ToolVersion of
	// the file it applied.
	Key string
	// Rank says which row recorded it, as the tool numbers its rows
	// (goose id, Flyway installed_rank, Liquibase ORDEREXECUTED), or ""
	// when the tool keeps one row for everything (golang-migrate, tern).
	Rank string
	// AppliedAt is when the tool applied it; zero when the tool does not
	// record it (golang-migrate, dbmate, tern).
	AppliedAt time.Time
	// Checksum is the tool's own checksum of the file when it keeps one
	// (Flyway, Liquibase), to compare with File.ToolChecksum.
	Checksum string
	// Upto is set by tools that record only the last version they applied
	// (golang-migrate, tern): every file up to Key is applied.
	Upto bool
}

// History is another tool's history table as read.
type History struct {
	Tool  Tool
	Table dialect.Table
	// Applied are the applied migrations, in the order the tool applied
	// them.
	Applied []Applied
	// Rows is how many rows the table has.
	Rows int
}

// HistoryError is a state of the old tool's history that stops an import:
// a dirty or failed migration, a gap, an applied migration with no file, a
// checksum that differs. File and Key say which migration; Check says what
// the user should look at before anything is recorded.
type HistoryError struct {
	Tool  Tool
	Table string
	Kind  string // "dirty", "failed", "gap", "missing-file", "checksum"
	Key   string // the tool's key of the migration
	File  string // the source file, when known
	What  string // what the table says
	Check string // what to check
}

func (e *HistoryError) Error() string {
	where := e.Key
	if e.File != "" {
		where = e.File
	}
	return fmt.Sprintf("%s history %s: %s: %s; %s", e.Tool, e.Table, where, e.What, e.Check)
}

// ErrNoHistory is returned by ReadHistory when the tool's table does not
// exist in the database.
var ErrNoHistory = errors.New("the tool's history table does not exist")

// DefaultTables are the history tables each tool writes by default, in
// the spelling it creates them with (Liquibase: upper case on MySQL,
// lower case elsewhere; both are tried).
func DefaultTables(tool Tool) []string {
	switch tool {
	case "goose":
		return []string{"goose_db_version"}
	case "golang-migrate", "dbmate":
		return []string{"schema_migrations"}
	case "flyway":
		return []string{"flyway_schema_history"}
	case "tern":
		return []string{"schema_version"}
	case "sql-migrate":
		return []string{"gorp_migrations"}
	case "liquibase":
		return []string{"databasechangelog", "DATABASECHANGELOG"}
	}
	return nil
}

// FindTable returns the first of tool's default tables that exists (table
// "" ) or table itself, qualified by schema when given; ErrNoHistory when
// none does.
func FindTable(ctx context.Context, q dialect.Execer, d dialect.Dialect, tool Tool, table string) (dialect.Table, error) {
	names := DefaultTables(tool)
	if table != "" {
		names = []string{table}
	}
	for _, n := range names {
		t := dialect.Table{Name: n}
		if s, name, ok := strings.Cut(n, "."); ok {
			t = dialect.Table{Schema: s, Name: name}
		}
		ok, err := d.TableExists(ctx, q, t)
		if err != nil {
			return dialect.Table{}, fmt.Errorf("look for %s's history table %s: %w", tool, t, err)
		}
		if ok {
			return t, nil
		}
	}
	return dialect.Table{}, fmt.Errorf("%s: %w (looked for %s)", tool, ErrNoHistory, strings.Join(names, ", "))
}

// ReadHistory reads tool's history table t (see FindTable) on q. It
// returns a *HistoryError when the table records a state that an import
// must not paper over (golang-migrate dirty, Flyway success=false,
// Liquibase FAILED).
func ReadHistory(ctx context.Context, q dialect.Execer, d dialect.Dialect, tool Tool, t dialect.Table) (*History, error) {
	h := &History{Tool: tool, Table: t}
	var err error
	switch tool {
	case "goose":
		err = readGoose(ctx, q, d, h)
	case "golang-migrate":
		err = readGolangMigrate(ctx, q, d, h)
	case "dbmate":
		err = readDbmate(ctx, q, d, h)
	case "tern":
		err = readTern(ctx, q, d, h)
	case "sql-migrate":
		err = readSQLMigrate(ctx, q, d, h)
	case "flyway":
		err = readFlyway(ctx, q, d, h)
	case "liquibase":
		err = readLiquibase(ctx, q, d, h)
	default:
		return nil, fmt.Errorf("no history reader for tool %q", tool)
	}
	if err != nil {
		var he *HistoryError
		if errors.As(err, &he) {
			return nil, err
		}
		return nil, fmt.Errorf("read %s history table %s: %w", tool, t, err)
	}
	return h, nil
}

// query runs sql on q and calls row for each row, scanned into dest.
func query(ctx context.Context, q dialect.Execer, text string, dest []any, row func() error) error {
	rows, err := q.QueryContext(ctx, text)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if err := row(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// columns returns the lower-case column names of table t.
func columns(ctx context.Context, q dialect.Execer, d dialect.Dialect, t dialect.Table) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT * FROM "+d.QuoteTable(t)+" WHERE 1 = 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, c := range cols {
		out[strings.ToLower(c)] = true
	}
	return out, rows.Err()
}

func readGoose(ctx context.Context, q dialect.Execer, d dialect.Dialect, h *History) error {
	var id, version int64
	var applied flexBool
	var at flexTime
	state := map[int64]int{} // version -> index in h.Applied, or -1 when rolled back
	err := query(ctx, q, "SELECT id, version_id, is_applied, tstamp FROM "+d.QuoteTable(h.Table)+" ORDER BY id",
		[]any{&id, &version, &applied, &at}, func() error {
			h.Rows++
			if version == 0 {
				return nil // the row goose writes when it creates the table
			}
			key := strconv.FormatInt(version, 10)
			if !applied.v {
				// goose before v3 recorded a down as a row with
				// is_applied false; later ones delete the row.
				if i, ok := state[version]; ok && i >= 0 {
					h.Applied[i].Key = ""
				}
				state[version] = -1
				return nil
			}
			state[version] = len(h.Applied)
			h.Applied = append(h.Applied, Applied{Key: key, Rank: strconv.FormatInt(id, 10), AppliedAt: at.t})
			return nil
		})
	h.Applied = dropEmpty(h.Applied)
	return err
}

func dropEmpty(a []Applied) []Applied {
	out := a[:0]
	for _, x := range a {
		if x.Key != "" {
			out = append(out, x)
		}
	}
	return out
}

func readGolangMigrate(ctx context.Context, q dialect.Execer, d dialect.Dialect, h *History) error {
	cols, err := columns(ctx, q, d, h.Table)
	if err != nil {
		return err
	}
	if !cols["dirty"] {
		return fmt.Errorf("table %s has no dirty column: it is not golang-migrate's (dbmate's schema_migrations has the same name)", h.Table)
	}
	var version int64
	var dirty flexBool
	err = query(ctx, q, "SELECT version, dirty FROM "+d.QuoteTable(h.Table), []any{&version, &dirty}, func() error {
		h.Rows++
		if dirty.v {
			return &HistoryError{Tool: h.Tool, Table: h.Table.String(), Kind: "dirty", Key: strconv.FormatInt(version, 10),
				What:  fmt.Sprintf("version %d is marked dirty: golang-migrate stopped while running it", version),
				Check: "check which of its statements ran, finish or undo them by hand, then clear the flag with golang-migrate's force command and import again"}
		}
		if version >= 0 {
			h.Applied = []Applied{{Key: strconv.FormatInt(version, 10), Upto: true}}
		}
		return nil
	})
	if err == nil && h.Rows > 1 {
		return fmt.Errorf("table %s has %d rows; golang-migrate keeps exactly one", h.Table, h.Rows)
	}
	return err
}

func readDbmate(ctx context.Context, q dialect.Execer, d dialect.Dialect, h *History) error {
	cols, err := columns(ctx, q, d, h.Table)
	if err != nil {
		return err
	}
	if cols["dirty"] {
		return fmt.Errorf("table %s has a dirty column: it is golang-migrate's, not dbmate's", h.Table)
	}
	var version string
	return query(ctx, q, "SELECT version FROM "+d.QuoteTable(h.Table)+" ORDER BY version", []any{&version}, func() error {
		h.Rows++
		h.Applied = append(h.Applied, Applied{Key: version})
		return nil
	})
}

func readTern(ctx context.Context, q dialect.Execer, d dialect.Dialect, h *History) error {
	var version int64
	return query(ctx, q, "SELECT version FROM "+d.QuoteTable(h.Table), []any{&version}, func() error {
		h.Rows++
		if version > 0 {
			h.Applied = []Applied{{Key: strconv.FormatInt(version, 10), Upto: true}}
		}
		return nil
	})
}

func readSQLMigrate(ctx context.Context, q dialect.Execer, d dialect.Dialect, h *History) error {
	var id string
	var at flexTime
	return query(ctx, q, "SELECT id, applied_at FROM "+d.QuoteTable(h.Table)+" ORDER BY applied_at, id", []any{&id, &at}, func() error {
		h.Rows++
		h.Applied = append(h.Applied, Applied{Key: id, AppliedAt: at.t})
		return nil
	})
}
