package mysql

import (
	"context"

	"github.com/strata-db/strata/dialect"
)

// NowMillis reads the server's clock (dialect.Clock).
func (Dialect) NowMillis(ctx context.Context, q dialect.Execer) (int64, error) {
	var ms int64
	err := q.QueryRowContext(ctx, "SELECT CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)").Scan(&ms)
	return ms, err
}
