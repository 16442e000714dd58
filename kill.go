package strata

import (
	"context"

	"github.com/strata-db/strata/dialect"
)

// armKill makes a cancelled run stop its statement on the server where the
// driver would only drop the connection (dialect.QueryKiller, MySQL): a
// statement the server finished after Ctrl-C would otherwise be applied
// while the history says it was not.
func (r *run) armKill(ctx context.Context) error {
	k, ok := r.m.d.(dialect.QueryKiller)
	if !ok {
		return nil
	}
	stop, err := k.KillOnCancel(ctx, r.m.db, r.conn)
	if err != nil {
		return err
	}
	r.unkill = stop
	return nil
}

// disarmKill ends the arrangement, once the run is over or its connection
// replaced.
func (r *run) disarmKill() {
	if r.unkill != nil {
		r.unkill()
		r.unkill = nil
	}
}
