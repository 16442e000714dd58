package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// flexBool scans a boolean however the database stores it: PostgreSQL's
// boolean, MySQL's tinyint(1), SQLite's integer.
type flexBool struct{ v bool }

// Scan implements sql.Scanner.
func (b *flexBool) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		b.v = false
	case bool:
		b.v = x
	case int64:
		b.v = x != 0
	case []byte:
		return b.Scan(string(x))
	case string:
		p, err := strconv.ParseBool(strings.TrimSpace(x))
		if err != nil {
			return fmt.Errorf("cannot read %q as a boolean", x)
		}
		b.v = p
	default:
		return fmt.Errorf("cannot read a %T as a boolean", v)
	}
	return nil
}

// flexTime scans a timestamp however the driver gives it: a time.Time or
// text (SQLite's datetime('now'), MySQL without parseTime); unknown forms
// read as the zero time, since applied_at is informative only.
type flexTime struct{ t time.Time }

var timeLayouts = [...]string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	time.RFC3339Nano,
}

// Scan implements sql.Scanner.
func (f *flexTime) Scan(v any) error {
	f.t = time.Time{}
	var text string
	switch x := v.(type) {
	case time.Time:
		f.t = x
		return nil
	case []byte:
		text = string(x)
	case string:
		text = x
	default:
		return nil
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, strings.TrimSpace(text), time.UTC); err == nil {
			f.t = t
			return nil
		}
	}
	return nil
}
