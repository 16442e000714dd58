package mysql

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/strata-db/strata/dialect"
)

// DDLLockTimeout sets the session's lock_wait_timeout (metadata locks, which
// DDL waits for) and innodb_lock_wait_timeout (row locks), in whole seconds
// (at least 1), and restores both after the file. MySQL has no setting that
// ends with a transaction, so inTx makes no difference.
func (Dialect) DDLLockTimeout(ctx context.Context, q dialect.Execer, timeout time.Duration, _ bool) (set, restore []string, err error) {
	secs := max(int64((timeout+time.Second-1)/time.Second), 1)
	var lw, ilw int64
	if err := q.QueryRowContext(ctx, "SELECT @@SESSION.lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout").Scan(&lw, &ilw); err != nil {
		return nil, nil, fmt.Errorf("read lock_wait_timeout: %w", err)
	}
	set = []string{fmt.Sprintf("SET SESSION lock_wait_timeout = %d, innodb_lock_wait_timeout = %d", secs, secs)}
	restore = []string{fmt.Sprintf("SET SESSION lock_wait_timeout = %d, innodb_lock_wait_timeout = %d", lw, ilw)}
	return set, restore, nil
}

// Retryable reports ER_LOCK_WAIT_TIMEOUT (1205) and ER_LOCK_DEADLOCK (1213).
func (Dialect) Retryable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1205 || me.Number == 1213)
}

// Objects lists the tables, views, routines, triggers and events of the
// current database.
func (Dialect) Objects(ctx context.Context, q dialect.Execer) ([]string, error) {
	return dialect.QueryStrings(ctx, q, `
SELECT CONCAT(IF(table_type = 'VIEW', 'view ', 'table '), table_name) FROM information_schema.tables WHERE table_schema = DATABASE()
UNION ALL
SELECT CONCAT(LOWER(routine_type), ' ', routine_name) FROM information_schema.routines WHERE routine_schema = DATABASE()
UNION ALL
SELECT CONCAT('trigger ', trigger_name) FROM information_schema.triggers WHERE trigger_schema = DATABASE()
UNION ALL
SELECT CONCAT('event ', event_name) FROM information_schema.events WHERE event_schema = DATABASE()
ORDER BY 1`)
}
