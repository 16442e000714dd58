// Package telemetry turns the library's event stream into OpenTelemetry
// traces and metrics, exported over OTLP/HTTP when the standard OTEL_*
// environment variables ask for it, and into a Prometheus textfile. It
// sees only events: never SQL text, literals or secrets.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/strata-db/strata"
)

// SlowStatement is how long a statement runs before it gets a span of
// its own. Statements of a file sent in one round trip (Event.Batched)
// get none: only the file's span times them.
const SlowStatement = time.Second

// Lookup reads one environment variable.
type Lookup func(key string) (string, bool)

// Enabled reports whether the environment asks for OTLP export: an
// OTLP endpoint is set and the SDK is not disabled.
func Enabled(env Lookup) (traces, metrics bool) {
	if v, _ := env("OTEL_SDK_DISABLED"); strings.EqualFold(v, "true") {
		return false, false
	}
	set := func(k string) bool { v, ok := env(k); return ok && v != "" }
	none := func(k string) bool { v, _ := env(k); return v == "none" }
	any := set("OTEL_EXPORTER_OTLP_ENDPOINT")
	traces = (any || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) && !none("OTEL_TRACES_EXPORTER")
	metrics = (any || set("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) && !none("OTEL_METRICS_EXPORTER")
	return traces, metrics
}

// Recorder receives a run's events. The zero value is not usable: make
// one with Start.
type Recorder struct {
	tp     *sdktrace.TracerProvider // nil when traces are off
	mp     *sdkmetric.MeterProvider // nil when metrics are off
	tracer trace.Tracer
	run    trace.Span
	ctx    context.Context // carries the run span

	applied  metric.Int64Counter
	duration metric.Float64Histogram
	lockWait metric.Float64Histogram

	mu      sync.Mutex
	streams []map[string]*fileSpan // per Observer: its running files by name
	Stats   Stats                  // totals, for the textfile
}

type fileSpan struct {
	span      trace.Span
	version   string
	name      string
	batched   bool      // the statements went in one round trip: no statement spans
	stmt      int       // the running statement's number, 0 before the first
	line      int       // its line in the file
	stmtStart time.Time // when it was sent
}

// Stats are a run's totals.
type Stats struct {
	Applied, Failed int
	Duration        time.Duration // of the files, added up
	LockWait        time.Duration
}

// Start returns a Recorder for one run of command, exporting over
// OTLP/HTTP what env enables, or a Recorder that only counts when it
// enables nothing (no exporter, no provider: no cost). The OTEL_*
// variables are read from env only; a setting strata cannot honour (a
// protocol other than http/protobuf, a malformed endpoint, header or
// certificate file) is an error.
func Start(ctx context.Context, env Lookup, command, version string) (*Recorder, error) {
	r := &Recorder{ctx: ctx}
	traces, metrics := Enabled(env)
	if !traces && !metrics {
		return r, nil
	}
	var traceCfg, metricCfg exportConfig
	var err error
	if traces {
		if traceCfg, err = loadExportConfig(env, "TRACES"); err != nil {
			return nil, err
		}
	}
	if metrics {
		if metricCfg, err = loadExportConfig(env, "METRICS"); err != nil {
			return nil, err
		}
	}
	res, err := newResource(ctx, env, version)
	if err != nil {
		return nil, err
	}
	if traces {
		exp := &spanExporter{c: newOTLPClient(traceCfg, version, "spans")}
		r.tp = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
		r.tracer = r.tp.Tracer("github.com/strata-db/strata")
		r.ctx, r.run = r.tracer.Start(ctx, "strata "+command, trace.WithAttributes(attribute.String("strata.command", command)))
	}
	if metrics {
		exp := &metricExporter{c: newOTLPClient(metricCfg, version, "data points")}
		r.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)), sdkmetric.WithResource(res))
		m := r.mp.Meter("github.com/strata-db/strata")
		r.applied, _ = m.Int64Counter("strata.migrations", metric.WithDescription("migration files run, by outcome"), metric.WithUnit("{file}"))
		r.duration, _ = m.Float64Histogram("strata.migration.duration", metric.WithDescription("how long a migration file ran"), metric.WithUnit("s"))
		r.lockWait, _ = m.Float64Histogram("strata.lock.wait", metric.WithDescription("how long the run waited for the migration lock"), metric.WithUnit("s"))
	}
	return r, nil
}

// newResource is the resource spans and metrics describe: the SDK's
// telemetry.sdk.* attributes, service.version, OTEL_RESOURCE_ATTRIBUTES
// (key=value,key2=value2, percent-encoded values) and OTEL_SERVICE_NAME
// over it, read from env; service.name is strata unless either sets it.
func newResource(ctx context.Context, env Lookup, version string) (*resource.Resource, error) {
	attrs := []attribute.KeyValue{semconv.ServiceName("strata"), semconv.ServiceVersion(version)}
	if v := strings.TrimSpace(envValue(env, "OTEL_RESOURCE_ATTRIBUTES")); v != "" {
		for i, entry := range strings.Split(v, ",") {
			if strings.TrimSpace(entry) == "" {
				continue
			}
			k, val, ok := strings.Cut(entry, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return nil, fmt.Errorf("telemetry: OTEL_RESOURCE_ATTRIBUTES: entry %d is not key=value", i+1)
			}
			dec, err := url.PathUnescape(strings.TrimSpace(val))
			if err != nil {
				return nil, fmt.Errorf("telemetry: OTEL_RESOURCE_ATTRIBUTES: entry %d (%s): the value is not valid percent-encoding", i+1, k)
			}
			attrs = append(attrs, attribute.String(k, dec))
		}
	}
	if v := strings.TrimSpace(envValue(env, "OTEL_SERVICE_NAME")); v != "" {
		attrs = append(attrs, semconv.ServiceName(v))
	}
	// NewSchemaless keeps the last value of a key: the variables win.
	res, err := resource.New(ctx, resource.WithTelemetrySDK(), resource.WithAttributes(attrs...))
	if err != nil {
		return nil, fmt.Errorf("telemetry resource: %w", err)
	}
	return res, nil
}

func envValue(env Lookup, k string) string { v, _ := env(k); return v }

// Observer returns an observer for one Migrator's events (strata.WithObserver).
// Each Migrator needs its own: a fleet's targets run files of the same
// names at once. Observers are safe for concurrent use.
func (r *Recorder) Observer() func(strata.Event) {
	files := map[string]*fileSpan{}
	r.mu.Lock()
	r.streams = append(r.streams, files)
	r.mu.Unlock()
	return func(e strata.Event) { r.observe(files, e) }
}

// observe records one event of the Migrator whose running files are
// files.
func (r *Recorder) observe(files map[string]*fileSpan, e strata.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e.Kind {
	case strata.EventLockAcquired:
		r.Stats.LockWait += e.Duration
		if r.lockWait != nil {
			r.lockWait.Record(r.ctx, e.Duration.Seconds())
		}
	case strata.EventMigrationStart:
		f := &fileSpan{}
		phase := ""
		if e.Migration != nil {
			f.version, f.name, phase = e.Migration.Version.String(), e.Migration.Description, string(e.Migration.Phase)
		}
		if r.tracer != nil {
			_, f.span = r.tracer.Start(r.ctx, "migration "+f.version, trace.WithTimestamp(e.Time), trace.WithAttributes(
				attribute.String("strata.version", f.version), attribute.String("strata.name", f.name),
				attribute.String("strata.direction", string(e.Direction)), attribute.String("strata.phase", phase)))
		}
		files[e.File] = f
	case strata.EventStatementStart:
		if f := files[e.File]; f != nil {
			if e.Batched && !f.batched && f.span != nil {
				f.span.SetAttributes(attribute.Bool("strata.batched", true))
			}
			f.batched = f.batched || e.Batched
			r.endStatement(f, e.Time, "ok")
			f.stmt, f.stmtStart = e.Index, e.Time
			if e.Statement != nil {
				f.line = e.Statement.Line
			}
		}
	case strata.EventMigrationDone, strata.EventMigrationError:
		outcome := "applied"
		if e.Kind == strata.EventMigrationError {
			outcome = "failed"
			r.Stats.Failed++
		} else {
			r.Stats.Applied++
			r.Stats.Duration += e.Duration
		}
		f := files[e.File]
		delete(files, e.File)
		if r.applied != nil {
			attrs := metric.WithAttributes(attribute.String("outcome", outcome), attribute.String("direction", string(e.Direction)))
			r.applied.Add(r.ctx, 1, attrs)
			r.duration.Record(r.ctx, e.Duration.Seconds(), attrs)
		}
		if f == nil {
			return
		}
		r.endStatement(f, e.Time, outcome)
		if f.span != nil {
			f.span.SetAttributes(attribute.String("strata.outcome", outcome), attribute.Int("strata.statements", f.stmt))
			if e.Err != nil {
				// The kind of failure, never the message: it can quote SQL.
				f.span.SetStatus(codes.Error, "migration failed")
			}
			f.span.End(trace.WithTimestamp(e.Time))
		}
	}
}

// endStatement gives the running statement a span when it ran at least
// SlowStatement.
func (r *Recorder) endStatement(f *fileSpan, end time.Time, outcome string) {
	if f.stmt == 0 || f.span == nil || f.batched || end.Sub(f.stmtStart) < SlowStatement {
		return
	}
	ctx := trace.ContextWithSpan(r.ctx, f.span)
	_, s := r.tracer.Start(ctx, "statement "+strconv.Itoa(f.stmt), trace.WithTimestamp(f.stmtStart), trace.WithAttributes(
		attribute.String("strata.version", f.version), attribute.String("strata.name", f.name),
		attribute.Int("strata.statement", f.stmt), attribute.Int("strata.line", f.line),
		attribute.String("strata.outcome", outcome)))
	s.End(trace.WithTimestamp(end))
}

// End ends the run's span with the exit code and flushes and shuts down
// the exporters, within ctx's deadline.
func (r *Recorder) End(ctx context.Context, code int) error {
	r.mu.Lock()
	for _, files := range r.streams {
		for name, f := range files { // files a cancelled run left open
			if f.span != nil {
				f.span.SetAttributes(attribute.String("strata.outcome", "interrupted"))
				f.span.End()
			}
			delete(files, name)
		}
	}
	r.mu.Unlock()
	var errs []error
	if r.run != nil {
		r.run.SetAttributes(attribute.Int("strata.exit_code", code))
		if code != 0 {
			r.run.SetStatus(codes.Error, "exit code "+strconv.Itoa(code))
		}
		r.run.End()
	}
	if r.tp != nil {
		errs = append(errs, r.tp.Shutdown(ctx))
	}
	if r.mp != nil {
		errs = append(errs, r.mp.Shutdown(ctx))
	}
	return errors.Join(errs...)
}
