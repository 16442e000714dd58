// Package lease is a migration lock for setups where session-level locks do
// not hold, such as PgBouncer in transaction mode: a row in a lock table
// with an owner and an expiry, renewed while the run lives and taken over by
// another runner only after it expires. It works the same on every dialect.
package lease

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/strata-db/strata/dialect"
)

// DefaultTTL is how long a lease lasts without renewal.
const DefaultTTL = 30 * time.Second

// ErrLost is the cause given to the run's context when the lease could not
// be renewed (another runner took it over after it expired, or the
// database became unreachable for longer than the lease).
var ErrLost = errors.New("the migration lease was lost: another runner may have taken it over; check the history before running again")

// Table returns the lock table for history table t.
func Table(t dialect.Table) dialect.Table {
	return dialect.Table{Schema: t.Schema, Name: t.Name + "_lock"}
}

// Options configure Acquire.
type Options struct {
	TTL     time.Duration // lease length; DefaultTTL when 0
	Timeout time.Duration // how long to wait; 0 waits until ctx is done
	Waiting func(holder string)
	// Lost is called (once) when a renewal fails to find the lease still
	// ours; the caller should cancel its work.
	Lost func(error)
	// Exclude, when set, is asked right after the lease row is written
	// whether a run of the other lock mode is live; a non-empty holder
	// makes Acquire give the lease back and wait as if it were held.
	Exclude func(ctx context.Context) (holder string, err error)
}

// Lease is a held lease.
type Lease struct {
	db    *sql.DB
	d     dialect.Dialect
	q     string
	now   string // the database's clock in milliseconds, as SQL
	ttl   time.Duration
	owner string
	stop  chan struct{}
	done  sync.WaitGroup

	mu         sync.Mutex // guards the fields below
	validUntil time.Time  // on this host's monotonic clock: the lease is ours at least until then
	lostErr    error
	lost       chan struct{}
	onLost     func(error)
}

// Acquire takes the lease for history table t, waiting until it is free or
// expired.
func Acquire(ctx context.Context, db *sql.DB, d dialect.Dialect, t dialect.Table, o Options) (*Lease, error) {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	lt := Table(t)
	q := d.QuoteTable(lt)
	if err := ensure(ctx, db, d, lt, q); err != nil {
		return nil, err
	}
	clock, ok := d.(dialect.Clock)
	if !ok {
		return nil, fmt.Errorf("lease mode needs the database's clock, which the %s dialect cannot read", d.Name())
	}
	now := clock.NowMS()
	l := &Lease{db: db, d: d, q: q, now: now, ttl: o.TTL, owner: ownerID(), stop: make(chan struct{}), lost: make(chan struct{}), onLost: o.Lost}
	host, _ := os.Hostname()
	p := d.Placeholder
	vanished := 0
	excluded := ""
	try := func(ctx context.Context) (bool, error) {
		// Expiry is decided by the database's clock alone: a host whose
		// clock is off writes and reads the same expiry as every other.
		if _, err := db.ExecContext(ctx, "DELETE FROM "+q+" WHERE name = 'migrate' AND expires_ms < "+now); err != nil {
			return false, err
		}
		sent := time.Now()
		_, insErr := db.ExecContext(ctx, "INSERT INTO "+q+" (name, owner, host, pid, acquired_ms, expires_ms) VALUES ('migrate', "+
			p(1)+", "+p(2)+", "+p(3)+", "+now+", "+now+" + "+p(4)+")", l.owner, host, os.Getpid(), o.TTL.Milliseconds())
		if insErr == nil {
			l.valid(sent)
			if o.Exclude == nil {
				return true, nil
			}
			h, err := o.Exclude(ctx)
			if err == nil && h == "" {
				excluded = ""
				return true, nil
			}
			excluded = h
			_, derr := db.ExecContext(context.WithoutCancel(ctx), "DELETE FROM "+q+" WHERE name = 'migrate' AND owner = "+p(1), l.owner)
			return false, errors.Join(err, derr)
		}
		// The insert failed: most likely someone holds the lease. Make
		// sure the row exists; if it is gone, its holder may just have
		// released it, but when that keeps happening the error is real.
		var owner string
		err := db.QueryRowContext(ctx, "SELECT owner FROM "+q+" WHERE name = 'migrate'").Scan(&owner)
		if errors.Is(err, sql.ErrNoRows) {
			if vanished++; vanished >= 5 {
				return false, insErr
			}
			return false, nil
		}
		vanished = 0
		return owner == l.owner, err
	}
	holder := func(ctx context.Context) string {
		if excluded != "" {
			return excluded
		}
		return describe(ctx, db, q, now)
	}
	if err := dialect.PollLock(ctx, o.Timeout, try, holder, o.Waiting); err != nil {
		return nil, err
	}
	if excluded != "" {
		return nil, fmt.Errorf("take the migration lease: %s", excluded)
	}
	l.done.Add(1)
	go l.renew(o)
	return l, nil
}

func ensure(ctx context.Context, db *sql.DB, d dialect.Dialect, lt dialect.Table, q string) error {
	ok, err := d.TableExists(ctx, db, lt)
	if err != nil || ok {
		return err
	}
	_, err = db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+q+` (
	name        varchar(64)  NOT NULL PRIMARY KEY,
	owner       varchar(64)  NOT NULL,
	host        varchar(255) NOT NULL,
	pid         bigint       NOT NULL,
	acquired_ms bigint       NOT NULL,
	expires_ms  bigint       NOT NULL
)`)
	if err != nil {
		// Two runners may create it at once; the loser sees an error
		// although the table now exists.
		if ok, err2 := d.TableExists(ctx, db, lt); err2 == nil && ok {
			return nil
		}
		return fmt.Errorf("create lease table %s: %w", lt, err)
	}
	return nil
}

func ownerID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (l *Lease) renew(o Options) {
	defer l.done.Done()
	t := time.NewTicker(o.TTL / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-l.lost:
			return
		case <-t.C:
		}
		// A renewal is worth waiting for as long as it could still
		// extend the lease (valid): giving up sooner gains nothing and
		// has the driver send a cancel request, which some poolers
		// (PgBouncer 1.18) mishandle when the server session behind it
		// is being replaced.
		ctx, cancel := context.WithTimeout(context.Background(), o.TTL-o.TTL/10)
		err := l.renewNow(ctx)
		cancel()
		if errors.Is(err, ErrLost) {
			return
		}
		// Any other error: try again at the next tick; Check refuses to
		// send anything once the lease may have expired.
	}
}

// renewNow extends the lease by its TTL from the database's clock, if the
// row is still ours. A row that is still ours is ours even when it has
// expired: another runner takes a lease over only by deleting its row.
func (l *Lease) renewNow(ctx context.Context) error {
	sent := time.Now()
	res, err := l.db.ExecContext(ctx, "UPDATE "+l.q+" SET expires_ms = "+l.now+" + "+l.d.Placeholder(1)+" WHERE name = 'migrate' AND owner = "+l.d.Placeholder(2),
		l.ttl.Milliseconds(), l.owner)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		l.lose("another runner took it over after it expired (this run was stopped, or could not renew it, for longer than the lease TTL " + l.ttl.String() + ")")
		return ErrLost
	}
	l.valid(sent)
	return nil
}

// valid notes that the lease, extended by a statement sent at sent, is
// ours until at least sent+TTL on this host's monotonic clock, less a
// margin for clocks that tick at slightly different rates. Durations, not
// times of day, so a host clock set wrong does not matter.
func (l *Lease) valid(sent time.Time) {
	l.mu.Lock()
	l.validUntil = sent.Add(l.ttl - l.ttl/10)
	l.mu.Unlock()
}

func (l *Lease) lose(reason string) {
	l.mu.Lock()
	if l.lostErr != nil {
		l.mu.Unlock()
		return
	}
	l.lostErr = &dialect.LockLostError{Lock: "lease " + l.owner + " in " + l.q, Reason: reason}
	close(l.lost)
	f := l.onLost
	l.mu.Unlock()
	if f != nil {
		f(l.lostErr)
	}
}

// Lost is closed when the lease was found lost.
func (l *Lease) Lost() <-chan struct{} { return l.lost }

// Err returns the *dialect.LockLostError once Lost is closed.
func (l *Lease) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lostErr
}

// Check confirms the lease is still ours before strata sends a statement:
// at once when the last renewal was recent enough, otherwise by renewing
// it now (after this process was stopped, say). It returns the
// *dialect.LockLostError when the lease is gone.
func (l *Lease) Check(ctx context.Context) error {
	l.mu.Lock()
	err, until := l.lostErr, l.validUntil
	l.mu.Unlock()
	if err != nil {
		return err
	}
	if time.Now().Before(until) {
		return nil
	}
	if err := l.renewNow(ctx); err != nil {
		if errors.Is(err, ErrLost) {
			return l.Err()
		}
		return fmt.Errorf("confirm the migration lease: %w", err)
	}
	return nil
}

// Fence is true while the lease row is ours and unexpired by the
// database's clock.
func (l *Lease) Fence() string {
	return "EXISTS (SELECT 1 FROM " + l.q + " WHERE name = 'migrate' AND owner = '" + l.owner + "' AND expires_ms > " + l.now + ")"
}

// Live describes the live lease on history table t, or "" when there is
// none (no row, or an expired one). It takes nothing.
func Live(ctx context.Context, db dialect.Execer, d dialect.Dialect, t dialect.Table) (string, error) {
	clock, ok := d.(dialect.Clock)
	if !ok {
		return "", nil
	}
	lt := Table(t)
	exists, err := d.TableExists(ctx, db, lt)
	if err != nil || !exists {
		return "", err
	}
	q := d.QuoteTable(lt)
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+q+" WHERE name = 'migrate' AND expires_ms >= "+clock.NowMS()).Scan(&n); err != nil {
		return "", fmt.Errorf("check the migration lease: %w", err)
	}
	if n == 0 {
		return "", nil
	}
	if h := describe(ctx, db, q, clock.NowMS()); h != "" {
		return h, nil
	}
	return "a lease in " + q, nil
}

// describe names the lease holder, with times from the database's clock.
func describe(ctx context.Context, db dialect.Execer, q, now string) string {
	var owner, h string
	var pid, acquired, expires, dbNow int64
	err := db.QueryRowContext(ctx, "SELECT owner, host, pid, acquired_ms, expires_ms, "+now+" FROM "+q+" WHERE name = 'migrate'").Scan(&owner, &h, &pid, &acquired, &expires, &dbNow)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("lease %s: host %s, pid %d, since %s, expires %s (in %s by the database's clock)", owner, h, pid,
		time.UnixMilli(acquired).UTC().Format(time.RFC3339), time.UnixMilli(expires).UTC().Format(time.RFC3339),
		time.Duration(expires-dbNow)*time.Millisecond)
}

// Release stops renewing and deletes the lease row if it is still ours.
func (l *Lease) Release(ctx context.Context) error {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.done.Wait()
	_, err := l.db.ExecContext(ctx, "DELETE FROM "+l.q+" WHERE name = 'migrate' AND owner = "+l.d.Placeholder(1), l.owner)
	return err
}
