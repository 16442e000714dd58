package config

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect"
)

// ConnectError says the database could not be reached or refused the
// connection (wrong host, port, password or database name). Its message
// never contains the password.
type ConnectError struct {
	// URL is the redacted URL.
	URL string
	Err error

	auth bool // the server refused the login (see Auth)
}

func (e *ConnectError) Error() string {
	var missing *MissingDatabaseError
	if errors.As(e.Err, &missing) {
		return fmt.Sprintf("cannot connect to %s: %v", e.URL, e.Err)
	}
	if e.TLS() {
		return fmt.Sprintf("cannot connect to %s: TLS certificate verification failed: %v; check that sslrootcert (PostgreSQL) or tls-ca (MySQL) names the CA that signed the server's certificate and that the URL's host name is in that certificate; waiting will not help", e.URL, e.Err)
	}
	if e.Auth() {
		return fmt.Sprintf("cannot connect to %s: the server refused the login: %v; check the user name in the URL, the password (the URL's, --password-file, --password-command or STRATA_DB_PASSWORD, or the secret behind them) and that the user may connect to this database; waiting will not help", e.URL, e.Err)
	}
	return fmt.Sprintf("cannot connect to %s: %v; check that the database is running and the URL (--url, STRATA_DATABASE_URL or DATABASE_URL) is right", e.URL, e.Err)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// Auth reports whether the server refused the login (wrong password,
// unknown user, no access to the database): retrying will not help.
func (e *ConnectError) Auth() bool { return e.auth }

// TLS reports whether the connection failed because the server's (or the
// client's) certificate was rejected: retrying will not help.
func (e *ConnectError) TLS() bool { return certError(e.Err) }

// certError reports whether err is a certificate that did not verify.
func certError(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	if errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return true
	}
	// Drivers that flatten the TLS error into text.
	s := err.Error()
	return strings.Contains(s, "x509: ") || strings.Contains(s, "tls: failed to verify")
}

// Open parses url, opens the database and checks that it answers. On
// failure to connect it returns a *ConnectError. Errors never contain the
// password.
func Open(ctx context.Context, url string) (*sql.DB, dialect.Dialect, error) {
	t, err := Parse(url)
	if err != nil {
		return nil, nil, err
	}
	db, err := t.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	return db, t.Dialect, nil
}

// Open opens the target's database and pings it (see DB and Ping).
func (t *Target) Open(ctx context.Context) (*sql.DB, error) {
	db, err := t.DB()
	if err != nil {
		return nil, err
	}
	if err := t.Ping(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// DB opens the target's database without connecting. An in-memory SQLite
// database is limited to one connection, so every query sees it.
func (t *Target) DB() (*sql.DB, error) {
	if t.creds != nil {
		return t.openWithCredentials()
	}
	if t.pg != nil {
		return stdlib.OpenDB(*t.pg, stdlib.OptionBeforeConnect(t.beforeConnect)), nil
	}
	if t.my != nil {
		c, err := mysql.NewConnector(t.my)
		if err != nil {
			return nil, t.ScrubError(fmt.Errorf("open %s: %w", t.Redacted, err))
		}
		return sql.OpenDB(c), nil
	}
	db, err := sql.Open(t.Driver, t.DSN)
	if err != nil {
		return nil, t.ScrubError(fmt.Errorf("open %s: %w", t.Redacted, err))
	}
	if t.Memory {
		db.SetMaxOpenConns(1)
	}
	return db, nil
}

// Ping checks that the database answers. When it does not (and ctx is not
// done) it returns a *ConnectError.
func (t *Target) Ping(ctx context.Context, db *sql.DB) error {
	err := db.PingContext(ctx)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return t.ScrubError(fmt.Errorf("connect to %s: %w", t.Redacted, err))
	}
	if t.missingDatabase(err) {
		err = &MissingDatabaseError{Name: t.DatabaseName(), Err: err}
	}
	return t.connectError(err)
}

// beforeConnect is pgx's hook before each new connection: once a
// transaction-mode pooler was found (DetectPooler), no named prepared
// statements.
func (t *Target) beforeConnect(_ context.Context, cc *pgx.ConnConfig) error {
	if t.NoPreparedStatements() {
		cc.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	return nil
}

// connector returns the driver.Connector of a server target whose
// passwords come from t.creds: the one place new connections get them.
func (t *Target) connector() (driver.Connector, error) {
	var inner driver.Connector
	switch {
	case t.pg != nil:
		inner = stdlib.GetConnector(*t.pg, stdlib.OptionBeforeConnect(func(ctx context.Context, c *pgx.ConnConfig) error {
			if err := t.beforeConnect(ctx, c); err != nil {
				return err
			}
			pw, err := t.creds.password(ctx, t)
			c.Password = pw
			return err
		}))
	case t.my != nil:
		cfg := t.my.Clone()
		err := cfg.Apply(mysql.BeforeConnect(func(ctx context.Context, c *mysql.Config) error {
			pw, err := t.creds.password(ctx, t)
			c.Passwd = pw
			return err
		}))
		if err == nil {
			inner, err = mysql.NewConnector(cfg)
		}
		if err != nil {
			return nil, t.ScrubError(fmt.Errorf("open %s: %w", t.Redacted, err))
		}
	default:
		return nil, errors.New("connector: not a server target")
	}
	return &retryAuth{inner: inner, t: t}, nil
}
