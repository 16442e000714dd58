package testdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"
)

// Creating and dropping a PostgreSQL database is slow: on PostgreSQL 15
// CREATE DATABASE writes the template's files to the WAL and DROP DATABASE
// asks for an immediate checkpoint, which flushes every other test's dirty
// buffers too. So each test binary keeps a pool of its own PostgreSQL
// databases: a test takes one no other running test holds, and when the
// test ends the database is reset to the state of a fresh one and goes
// back to the pool; the pool's databases are dropped when the test binary
// ends. The pool belongs to Main, which every package that uses
// PostgreSQL databases runs its tests through; Postgres fails a test that
// runs without it, so a forgotten TestMain cannot leave databases behind.

// Main runs the package's tests with a pool of PostgreSQL databases and
// drops the pool's databases when they end. Every package whose tests use
// Postgres, New(t, "postgres"), Many or ForEach must have a TestMain
// that calls it:
//
//	func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }
//
// It returns m.Run's exit code, or 1 when the tests passed but a database
// could not be dropped.
func Main(m *testing.M) int {
	p := newPool(env("STRATA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"))
	running.set(p)
	code := m.Run()
	running.set(nil)
	p.pending.Wait()
	if testing.Verbose() {
		p.mu.Lock()
		fmt.Fprintf(os.Stderr, "testdb: PostgreSQL pool: %d databases created, %d handed out again after a reset, %d dropped after a failed reset\n", p.created, p.reused, p.failed)
		p.mu.Unlock()
	}
	if err := p.close(); err != nil {
		fmt.Fprintf(os.Stderr, "testdb: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// running is the pool of the Main running this test binary's tests. It is
// the one package-level variable of testdb: tests reach their databases
// through testdb.Postgres(t), not through a value handed to each test, and
// Main sets and clears it around m.Run.
var running poolRef

type poolRef struct {
	mu sync.Mutex
	p  *pool
}

func (r *poolRef) set(p *pool) {
	r.mu.Lock()
	r.p = p
	r.mu.Unlock()
}

func (r *poolRef) get() *pool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.p
}

// pool holds one test binary's PostgreSQL databases.
type pool struct {
	admin string // the URL of the server's maintenance database

	mu     sync.Mutex
	db     *sql.DB         // opened on first use
	idle   []string        // reset databases no test holds
	owned  map[string]bool // every database created and not yet dropped
	fresh  string          // the fingerprint of a fresh database, taken once
	public string          // the statements that recreate its public schema

	created, reused, failed int // for Main's summary under -v

	pending   sync.WaitGroup // releases under way
	resetting int            // how many of them are still resetting
	waiting   int            // takers waiting for one of those
	returned  *sync.Cond     // signalled (on mu) when a reset ends
	late      []error        // drops that failed in a release

	// id is in the name of every database of the pool. The pool keeps a
	// session named after it open (alive) while the binary runs: a pool
	// whose session is gone belongs to a binary that died without
	// dropping its databases (a test timeout's panic, a kill), and the
	// next pool sweeps them.
	id    string
	alive *sql.DB
	swept sync.WaitGroup
}

func newPool(admin string) *pool {
	p := &pool{admin: admin, owned: map[string]bool{}, id: randomHex(3)}
	p.returned = sync.NewCond(&p.mu)
	return p
}

// adminDB returns the pool's connection pool to the maintenance database.
func (p *pool) adminDB() (*sql.DB, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.db == nil {
		db, err := sql.Open("pgx", p.admin)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", redact(p.admin), err)
		}
		p.db = db
	}
	return p.db, nil
}

// take returns a database no other test holds: an idle one, or a new one.
// unreachable is true when the error is that the server cannot be reached.
func (p *pool) take(ctx context.Context) (name string, unreachable bool, err error) {
	p.mu.Lock()
	// A database being reset will soon be idle: waiting for it is about as
	// quick as creating one, and spares a DROP DATABASE at the end. Each
	// reset under way is waited for by one taker at most.
	for len(p.idle) == 0 && p.resetting > p.waiting {
		p.waiting++
		p.returned.Wait()
		p.waiting--
	}
	if n := len(p.idle); n > 0 {
		name = p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.reused++
		p.mu.Unlock()
		return name, false, nil
	}
	p.mu.Unlock()
	db, err := p.adminDB()
	if err != nil {
		return "", false, err
	}
	if err := db.PingContext(ctx); err != nil {
		return "", true, err
	}
	if err := p.announce(ctx); err != nil {
		return "", false, err
	}
	name = "strata_test_" + p.id + "_" + randomHex(3)
	if _, err := db.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		return "", false, fmt.Errorf("create database %s: %w", name, err)
	}
	p.mu.Lock()
	p.owned[name] = true
	p.created++
	need := p.fresh == ""
	p.mu.Unlock()
	if need {
		// The first database is fresh: its fingerprint is what every reset
		// database must match.
		fp, public, err := p.inspect(ctx, name)
		if err != nil {
			return "", false, errors.Join(err, p.drop(name))
		}
		p.mu.Lock()
		if p.fresh == "" {
			p.fresh, p.public = fp, public
		}
		p.mu.Unlock()
	}
	return name, false, nil
}

// give takes back a database whose test has ended: reset, it goes back to
// the pool; when it cannot be reset it is dropped. The returned error is
// only a failed drop; why the reset failed is in reason. settled runs
// under p.mu as soon as the reset's outcome is known, before any drop.
func (p *pool) give(name string, settled func()) (reason, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), resetTimeout)
	defer cancel()
	reason = p.reset(ctx, name)
	p.mu.Lock()
	if reason == nil {
		p.idle = append(p.idle, name)
	} else {
		p.failed++
	}
	settled()
	p.mu.Unlock()
	if reason == nil {
		return nil, nil
	}
	return reason, p.drop(name)
}

// release gives a database back in the background, so that the test that
// held it ends without waiting for the reset. Why a reset failed is
// printed under -v; a failed drop fails the run when Main closes the pool.
func (p *pool) release(name string) {
	p.pending.Add(1)
	p.mu.Lock()
	p.resetting++
	p.mu.Unlock()
	go func() {
		defer p.pending.Done()
		reason, err := p.give(name, func() {
			p.resetting--
			p.returned.Broadcast()
		})
		if reason != nil && testing.Verbose() {
			fmt.Fprintf(os.Stderr, "testdb: %s dropped instead of reused: %v\n", name, reason)
		}
		if err != nil {
			p.mu.Lock()
			p.late = append(p.late, err)
			p.mu.Unlock()
		}
	}()
}

// resetTimeout bounds resetting a database for the next test.
const resetTimeout = time.Minute

// drop drops a database of the pool and forgets it.
func (p *pool) drop(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
	defer cancel()
	db, err := p.adminDB()
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	p.mu.Lock()
	delete(p.owned, name)
	p.mu.Unlock()
	return nil
}

// close drops every database the pool created, all at once: concurrent
// DROP DATABASEs share their checkpoints.
func (p *pool) close() error {
	p.pending.Wait()
	p.swept.Wait()
	p.mu.Lock()
	errs := p.late
	var names []string
	for name := range p.owned {
		names = append(names, name)
	}
	p.idle = nil
	p.mu.Unlock()
	dropped := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dropped[i] = p.drop(name)
		}()
	}
	wg.Wait()
	errs = append(errs, dropped...)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.db != nil {
		errs = append(errs, p.db.Close())
	}
	if p.alive != nil {
		errs = append(errs, p.alive.Close())
	}
	return errors.Join(errs...)
}

// appName is the application_name of the session that says pool id lives.
const appName = "strata-testdb-pool-"

// announce opens the pool's session, once, before the pool's first
// database is created, and starts sweeping the databases of dead pools.
func (p *pool) announce(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.alive != nil {
		return nil
	}
	u, err := url.Parse(p.admin)
	if err != nil {
		return fmt.Errorf("parse STRATA_TEST_POSTGRES_URL: %w", err)
	}
	q := u.Query()
	q.Set("application_name", appName+p.id)
	u.RawQuery = q.Encode()
	alive, err := sql.Open("pgx", u.String())
	if err != nil {
		return fmt.Errorf("open %s: %w", redact(u.String()), err)
	}
	alive.SetMaxIdleConns(1)
	alive.SetMaxOpenConns(1)
	alive.SetConnMaxIdleTime(0)
	alive.SetConnMaxLifetime(0)
	if err := alive.PingContext(ctx); err != nil {
		alive.Close()
		return fmt.Errorf("open the pool's session: %w", err)
	}
	p.alive = alive
	p.swept.Add(1)
	go func() {
		defer p.swept.Done()
		p.sweep()
	}()
	return nil
}

// sweep drops the databases of pools whose session is gone. Its errors
// only mean something is left for the next sweep.
func (p *pool) sweep() {
	ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
	defer cancel()
	db, err := p.adminDB()
	if err != nil {
		return
	}
	rows, err := db.QueryContext(ctx, `
SELECT d.datname FROM pg_database d
WHERE d.datname ~ '^strata_test_[0-9a-f]{6}_[0-9a-f]{6}$'
AND NOT EXISTS (SELECT FROM pg_stat_activity a WHERE a.application_name = $1 || substr(d.datname, 13, 6))`, appName)
	if err != nil {
		return
	}
	var dead []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) == nil {
			dead = append(dead, name)
		}
	}
	rows.Close()
	var wg sync.WaitGroup
	for _, name := range dead {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = db.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
		}()
	}
	wg.Wait()
}

// redact hides the password of a URL.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
