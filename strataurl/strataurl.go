// Package strataurl opens a database URL the way the strata command does
// and returns a Migrator for it, in one call:
//
//	m, err := strataurl.Open(ctx, os.Getenv("DATABASE_URL"), migrationsFS)
//	if err != nil {
//		return err
//	}
//	defer m.Close()
//	_, err = m.Up(ctx, strata.PlanOptions{})
//
// The URL forms and parameters are those of the command (docs/urls.md):
// postgres:// (or postgresql://), mysql:// (or mariadb://, and the
// golang-migrate form mysql://user:pass@tcp(host:3306)/db), and sqlite:
// (sqlite:path, sqlite:///abs/path, sqlite::memory:). The driver settings
// are the command's too: on MySQL multi-statement queries (a small file and
// its history row in one round trip), parameters interpolated, times in
// UTC; on PostgreSQL a cancelled statement is cancelled on the server, and
// behind a transaction-mode pooler such as PgBouncer (found by probing, see
// docs/poolers.md) no named prepared statement is sent. All
// three drivers are linked into a program that imports this package; use
// strata.New with a database you open yourself to link only one.
package strataurl

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
)

// Migrator is a strata.Migrator that owns the database it was opened on.
// Every method of strata.Migrator is available on it; Close closes the
// database when the program is done with it.
type Migrator struct {
	*strata.Migrator
	db       *sql.DB
	redacted string
}

// Open parses url, opens the database as the strata command does, checks
// that it answers, loads the migrations in fsys and returns a Migrator
// (see strata.New for fsys and opts). An empty url means sqlite:strata.db,
// as for the command. Errors name the URL in its redacted form: they never
// contain the password.
func Open(ctx context.Context, url string, fsys fs.FS, opts ...strata.Option) (*Migrator, error) {
	t, err := config.Parse(url)
	if err != nil {
		return nil, err
	}
	db, err := t.Open(ctx)
	if err != nil {
		return nil, err
	}
	// Behind a transaction-mode pooler, new connections stop using named
	// prepared statements; the Migrator is told what was found.
	p, err := t.DetectPooler(ctx, db)
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	opts = append([]strata.Option{strata.WithPooler(p)}, opts...)
	m, err := strata.New(db, t.Dialect, fsys, opts...)
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return &Migrator{Migrator: m, db: db, redacted: t.Redacted}, nil
}

// DB returns the database the Migrator opened, for the program's own use
// until Close.
func (m *Migrator) DB() *sql.DB { return m.db }

// Redacted returns the URL with its password replaced by xxxxx, the form
// to print or log.
func (m *Migrator) Redacted() string { return m.redacted }

// Close closes the database. The Migrator must not be used after it.
func (m *Migrator) Close() error { return m.db.Close() }
