package mysql

import (
	"time"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.TimeText = Dialect{}

// TimeArg writes t as the text of its UTC wall clock: a time.Time argument
// would be converted to the connection's loc by the driver.
func (Dialect) TimeArg(t time.Time) any { return t.UTC().Format("2006-01-02 15:04:05.000000") }

// SelectTime reads col as text: with parseTime the driver would read a
// DATETIME as a time in the connection's loc, and without it as bytes.
func (Dialect) SelectTime(col string) string {
	return "DATE_FORMAT(" + col + ", '%Y-%m-%d %H:%i:%s.%f')"
}
