package config

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// ScratchPrefix starts the name of every database strata verify creates:
// strata_verify_<unix seconds>_<random>. The time in the name is how a
// later run knows a leftover's age (neither PostgreSQL nor MySQL records
// when a database was created).
const ScratchPrefix = "strata_verify_"

// Scratch is a throwaway database on the server of a Target.
type Scratch struct {
	// Target opens the scratch database.
	Target *Target
	// Name is the database name (the file path for SQLite).
	Name   string
	server *Target
}

// scratchName returns a new name for a scratch database created at now.
func scratchName(now time.Time) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return ScratchPrefix + strconv.FormatInt(now.Unix(), 10) + "_" + hex.EncodeToString(b[:])
}

// scratchAge returns how old a scratch database is from its name.
func scratchAge(name string, now time.Time) (time.Duration, bool) {
	rest, ok := strings.CutPrefix(filepath.Base(name), ScratchPrefix)
	if !ok {
		return 0, false
	}
	ts, _, _ := strings.Cut(rest, "_")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return 0, false
	}
	return now.Sub(time.Unix(sec, 0)), true
}

// NewScratch creates a fresh, randomly named database on the server of t,
// connecting to t's own database to do so; for SQLite it is a new file in
// the temporary folder. Drop it when done.
func NewScratch(ctx context.Context, server *Target) (*Scratch, error) {
	name := scratchName(time.Now())
	s := &Scratch{Name: name, server: server}
	st := *server
	switch {
	case server.pg != nil:
		cfg := server.pg.Copy()
		cfg.Database = name
		st.pg = cfg
	case server.my != nil:
		cfg := server.my.Clone()
		cfg.DBName = name
		st.my, st.DSN = cfg, cfg.FormatDSN()
	default:
		s.Name = filepath.Join(os.TempDir(), name+".db")
		st.DSN, st.Memory = "file:"+s.Name+"?"+sqlitePragmas, false
		st.Redacted = "sqlite:" + s.Name
		s.Target = &st
		return s, nil
	}
	st.Redacted = server.Redacted + " (scratch database " + name + ")"
	s.Target = &st
	dbs, ok := server.Dialect.(dialect.Databases)
	if !ok {
		return nil, fmt.Errorf("create scratch database %s on %s: the %s dialect cannot create databases", name, server.Redacted, server.Dialect.Name())
	}
	if err := server.admin(ctx, func(db *sql.DB) error {
		return dbs.CreateDatabase(ctx, db, name)
	}); err != nil {
		return nil, fmt.Errorf("create scratch database %s on %s: %w", name, server.Redacted, err)
	}
	return s, nil
}

// Drop removes the scratch database, disconnecting whoever still uses it.
// Call it with a context that is not cancelled.
func (s *Scratch) Drop(ctx context.Context) error {
	return s.server.dropScratch(ctx, s.Name)
}

// DropStale drops the scratch databases on t's server (or scratch files in
// the temporary folder for SQLite) older than age: those of verify runs
// that were killed before they could clean up. It returns their names.
func DropStale(ctx context.Context, t *Target, age time.Duration) ([]string, error) {
	var names []string
	switch dbs, ok := t.Dialect.(dialect.Databases); {
	case ok:
		err := t.admin(ctx, func(db *sql.DB) error {
			var err error
			names, err = dbs.ListDatabases(ctx, db, `strata\_verify\_%`)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list scratch databases on %s: %w", t.Redacted, err)
		}
	default:
		files, _ := filepath.Glob(filepath.Join(os.TempDir(), ScratchPrefix+"*.db"))
		names = files
	}
	now := time.Now()
	var dropped []string
	var errs []error
	for _, n := range names {
		if a, ok := scratchAge(n, now); !ok || a < age {
			continue
		}
		if err := t.dropScratch(ctx, n); err != nil {
			errs = append(errs, err)
			continue
		}
		dropped = append(dropped, n)
	}
	return dropped, errors.Join(errs...)
}

// dropScratch drops one scratch database by name.
func (t *Target) dropScratch(ctx context.Context, name string) error {
	dbs, ok := t.Dialect.(dialect.Databases)
	if !ok {
		var errs []error
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if err := os.Remove(name + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		locks, _ := filepath.Glob(name + ".*lock")
		for _, l := range locks {
			_ = os.Remove(l)
		}
		return errors.Join(errs...)
	}
	return t.admin(ctx, func(db *sql.DB) error {
		if err := dbs.DropDatabase(ctx, db, name); err != nil {
			return fmt.Errorf("drop scratch database %s: %w", name, err)
		}
		return nil
	})
}

// admin runs f on a connection to t's own database, or, on PostgreSQL when
// that does not exist, to the postgres database.
func (t *Target) admin(ctx context.Context, f func(db *sql.DB) error) error {
	db, err := t.DB()
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	err = db.PingContext(ctx)
	if err != nil && (t.pg != nil || t.my != nil) && t.missingDatabase(err) {
		db.Close()
		at := *t
		if t.pg != nil {
			at.pg = t.pg.Copy()
			at.pg.Database = "postgres"
		} else {
			at.my = t.my.Clone()
			at.my.DBName = ""
		}
		if db, err = at.DB(); err != nil {
			return err
		}
		defer db.Close()
		err = db.PingContext(ctx)
	}
	if err != nil {
		return t.connectError(err)
	}
	return t.ScrubError(f(db))
}
