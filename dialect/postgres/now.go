package postgres

import (
	"context"

	"github.com/strata-db/strata/dialect"
)

// NowMillis reads the server's clock (dialect.Clock).
func (Dialect) NowMillis(ctx context.Context, q dialect.Execer) (int64, error) {
	var ms int64
	err := q.QueryRowContext(ctx, "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint").Scan(&ms)
	return ms, err
}
