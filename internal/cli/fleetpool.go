package cli

import (
	"context"
	"database/sql"
	"io"
	"sync"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/source"
)

// sharedServer is the one connection pool the targets of
// --targets-schemas share: they are schemas (or MySQL databases) of one
// server behind one URL, so instead of a pool per target, each connecting,
// pinging and probing for a pooler, the fleet connects once, probes once,
// and every target's Migrator takes connections from the same pool, set
// to its schema by its session SQL each time (strata.WithSharedPool).
type sharedServer struct {
	t    *config.Target
	idle int // connections kept open between targets: the fleet's --parallel and one for a lease

	once   sync.Once
	db     *sql.DB
	pooler dialect.Pooler
	err    error
}

// open connects (waiting with --wait) and probes for a pooler, once for
// every target.
func (s *sharedServer) open(ctx context.Context, a *app) (*sql.DB, dialect.Pooler, error) {
	s.once.Do(func() {
		db, err := s.t.DB()
		if err != nil {
			s.err = err
			return
		}
		// Every target's statements name its own schema, so a prepared
		// statement would serve one target only: send each query
		// unnamed, parsed and run in one round trip.
		s.t.UnnamedStatements()
		db.SetMaxIdleConns(s.idle)
		if err := a.connect(ctx, s.t, db); err != nil {
			db.Close()
			s.err = err
			return
		}
		p, err := s.t.DetectPooler(ctx, db)
		if err != nil {
			db.Close()
			s.err = err
			return
		}
		if p.Transaction() {
			a.logger().Info("connection pooler", "mode", p.Mode, "evidence", p.Evidence, "lock", a.lockModeBehindPooler())
		}
		s.db, s.pooler = db, p
	})
	return s.db, s.pooler, s.err
}

// migrator returns a Migrator for one target on the shared pool, with
// opts besides the command's, and nothing to close: the pool stays open
// for the next target until Close.
func (s *sharedServer) migrator(ctx context.Context, a *app, dir *source.Dir, opts ...strata.Option) (*strata.Migrator, io.Closer, error) {
	all, dir, err := a.targetOptions(s.t, dir, nil, opts...)
	if err != nil {
		return nil, nil, err
	}
	db, p, err := s.open(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	m, err := strata.NewFromDir(db, s.t.Dialect, dir, append(all, strata.WithPooler(p), strata.WithSharedPool(true))...)
	if err != nil {
		return nil, nil, err
	}
	return m, noClose{}, nil
}

// Close closes the shared pool, if it was opened.
func (s *sharedServer) Close() error {
	if s.db == nil {
		return nil
	}
	return s.db.Close()
}

// noClose is the closer of a target on a shared pool: nothing to close.
type noClose struct{}

func (noClose) Close() error { return nil }
