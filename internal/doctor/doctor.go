// Package doctor checks that a database is ready for strata and that the
// application's database user cannot change the schema: connectivity,
// server version, the history table's health, the migration lock, the
// migration user's DDL rights and the application user's lack of them.
// Each check is a value the CLI renders; nothing here prints.
package doctor

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
)

// Status is a check's outcome.
type Status string

// The outcomes, from good to bad.
const (
	OK   Status = "ok"
	Note Status = "note" // worth knowing, not a problem here (unverified TLS to a loopback host)
	Warn Status = "warn"
	Fail Status = "fail"
)

// Check is one check's result.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Detail says what was found.
	Detail string `json:"detail"`
	// Hint says what to do about a warning or failure.
	Hint string `json:"hint,omitempty"`
}

// Target is the database strata migrates.
type Target struct {
	DB      *sql.DB
	Dialect dialect.Dialect
	// Migrator is a Migrator on DB for the migrations folder and history
	// table being checked.
	Migrator *strata.Migrator
	// Table is the history table.
	Table dialect.Table
}

// Server checks the server's version and the history table: whether it
// exists, its layout version, and the migrations that stopped half-way or
// drifted.
func Server(ctx context.Context, t Target) []Check {
	checks := []Check{version(ctx, t)}
	return append(checks, historyTable(ctx, t)...)
}

func version(ctx context.Context, t Target) Check {
	c := Check{Name: "server"}
	v, ok := t.Dialect.(dialect.Versioner)
	if !ok {
		return Check{Name: "server", Status: Fail, Detail: "cannot read the server version: the " + t.Dialect.Name() + " dialect cannot tell it"}
	}
	var err error
	if c.Detail, err = v.ServerVersion(ctx, t.DB); err != nil {
		return Check{Name: "server", Status: Fail, Detail: "cannot read the server version: " + err.Error()}
	}
	c.Status = OK
	if user, err := t.Dialect.CurrentUser(ctx, t.DB); err == nil && user != "" {
		c.Detail += ", connected as " + user
	}
	return c
}

func historyTable(ctx context.Context, t Target) []Check {
	d := t.Dialect
	ok, err := d.TableExists(ctx, t.DB, t.Table)
	if err != nil {
		return []Check{{Name: "history", Status: Fail, Detail: fmt.Sprintf("cannot look for the history table %s: %v", t.Table, err)}}
	}
	if !ok {
		return []Check{{Name: "history", Status: OK, Detail: fmt.Sprintf("history table %s does not exist yet; the first strata up creates it", t.Table)}}
	}
	var layout string
	err = t.DB.QueryRowContext(ctx, "SELECT version FROM "+d.QuoteTable(t.Table)+" WHERE id = "+d.Placeholder(1), history.LayoutID).Scan(&layout)
	var checks []Check
	switch {
	case errors.Is(err, sql.ErrNoRows):
		checks = append(checks, Check{Name: "history", Status: Warn, Detail: fmt.Sprintf("history table %s has no layout row", t.Table),
			Hint: "the next strata up adds it; if the table was not made by strata, pass --table with another name"})
	case err != nil:
		return []Check{{Name: "history", Status: Fail, Detail: fmt.Sprintf("cannot read the history table %s: %v", t.Table, err),
			Hint: "is it strata's table? pass --table with the right name"}}
	case layout != fmt.Sprint(history.Layout):
		checks = append(checks, Check{Name: "history", Status: Fail, Detail: fmt.Sprintf("history table %s has layout %s; this strata understands layout %d", t.Table, layout, history.Layout),
			Hint: "upgrade strata to the release that wrote it"})
	default:
		checks = append(checks, Check{Name: "history", Status: OK, Detail: fmt.Sprintf("history table %s, layout %s", t.Table, layout)})
	}
	st, err := t.Migrator.Status(ctx)
	if err != nil {
		return append(checks, Check{Name: "migrations", Status: Fail, Detail: "cannot compare the history with the folder: " + err.Error()})
	}
	counts := map[strata.State]int{}
	for _, m := range st.Migrations {
		counts[m.State]++
	}
	var bad []string
	for _, s := range []strata.State{strata.StateFailed, strata.StatePartial, strata.StateRunning, strata.StateInterrupted, strata.StateEdited, strata.StateMissing, strata.StateOutOfOrder} {
		if counts[s] > 0 {
			bad = append(bad, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	c := Check{Name: "migrations", Status: OK, Detail: fmt.Sprintf("database at version %s, %d applied, %d pending", orNone(st.Current.String()), counts[strata.StateApplied], st.Pending)}
	if d := st.AheadDetail(); d != "" {
		c.Detail += "; " + d
	}
	if len(bad) > 0 {
		c.Status = Warn
		c.Detail += "; " + strings.Join(bad, ", ")
		c.Hint = "strata status shows each one and what to do (strata resolve settles a failed, partial or interrupted file)"
		if counts[strata.StateRunning] > 0 && counts[strata.StateFailed]+counts[strata.StatePartial]+counts[strata.StateInterrupted]+counts[strata.StateEdited]+counts[strata.StateMissing]+counts[strata.StateOutOfOrder] == 0 {
			c.Hint = "another strata run is migrating now"
		}
	}
	return append(checks, c)
}

func orNone(v string) string {
	if v == "" {
		return "none"
	}
	return v
}

// Lock tries the migration lock once: free, or held by whom. m must have
// a short lock timeout (a millisecond) so that it does not wait.
func Lock(ctx context.Context, m *strata.Migrator) Check {
	release, err := m.Lock(ctx)
	if err == nil {
		release()
		return Check{Name: "lock", Status: OK, Detail: "the migration lock is free"}
	}
	var lt *dialect.LockTimeoutError
	if errors.As(err, &lt) || errors.Is(err, strata.ErrLockTimeout) {
		holder := "another session"
		if errors.As(err, &lt) && lt.Holder != "" {
			holder = lt.Holder
		}
		return Check{Name: "lock", Status: Warn, Detail: "the migration lock is held by " + holder,
			Hint: "a strata run is migrating now; if none is, end the session that holds it"}
	}
	return Check{Name: "lock", Status: Fail, Detail: "cannot take the migration lock: " + err.Error()}
}

// scratchName is a unique name for a scratch table.
func scratchName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "strata_doctor_" + hex.EncodeToString(b[:])
}

// DDL checks that the migration user can create, alter and drop a table in
// schema (the connection's current schema when empty). On PostgreSQL and
// SQLite it does so in a transaction that it rolls back; on MySQL, where
// DDL commits, it creates and drops a uniquely named table.
func DDL(ctx context.Context, db *sql.DB, d dialect.Dialect, schema string) Check {
	name := scratchName()
	tbl := d.QuoteTable(dialect.Table{Schema: schema, Name: name})
	stmts := []string{
		"CREATE TABLE " + tbl + " (id INT)",
		"ALTER TABLE " + tbl + " ADD COLUMN note VARCHAR(10)",
		"DROP TABLE " + tbl,
	}
	where := "the current schema"
	if schema != "" {
		where = "schema " + schema
	}
	c := Check{Name: "migration user", Status: OK}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if d.TransactionalDDL() {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return Check{Name: c.Name, Status: Fail, Detail: "cannot begin a transaction: " + err.Error()}
		}
		defer tx.Rollback()
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return ddlFail(c.Name, where, s, err)
			}
		}
		c.Detail = "can create, alter and drop tables in " + where + " (tried in a transaction, rolled back)"
		return c
	}
	for i, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			f := ddlFail(c.Name, where, s, err)
			if i > 0 {
				f.Hint += fmt.Sprintf("; then drop the scratch table: DROP TABLE %s", tbl)
			}
			return f
		}
	}
	c.Detail = "can create, alter and drop tables in " + where + " (created and dropped " + name + ")"
	return c
}

func ddlFail(name, where, stmt string, err error) Check {
	verb, _, _ := strings.Cut(stmt, " TABLE")
	return Check{Name: name, Status: Fail, Detail: fmt.Sprintf("cannot %s a table in %s: %v", strings.ToLower(verb), where, err),
		Hint: "grant the migration user the rights to change the schema (PostgreSQL: GRANT CREATE ON SCHEMA ...; MySQL: GRANT CREATE, ALTER, DROP ON db.* ...)"}
}
