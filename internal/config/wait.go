package config

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/dbwait"
)

// Classify says what a connection error means for waiting on a server
// of dialect d: an authentication failure or a certificate that does not
// verify is dbwait.Fatal; a database that does not exist means the server
// is dbwait.Up; anything else (refused, reset, timeout, starting up, DNS)
// is dbwait.Retry.
func Classify(d dialect.Dialect, err error) dbwait.Verdict {
	ce, _ := d.(dialect.ConnectErrors)
	switch {
	case ce != nil && ce.MissingDatabase(err):
		return dbwait.Up
	case ce != nil && ce.AuthFailed(err), certError(err):
		return dbwait.Fatal
	}
	return dbwait.Retry
}

// authFailed reports whether err says the server refused the login: a
// wrong password, an unknown user, or a user that may not use the
// database.
func (t *Target) authFailed(err error) bool {
	ce, ok := t.Dialect.(dialect.ConnectErrors)
	return ok && ce.AuthFailed(err)
}

// connectError returns the *ConnectError for err, scrubbed of secrets.
func (t *Target) connectError(err error) *ConnectError {
	return &ConnectError{URL: t.Redacted, Err: t.ScrubError(err), auth: t.authFailed(err)}
}

// missingDatabase reports whether err says the server is up but the
// database named in the URL does not exist.
func (t *Target) missingDatabase(err error) bool {
	ce, ok := t.Dialect.(dialect.ConnectErrors)
	return ok && ce.MissingDatabase(err)
}

// MissingDatabaseError says the server answered but the database does not
// exist.
type MissingDatabaseError struct {
	Name string // the database name from the URL
	Err  error
}

func (e *MissingDatabaseError) Error() string {
	return fmt.Sprintf("the server is up but database %q does not exist: create it (CREATE DATABASE %s) or fix the database name in the URL", e.Name, e.Name)
}

func (e *MissingDatabaseError) Unwrap() error { return e.Err }

// DatabaseName is the database named in the URL ("" for SQLite).
func (t *Target) DatabaseName() string {
	switch {
	case t.pg != nil:
		return t.pg.Database
	case t.my != nil:
		return t.my.DBName
	}
	return ""
}

// Wait pings db until it answers, opts.Deadline passes, or an error that
// waiting cannot heal (see Classify). It succeeds when the server is up,
// even when the database does not exist (then the result's Err says so and
// Ping fails), and returns a *ConnectError otherwise, never holding the
// password. Every failed attempt is reported to opts.OnAttempt with a
// scrubbed error.
func (t *Target) Wait(ctx context.Context, db *sql.DB, opts dbwait.Options) (dbwait.Result, error) {
	if on := opts.OnAttempt; on != nil {
		opts.OnAttempt = func(n int, err error, next time.Duration) { on(n, t.ScrubError(err), next) }
	}
	classify := func(err error) dbwait.Verdict { return Classify(t.Dialect, err) }
	res, err := dbwait.Wait(ctx, db.PingContext, classify, opts)
	res.Err = t.ScrubError(res.Err)
	switch {
	case err == nil:
		return res, nil
	case ctx.Err() != nil:
		return res, t.ScrubError(fmt.Errorf("connect to %s: %w", t.Redacted, err))
	}
	// A login or certificate the server refused: the ConnectError says
	// what to fix and that waiting will not help, in one voice.
	var fatal *dbwait.FatalError
	if errors.As(err, &fatal) {
		err = fatal.Err
	}
	return res, t.connectError(err)
}
