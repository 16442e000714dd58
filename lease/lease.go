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
}

// Lease is a held lease.
type Lease struct {
	db    *sql.DB
	d     dialect.Dialect
	q     string
	owner string
	stop  chan struct{}
	done  sync.WaitGroup
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
	l := &Lease{db: db, d: d, q: q, owner: ownerID(), stop: make(chan struct{})}
	host, _ := os.Hostname()
	p := d.Placeholder
	vanished := 0
	try := func(ctx context.Context) (bool, error) {
		now := time.Now()
		if _, err := db.ExecContext(ctx, "DELETE FROM "+q+" WHERE name = 'migrate' AND expires_ms < "+p(1), now.UnixMilli()); err != nil {
			return false, err
		}
		_, insErr := db.ExecContext(ctx, "INSERT INTO "+q+" (name, owner, host, pid, acquired_ms, expires_ms) VALUES ('migrate', "+
			p(1)+", "+p(2)+", "+p(3)+", "+p(4)+", "+p(5)+")", l.owner, host, os.Getpid(), now.UnixMilli(), now.Add(o.TTL).UnixMilli())
		if insErr == nil {
			return true, nil
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
		var owner, h string
		var pid, acquired, expires int64
		err := db.QueryRowContext(ctx, "SELECT owner, host, pid, acquired_ms, expires_ms FROM "+q+" WHERE name = 'migrate'").Scan(&owner, &h, &pid, &acquired, &expires)
		if err != nil {
			return ""
		}
		return fmt.Sprintf("lease %s: host %s, pid %d, since %s, expires %s", owner, h, pid,
			time.UnixMilli(acquired).UTC().Format(time.RFC3339), time.UnixMilli(expires).UTC().Format(time.RFC3339))
	}
	if err := dialect.PollLock(ctx, o.Timeout, try, holder, o.Waiting); err != nil {
		return nil, err
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
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), o.TTL/3)
		res, err := l.db.ExecContext(ctx, "UPDATE "+l.q+" SET expires_ms = "+l.d.Placeholder(1)+" WHERE name = 'migrate' AND owner = "+l.d.Placeholder(2),
			time.Now().Add(o.TTL).UnixMilli(), l.owner)
		cancel()
		if err != nil {
			continue // try again at the next tick; the lease has TTL to spare
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if o.Lost != nil {
				o.Lost(ErrLost)
			}
			return
		}
	}
}

// Release stops renewing and deletes the lease row if it is still ours.
func (l *Lease) Release(ctx context.Context) error {
	close(l.stop)
	l.done.Wait()
	_, err := l.db.ExecContext(ctx, "DELETE FROM "+l.q+" WHERE name = 'migrate' AND owner = "+l.d.Placeholder(1), l.owner)
	return err
}
