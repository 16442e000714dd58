package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	colmetric "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	common "go.opentelemetry.io/proto/otlp/common/v1"
	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/strata-db/strata/internal/testdb"
)

// otlpReceiver is an OTLP/HTTP endpoint that keeps what it is sent.
type otlpReceiver struct {
	mu      sync.Mutex
	spans   []*tracepb.Span
	metrics []*metricpb.Metric
	posts   int
}

func newOTLPReceiver(t *testing.T) (*otlpReceiver, string) {
	r := &otlpReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.posts++
		switch req.URL.Path {
		case "/v1/traces":
			var m coltrace.ExportTraceServiceRequest
			if err := proto.Unmarshal(body, &m); err != nil {
				t.Errorf("traces: %v", err)
			}
			for _, rs := range m.ResourceSpans {
				for _, ss := range rs.ScopeSpans {
					r.spans = append(r.spans, ss.Spans...)
				}
			}
			out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.Write(out)
		case "/v1/metrics":
			var m colmetric.ExportMetricsServiceRequest
			if err := proto.Unmarshal(body, &m); err != nil {
				t.Errorf("metrics: %v", err)
			}
			for _, rm := range m.ResourceMetrics {
				for _, sm := range rm.ScopeMetrics {
					r.metrics = append(r.metrics, sm.Metrics...)
				}
			}
			out, _ := proto.Marshal(&colmetric.ExportMetricsServiceResponse{})
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.Write(out)
		default:
			t.Errorf("OTLP receiver: unexpected path %s", req.URL.Path)
		}
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

func attrs(kv []*common.KeyValue) map[string]string {
	out := map[string]string{}
	for _, a := range kv {
		switch v := a.Value.Value.(type) {
		case *common.AnyValue_StringValue:
			out[a.Key] = v.StringValue
		case *common.AnyValue_IntValue:
			out[a.Key] = strconv.FormatInt(v.IntValue, 10)
		}
	}
	return out
}

// TestTelemetryOTLP: with OTEL_EXPORTER_OTLP_ENDPOINT set, `strata up`
// sends a span for the run, one per file and one for the slow statement
// (version, name, outcome; no SQL, no password; the slow file runs
// statement by statement, outside a transaction, where each statement's
// time is known), and the metrics for
// files applied, their duration and the lock wait; --metrics-file gets
// the same totals. Without OTEL_* nothing is sent.
func TestTelemetryOTLP(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t)
	f := newFolder(t)
	f.write("0001_create_users.sql", "CREATE TABLE users (id int, secret_col text DEFAULT 'literal-value');\n")
	f.write("0002_slow.sql", "-- strata:no-transaction\nSELECT pg_sleep(1.2);\nINSERT INTO users (id) VALUES (42);\n")
	rec, endpoint := newOTLPReceiver(t)
	metricsFile := filepath.Join(t.TempDir(), "strata.prom")

	r := strataEnv(t, f.wd, []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + endpoint, "OTEL_SERVICE_NAME=strata-test"},
		"up", "--url", db.URL, "--dir", f.dir, "--metrics-file", metricsFile)
	want(t, r, 0)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	byName := map[string]*tracepb.Span{}
	for _, s := range rec.spans {
		byName[s.Name] = s
		for k, v := range attrs(s.Attributes) {
			for _, bad := range []string{"pg_sleep", "literal-value", "CREATE TABLE", "INSERT"} {
				if strings.Contains(v, bad) {
					t.Errorf("span %s attribute %s carries SQL: %q", s.Name, k, v)
				}
			}
		}
	}
	run := byName["strata up"]
	if run == nil {
		t.Fatalf("no run span among %d spans: %v", len(rec.spans), spanNames(byName))
	}
	cases := []struct {
		span   string
		attrs  map[string]string
		parent *tracepb.Span
	}{
		{"migration 1", map[string]string{"strata.version": "1", "strata.name": "create_users", "strata.outcome": "applied", "strata.phase": "pre-deploy"}, run},
		{"migration 2", map[string]string{"strata.version": "2", "strata.name": "slow", "strata.outcome": "applied", "strata.statements": "2"}, run},
		{"statement 1", map[string]string{"strata.version": "2", "strata.statement": "1", "strata.line": "2"}, byName["migration 2"]},
	}
	for _, c := range cases {
		s := byName[c.span]
		if s == nil {
			t.Errorf("no span %q among %v", c.span, spanNames(byName))
			continue
		}
		got := attrs(s.Attributes)
		for k, v := range c.attrs {
			if got[k] != v {
				t.Errorf("span %s: %s = %q, want %q", c.span, k, got[k], v)
			}
		}
		if c.parent != nil && string(s.ParentSpanId) != string(c.parent.SpanId) {
			t.Errorf("span %s is not a child of %s", c.span, c.parent.Name)
		}
	}
	if len(rec.spans) != 4 {
		t.Errorf("want 4 spans (run, 2 files, 1 slow statement), got %v", spanNames(byName))
	}

	var applied int64
	seen := map[string]bool{}
	for _, m := range rec.metrics {
		seen[m.Name] = true
		if m.Name == "strata.migrations" {
			for _, p := range m.GetSum().GetDataPoints() {
				if attrs(p.Attributes)["outcome"] == "applied" {
					applied += p.GetAsInt()
				}
			}
		}
	}
	if applied != 2 {
		t.Errorf("strata.migrations{outcome=applied} = %d, want 2", applied)
	}
	for _, name := range []string{"strata.migration.duration", "strata.lock.wait"} {
		if !seen[name] {
			t.Errorf("metric %s not received (got %v)", name, seen)
		}
	}

	prom, err := os.ReadFile(metricsFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{`strata_migrations_applied{command="up"} 2`, `strata_last_run_exit_code{command="up"} 0`, "# TYPE strata_lock_wait_seconds gauge"} {
		if !strings.Contains(string(prom), line+"\n") {
			t.Errorf("metrics file lacks %q:\n%s", line, prom)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(metricsFile), ".*tmp*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}

	// Off without OTEL_*: nothing sent.
	posts := rec.posts
	rec.mu.Unlock()
	want(t, f.run(db.URL, "status"), 0)
	rec.mu.Lock()
	if rec.posts != posts {
		t.Errorf("status without OTEL_* sent %d requests", rec.posts-posts)
	}
}

func spanNames(m map[string]*tracepb.Span) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
