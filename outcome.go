package strata

import (
	"context"
	"errors"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
)

// recordTimeout bounds how long recording a failed file's outcome may take
// once the run is over (Ctrl-C, a dead connection).
const recordTimeout = 10 * time.Second

// recordSomehow runs write, which records the outcome of a file that
// failed outside a transaction, on the work connection or, when that one
// died (cut by the server, or closed by the driver on Ctrl-C), on a fresh
// one from the pool, so the row says partial or failed rather than
// running. It runs even when ctx is cancelled, within recordTimeout. write
// gets the history store to write through, fenced with the run's lock as
// seen from the connection it runs on; a write the fence refused
// (history.ErrFenced: the lock was lost) is not tried again elsewhere.
// write must be safe to run twice (the first attempt may have
// half-happened on the dead connection).
func (r *run) recordSomehow(ctx context.Context, write func(ctx context.Context, st *history.Store, ex dialect.Execer) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err := write(ctx, r.store, r.conn)
	if err == nil || errors.Is(err, history.ErrFenced) {
		return err
	}
	away := r.m.store.FencedRunning("")
	if r.lock != nil {
		away = r.m.store.FencedRunning(r.lock.away)
	}
	if err2 := write(ctx, away, r.m.db); err2 != nil {
		return errors.Join(err, err2)
	}
	return nil
}
