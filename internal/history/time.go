package history

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// timeArg returns the argument that stores t in a timestamp column, in UTC
// whatever the connection's settings (dialect.TimeText).
func (s *Store) timeArg(t time.Time) any {
	if tt, ok := s.d.(dialect.TimeText); ok {
		return tt.TimeArg(t.UTC())
	}
	return t.UTC()
}

// nullTimeArg is timeArg for a column that may be NULL.
func (s *Store) nullTimeArg(t sql.NullTime) any {
	if !t.Valid {
		return nil
	}
	return s.timeArg(t.Time)
}

// selectList returns cols (comma-separated) for a SELECT, with each
// timestamp column among them read through the dialect's SelectTime.
func selectList(d dialect.Dialect, cols string, times ...string) string {
	tt, ok := d.(dialect.TimeText)
	if !ok {
		return cols
	}
	names := strings.Split(cols, ", ")
	for i, n := range names {
		for _, t := range times {
			if n == t {
				names[i] = tt.SelectTime(n)
			}
		}
	}
	return strings.Join(names, ", ")
}

// anyTime scans a timestamp however the driver gives it: a time.Time, or
// text of a UTC time (a dialect.TimeText column, or a driver that returns
// text such as go-sql-driver/mysql without parseTime).
type anyTime struct{ sql.NullTime }

// textLayouts are the forms of a timestamp as text, tried in order; times
// without an offset are UTC.
var textLayouts = [...]string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	time.RFC3339Nano,
}

// Scan implements sql.Scanner.
func (a *anyTime) Scan(v any) error {
	var text string
	switch x := v.(type) {
	case nil:
		a.NullTime = sql.NullTime{}
		return nil
	case time.Time:
		a.NullTime = sql.NullTime{Time: x, Valid: true}
		return nil
	case []byte:
		text = string(x)
	case string:
		text = x
	default:
		return fmt.Errorf("cannot read a %T as a time", v)
	}
	for _, layout := range textLayouts {
		if t, err := time.ParseInLocation(layout, text, time.UTC); err == nil {
			a.NullTime = sql.NullTime{Time: t, Valid: true}
			return nil
		}
	}
	return fmt.Errorf("cannot read %q as a time", text)
}
