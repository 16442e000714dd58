package cli

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
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
	d, err := config.Parse(a.directURL)
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
