package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.QueryKiller = Dialect{}

// KillOnCancel sends KILL QUERY for conn's thread when ctx is cancelled:
// the driver only closes the connection, and the server would otherwise
// finish (and commit) the running statement after strata has recorded it
// as not done.
func (Dialect) KillOnCancel(ctx context.Context, db *sql.DB, conn *sql.Conn) (func(), error) {
	var id int64
	if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		return nil, fmt.Errorf("read connection id: %w", err)
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-done:
		case <-ctx.Done():
			kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_, _ = db.ExecContext(kctx, fmt.Sprintf("KILL QUERY %d", id))
		}
	}()
	return func() {
		select {
		case <-done:
		default:
			close(done)
		}
		<-finished
	}, nil
}
