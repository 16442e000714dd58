package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.PoolerDetector = Dialect{}

// detectRounds is how many times DetectPooler lets two client connections
// take turns before it concludes there is no transaction pooler. It only
// runs once the login id has shown a pooler is there, and other clients
// of a busy pooler can take the server session one connection has just
// given back, round after round (3 rounds let one of 8 concurrent runs
// through PgBouncer conclude "no pooler"); a round costs three short
// queries.
const detectRounds = 20

// DetectPooler looks for a transaction-mode pooler (PgBouncer in
// transaction or statement mode, RDS Proxy multiplexing) between db and
// the server. Two client connections take turns asking for their server
// process (pg_backend_pid()): directly, or through a session-mode pooler,
// each keeps its own for as long as it lives, so the two never agree and
// neither ever changes. Through a transaction pooler a client holds a
// server process only for the length of a transaction: the second
// connection is handed the one the first has just given back (PgBouncer
// reuses the most recently released server connection first), or the
// first comes back on another. The statements go over the simple
// protocol, so no named prepared statement is ever created on a pooled
// server session.
//
// Most runs talk to the server directly, and that is settled with one
// query on one connection before the probe: the server process a pgx
// connection runs on is the one whose process id the server sent at login
// (BackendKeyData). A pooler sends a key of its own at login (PgBouncer
// makes one up, as it must: the client's cancel requests go to the pooler,
// which forwards them to whichever server session runs the client's query
// then), so through one the two ids differ, and the probe runs.
func (Dialect) DetectPooler(ctx context.Context, db *sql.DB) (dialect.Pooler, error) {
	a, err := db.Conn(ctx)
	if err != nil {
		return dialect.Pooler{}, fmt.Errorf("detect a connection pooler: %w", err)
	}
	if direct, err := loginPIDMatches(ctx, a); err != nil || direct {
		a.Close()
		return dialect.Pooler{}, err
	}
	b, err := db.Conn(ctx)
	if err != nil {
		a.Close()
		return dialect.Pooler{}, fmt.Errorf("detect a connection pooler: %w", err)
	}
	found := dialect.Pooler{}
	defer func() {
		for _, c := range []*sql.Conn{a, b} {
			if found.Transaction() {
				// Opened before the caller knew: not to be reused.
				_ = c.Raw(func(any) error { return driver.ErrBadConn })
			}
			c.Close()
		}
	}()
	for round := 0; round < detectRounds; round++ {
		pa, err := backendPID(ctx, a)
		if err != nil {
			return found, err
		}
		pb, err := backendPID(ctx, b)
		if err != nil {
			return found, err
		}
		if pa == pb {
			found = dialect.Pooler{Mode: dialect.PoolerTransaction, Evidence: fmt.Sprintf(
				"two client connections ran on the same server process (pid %d) one after the other: the pooler shares server sessions between clients after each transaction", pa)}
			return found, nil
		}
		again, err := backendPID(ctx, a)
		if err != nil {
			return found, err
		}
		if again != pa {
			found = dialect.Pooler{Mode: dialect.PoolerTransaction, Evidence: fmt.Sprintf(
				"one client connection ran on server process %d, then on %d: the pooler hands each transaction whichever server session is free", pa, again)}
			return found, nil
		}
	}
	return found, nil
}

// loginPIDMatches reports whether c is a pgx connection whose server
// process (pg_backend_pid(), over the simple protocol) is the one named
// at login: a direct connection to the server. Another driver, or an id
// that differs, gives false.
func loginPIDMatches(ctx context.Context, c *sql.Conn) (bool, error) {
	var login uint32
	_ = c.Raw(func(dc any) error {
		if sc, ok := dc.(*stdlib.Conn); ok {
			login = sc.Conn().PgConn().PID()
		}
		return nil
	})
	if login == 0 {
		return false, nil
	}
	pid, err := backendPID(ctx, c)
	if err != nil {
		return false, err
	}
	return pid == int64(login), nil
}

// backendPID reads pg_backend_pid() over the simple protocol.
func backendPID(ctx context.Context, c *sql.Conn) (int64, error) {
	var pid int64
	other := false
	err := c.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			other = true
			return nil
		}
		res, err := sc.Conn().PgConn().Exec(ctx, "SELECT pg_backend_pid()").ReadAll()
		if err != nil {
			return err
		}
		if len(res) != 1 || len(res[0].Rows) != 1 || len(res[0].Rows[0]) != 1 {
			return errors.New("pg_backend_pid() returned no row")
		}
		pid, err = strconv.ParseInt(string(res[0].Rows[0][0]), 10, 64)
		return err
	})
	if err == nil && other {
		// A driver other than pgx (a library user's, or a wrapper around
		// pgx): ask through database/sql, as that driver sends queries.
		err = c.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid)
	}
	if err != nil {
		return 0, fmt.Errorf("detect a connection pooler: read the server process id: %w", err)
	}
	return pid, nil
}

// sessionObjects are statements that leave something on the session for
// later statements: a temporary table, a prepared statement, a cursor
// held past its transaction, a notification channel.
var sessionObjects = regexp.MustCompile(`(?is)^\s*(CREATE\s+(GLOBAL\s+|LOCAL\s+)?(TEMP|TEMPORARY)\s+(TABLE|VIEW|SEQUENCE)\b|CREATE\s+(UNLOGGED\s+)?TABLE\b.*\bON\s+COMMIT\b|PREPARE\b|DECLARE\b.*\bWITH\s+HOLD\b|LISTEN\b|LOAD\b)`)

// NeedsSession reports statements that, run outside a transaction, leave
// state on the session for the statements after them: session settings
// (ChangesSession) and session objects (temporary tables, PREPARE,
// cursors WITH HOLD, LISTEN, LOAD).
func (d Dialect) NeedsSession(stmt string) bool {
	return d.ChangesSession(stmt) || sessionObjects.MatchString(stmt)
}

var sessionSet = regexp.MustCompile(`(?is)^\s*SET\s+(SESSION\s+)?`)

// Localize turns SET [SESSION] x into SET LOCAL x; SET LOCAL stays as it
// is; anything else (set_config, SET ROLE's session form is fine as SET
// LOCAL ROLE) cannot be rewritten safely and gives "".
func (Dialect) Localize(stmt string) string {
	head := strings.ToUpper(dialect.Head(strings.TrimSpace(stmt), 32))
	switch {
	case strings.HasPrefix(head, "SET LOCAL "):
		return stmt
	case strings.HasPrefix(head, "SET SESSION AUTHORIZATION"), strings.HasPrefix(head, "SET SESSION CHARACTERISTICS"),
		strings.HasPrefix(head, "SET TRANSACTION"), strings.HasPrefix(head, "SET CONSTRAINTS"):
		return ""
	case sessionSet.MatchString(stmt):
		return sessionSet.ReplaceAllLiteralString(stmt, "SET LOCAL ")
	}
	return ""
}

// ResetInTx is RESET ALL: inside a transaction it undoes the session
// settings made in it (SET and SET LOCAL alike) before the commit.
func (Dialect) ResetInTx() string { return "RESET ALL" }
