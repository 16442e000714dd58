package telemetry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/source"
	"github.com/strata-db/strata/sqlsplit"
)

func lookup(m map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestEnabled: export is on only when an OTLP endpoint is set, per
// signal, and off with OTEL_SDK_DISABLED or OTEL_*_EXPORTER=none.
func TestEnabled(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env             map[string]string
		traces, metrics bool
	}{
		{map[string]string{}, false, false},
		{map[string]string{"OTEL_SERVICE_NAME": "x"}, false, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, true, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, true, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://c:4318/v1/metrics"}, false, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_METRICS_EXPORTER": "none"}, true, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, false, false},
	}
	for _, c := range cases {
		tr, mt := Enabled(lookup(c.env))
		if tr != c.traces || mt != c.metrics {
			t.Errorf("%v: traces %v metrics %v, want %v %v", c.env, tr, mt, c.traces, c.metrics)
		}
	}
}

// TestRecorderStats: two observers (a fleet's targets) running files of
// the same name at once are counted apart, a batched file's statements
// count, and the textfile is written whole with the totals.
func TestRecorderStats(t *testing.T) {
	t.Parallel()
	r, err := Start(context.Background(), lookup(nil), "up", "test")
	if err != nil {
		t.Fatal(err)
	}
	if r.tp != nil || r.mp != nil {
		t.Fatal("providers created without OTEL_*")
	}
	m := &source.Migration{Version: source.Version{}, Description: "x", Path: "0001_x.sql"}
	t0 := time.Now()
	a, b := r.Observer(), r.Observer()
	for _, o := range []func(strata.Event){a, b} {
		o(strata.Event{Kind: strata.EventLockAcquired, Duration: 2 * time.Second})
		o(strata.Event{Kind: strata.EventMigrationStart, Migration: m, File: "0001_x.sql", Time: t0})
		o(strata.Event{Kind: strata.EventStatementStart, Migration: m, File: "0001_x.sql", Statement: &sqlsplit.Statement{Line: 1}, Index: 1, Batched: true, Time: t0})
	}
	a(strata.Event{Kind: strata.EventMigrationDone, Migration: m, File: "0001_x.sql", Duration: time.Second, Time: t0.Add(time.Second)})
	b(strata.Event{Kind: strata.EventMigrationError, Migration: m, File: "0001_x.sql", Duration: time.Second, Time: t0.Add(time.Second)})
	want := Stats{Applied: 1, Failed: 1, Duration: time.Second, LockWait: 4 * time.Second}
	if r.Stats != want {
		t.Errorf("stats %+v, want %+v", r.Stats, want)
	}
	if err := r.End(context.Background(), 4); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "strata.prom")
	if err := WriteTextfile(path, "up", r.Stats, 4, time.Unix(1700000000, 0)); err != nil {
		t.Fatal(err)
	}
	b2, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`strata_migrations_applied{command="up"} 1`, `strata_migrations_failed{command="up"} 1`,
		`strata_lock_wait_seconds{command="up"} 4`, `strata_last_run_exit_code{command="up"} 4`,
		`strata_last_run_timestamp_seconds{command="up"} 1700000000`,
	} {
		if !strings.Contains(string(b2), line+"\n") {
			t.Errorf("textfile lacks %q:\n%s", line, b2)
		}
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("want only the metrics file in its folder, got %d entries", len(ents))
	}
}
