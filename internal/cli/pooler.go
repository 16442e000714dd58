package cli

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/doctor"
	"github.com/strata-db/strata/source"
)

// useDirect returns the target migrations run on: the --direct-url one when
// given (parsed, with the same password flags as --url), else t. Like
// Prisma's directUrl: --url may go through a transaction-mode pooler for
// the application; strata's lock, history and files then go straight to
// the server, since a file and its history row commit in one transaction
// on one session.
func (a *app) useDirect(ctx context.Context, t *config.Target) (*config.Target, error) {
	if a.directURL == "" {
		return t, nil
	}
	d, err := a.parseURL(a.directURL)
	if err != nil {
		return nil, usage(fmt.Errorf("--direct-url: %w", err))
	}
	if d.Dialect.Name() != t.Dialect.Name() {
		return nil, usage(fmt.Errorf("--direct-url is a %s URL but --url is %s: give the same database's address without the pooler", d.Dialect.Name(), t.Dialect.Name()))
	}
	a.direct = d
	a.logger().Info("direct database", "target", d.Redacted, "for", "the lock, the history and the migrations")
	if err := a.checkTLS(d); err != nil {
		return nil, err
	}
	if err := a.password(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// poolerAware looks for a transaction-mode pooler behind db (once per
// target) and returns the Migrator rebuilt from opts with what was found,
// so it does not probe again: behind a pooler it takes the lease lock
// (with --lock-mode=auto) and keeps session settings inside transactions,
// and new connections send no named prepared statements
// (config.Target.DetectPooler).
func (a *app) poolerAware(ctx context.Context, t *config.Target, db *sql.DB, dir *source.Dir, opts []strata.Option) (*strata.Migrator, error) {
	p, err := t.DetectPooler(ctx, db)
	if err != nil {
		return nil, err
	}
	if p.Transaction() {
		a.logger().Info("connection pooler", "mode", p.Mode, "evidence", p.Evidence, "lock", a.lockModeBehindPooler())
	}
	return strata.NewFromDir(db, t.Dialect, dir, append(opts, strata.WithPooler(p))...)
}

// lockModeBehindPooler says which lock a run takes behind a pooler.
func (a *app) lockModeBehindPooler() string {
	mode, _ := strata.ParseLockMode(a.lockMode)
	switch mode {
	case strata.LockSession:
		return "session (forced by --lock-mode=session: it does not exclude other runs behind this pooler)"
	case strata.LockLease:
		return "lease"
	}
	return "lease (auto)"
}

// poolerCheck is doctor's pooler line: what is behind t (db) and, with
// --direct-url, behind --url, and what strata does about it. It returns
// what was found behind t for the Migrator.
func (a *app) poolerCheck(ctx context.Context, t *config.Target, db *sql.DB, mode strata.LockMode) (doctor.Check, dialect.Pooler) {
	p, err := t.DetectPooler(ctx, db)
	if err != nil {
		return doctor.Check{Name: "pooler", Status: doctor.Fail, Detail: a.scrub(err.Error())}, p
	}
	f := doctor.PoolerFacts{Main: p, LockMode: string(mode), SessionSQL: len(a.sessionSQL) > 0}
	if a.direct != nil && t == a.direct {
		f.Direct, f.DirectPooler = true, p
		f.Main, err = a.probeURL(ctx, a.target)
		if err != nil {
			return doctor.Check{Name: "pooler", Status: doctor.Fail, Detail: "--url: " + a.scrub(err.Error())}, p
		}
	}
	c := doctor.Pooler(f)
	switch c.Hint {
	case "give the server's own address as the direct URL":
		c.Hint = "give the server's own address with --direct-url"
	case "use the auto (default) or lease lock mode, or a direct URL":
		c.Hint = "drop --lock-mode=session (auto, the default, takes the lease here), or give the server's own address with --direct-url"
	case "for files that need a session, give a direct URL to the server":
		c.Hint = "for files that need one session (a SET outside a transaction), give the server's own address with --direct-url; see docs/poolers.md"
	}
	return c, p
}

// probeURL connects to t and looks for a transaction-mode pooler there.
func (a *app) probeURL(ctx context.Context, t *config.Target) (dialect.Pooler, error) {
	db, err := t.DB()
	if err != nil {
		return dialect.Pooler{}, err
	}
	defer db.Close()
	if err := t.Ping(ctx, db); err != nil {
		return dialect.Pooler{}, err
	}
	return t.DetectPooler(ctx, db)
}
