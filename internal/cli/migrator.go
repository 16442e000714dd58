package cli

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/source"
)

// openDB is an open database and a Migrator for the migrations folder.
type openDB struct {
	db *sql.DB
	m  *strata.Migrator
}

func (s *openDB) Close() error { return s.db.Close() }

// open resolves the URL, checks the folder and options, connects, and loads
// the migrations. Mistakes in the configuration are usage errors; a
// database that does not answer is a *config.ConnectError.
func (a *app) open(ctx context.Context, observe func(strata.Event), extra ...strata.Option) (*openDB, error) {
	t, err := a.resolveTarget(ctx)
	if err != nil {
		return nil, err
	}
	return a.openTarget(ctx, t, nil, observe, extra...)
}

// loadDir loads the migrations folder, with the checksum cache
// --checksum-cache names; a folder without migration files is an error
// unless --allow-empty.
func (a *app) loadDir() (*source.Dir, error) {
	load, err := a.loadOptions()
	if err != nil {
		return nil, err
	}
	load.AllowEmpty = a.allowEmpty
	load.PostDeployDir = a.postDir
	dir, err := source.LoadWith(source.DirFS(a.path(a.dir)), load)
	if err != nil {
		return nil, a.explainFolder(err)
	}
	return dir, nil
}

// openTarget is open for a target already resolved, with the folder dir
// when it is already loaded (nil: load it). It only reads the app's flags,
// so a fleet calls it for many targets at once, all with one dir.
func (a *app) openTarget(ctx context.Context, t *config.Target, dir *source.Dir, observe func(strata.Event), extra ...strata.Option) (*openDB, error) {
	opts, dir, err := a.targetOptions(t, dir, observe, extra...)
	if err != nil {
		return nil, err
	}
	db, err := t.DB()
	if err != nil {
		return nil, err
	}
	// Options are checked before connecting; the Migrator is built again
	// below with what is found behind the connection.
	if _, err := strata.NewFromDir(db, t.Dialect, dir, opts...); err != nil {
		db.Close()
		return nil, err
	}
	if err := a.connect(ctx, t, db); err != nil {
		db.Close()
		return nil, err
	}
	m, err := a.poolerAware(ctx, t, db, dir, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &openDB{db: db, m: m}, nil
}

// targetOptions checks the flags a Migrator for t is built from and
// returns its options (extra last) and the folder: dir, or the folder
// loaded now when dir is nil.
func (a *app) targetOptions(t *config.Target, dir *source.Dir, observe func(strata.Event), extra ...strata.Option) ([]strata.Option, *source.Dir, error) {
	if err := a.dirExists(); err != nil {
		return nil, nil, err
	}
	mode, err := strata.ParseTxMode(a.tx)
	if err != nil {
		return nil, nil, usage(fmt.Errorf("--tx: %w", err))
	}
	lockMode, err := strata.ParseLockMode(a.lockMode)
	if err != nil {
		return nil, nil, usage(fmt.Errorf("--lock-mode: %w", err))
	}
	if a.leaseTTL < time.Second {
		return nil, nil, usage(fmt.Errorf("--lease-ttl %s is too short: give at least 1s (the lease is renewed every third of it)", a.leaseTTL))
	}
	if a.set.readOnly {
		// The implicit default (announced as such) may not exist yet: it
		// reads as empty. A URL that was given must name a file.
		implicit := t == a.target && a.set.urlSource.Kind == config.FromDefault
		if err := t.ReadOnly(implicit); err != nil {
			return nil, nil, usage(err)
		}
	}
	opts := []strata.Option{
		strata.WithTable(a.table),
		strata.WithSessionSQL(a.sessionSQL...),
		strata.WithTxMode(mode),
		strata.WithLockTimeout(a.lockTimeout),
		strata.WithLockMode(lockMode),
		strata.WithLeaseTTL(a.leaseTTL),
		strata.WithClockSkew(a.clockSkew),
		strata.WithSourceName(a.dir),
		strata.WithVersion(buildVersion().Version),
		strata.WithFailIfAhead(a.failIfAhead),
		strata.WithAllowDrift(a.allowDrift),
	}
	var obs func(strata.Event)
	if observe != nil {
		obs = a.observe(observe)
	}
	if obs = a.withTelemetry(obs); obs != nil {
		opts = append(opts, strata.WithObserver(obs))
	}
	if a.keepWriting != "" {
		w, err := keepWriter(a.keepWriting, a.keepFrom, a.path(a.keepFrom), t)
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, strata.WithKeepWriting(w))
	}
	safe, err := a.safe.options()
	if err != nil {
		return nil, nil, err
	}
	opts = append(opts, safe...)
	opts = append(opts, extra...)
	if dir == nil {
		if dir, err = a.loadDir(); err != nil {
			return nil, nil, err
		}
	}
	return opts, dir, nil
}

// aheadVersions lists the versions a database is ahead of the folder by
// (never nil, for JSON).
func aheadVersions(vs []source.Version) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.String())
	}
	return out
}

// aheadDetail says how far the database is ahead of the folder whose
// newest file is head ("" when it is not).
func aheadDetail(head source.Version, ahead []source.Version) string {
	st := strata.Status{Head: head, Ahead: ahead}
	return st.AheadDetail()
}
