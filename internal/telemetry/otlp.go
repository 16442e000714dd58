package telemetry

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// defaultTimeout is OTEL_EXPORTER_OTLP_TIMEOUT's default.
const defaultTimeout = 10 * time.Second

// exportConfig is how one signal (traces or metrics) is sent, from the
// OTEL_EXPORTER_OTLP_* variables: a per-signal variable
// (OTEL_EXPORTER_OTLP_TRACES_HEADERS) wins over the general one
// (OTEL_EXPORTER_OTLP_HEADERS).
type exportConfig struct {
	url         string      // where to POST
	shownURL    string      // url without credentials or query, for errors
	headers     http.Header // values are secrets (API keys): never in errors
	timeout     time.Duration
	gzip        bool
	tls         *tls.Config // nil: the system's roots, no client certificate
	temporality sdkmetric.TemporalitySelector
}

// loadExportConfig reads the configuration of signal ("TRACES" or
// "METRICS") from env.
func loadExportConfig(env Lookup, signal string) (exportConfig, error) {
	// get returns the per-signal variable if set, else the general one,
	// with its name (for errors).
	get := func(suffix string) (name, value string) {
		for _, k := range []string{"OTEL_EXPORTER_OTLP_" + signal + "_" + suffix, "OTEL_EXPORTER_OTLP_" + suffix} {
			if v, _ := env(k); strings.TrimSpace(v) != "" {
				return k, strings.TrimSpace(v)
			}
		}
		return "", ""
	}
	cfg := exportConfig{timeout: defaultTimeout, temporality: sdkmetric.CumulativeTemporalitySelector}
	if k, v := get("PROTOCOL"); v != "" && v != "http/protobuf" {
		return cfg, fmt.Errorf("telemetry: %s=%s: only http/protobuf is built into strata (unset it or set http/protobuf)", k, v)
	}

	k, raw, signalURL := "OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT", "", true
	if v, _ := env(k); strings.TrimSpace(v) != "" {
		raw = strings.TrimSpace(v)
	} else {
		k, raw, signalURL = "OTEL_EXPORTER_OTLP_ENDPOINT", envValue(env, "OTEL_EXPORTER_OTLP_ENDPOINT"), false
		raw = strings.TrimSpace(raw)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, fmt.Errorf("telemetry: %s: want an http:// or https:// URL", k)
	}
	switch {
	case !signalURL: // the base URL: the signal's path goes under it
		u.Path = path.Join("/", u.Path, "v1", strings.ToLower(signal))
		u.RawPath = ""
	case u.Path == "":
		u.Path = "/"
	}
	cfg.url = u.String()
	cfg.shownURL = u.Scheme + "://" + u.Host + u.EscapedPath()

	if k, v := get("HEADERS"); v != "" {
		if cfg.headers, err = parseHeaders(v); err != nil {
			return cfg, fmt.Errorf("telemetry: %s: %w", k, err)
		}
	}
	if k, v := get("TIMEOUT"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			return cfg, fmt.Errorf("telemetry: %s=%s: want a positive number of milliseconds", k, v)
		}
		cfg.timeout = time.Duration(ms) * time.Millisecond
	}
	switch k, v := get("COMPRESSION"); v {
	case "", "none":
	case "gzip":
		cfg.gzip = true
	default:
		return cfg, fmt.Errorf("telemetry: %s=%s: want gzip or none", k, v)
	}
	if cfg.tls, err = loadTLS(get); err != nil {
		return cfg, err
	}
	if signal == "METRICS" {
		const k = "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE" // no general form
		switch v := strings.TrimSpace(envValue(env, k)); strings.ToLower(v) {
		case "", "cumulative":
		case "delta":
			cfg.temporality = sdkmetric.DeltaTemporalitySelector
		case "lowmemory":
			cfg.temporality = sdkmetric.LowMemoryTemporalitySelector
		default:
			return cfg, fmt.Errorf("telemetry: %s=%s: want cumulative, delta or lowmemory", k, v)
		}
	}
	return cfg, nil
}

// loadTLS reads the CA and client certificate files the *_CERTIFICATE,
// *_CLIENT_CERTIFICATE and *_CLIENT_KEY variables name; nil when none is
// set.
func loadTLS(get func(string) (string, string)) (*tls.Config, error) {
	caVar, ca := get("CERTIFICATE")
	certVar, cert := get("CLIENT_CERTIFICATE")
	keyVar, key := get("CLIENT_KEY")
	if ca == "" && cert == "" && key == "" {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("telemetry: %s: %w", caVar, err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("telemetry: %s: no PEM certificate in %s", caVar, ca)
		}
	}
	switch {
	case cert != "" && key != "":
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("telemetry: %s, %s: %w", certVar, keyVar, err)
		}
		c.Certificates = []tls.Certificate{pair}
	case cert != "":
		return nil, fmt.Errorf("telemetry: %s is set without OTEL_EXPORTER_OTLP_CLIENT_KEY (or its per-signal form)", certVar)
	case key != "":
		return nil, fmt.Errorf("telemetry: %s is set without OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE (or its per-signal form)", keyVar)
	}
	return c, nil
}

// parseHeaders parses key=value,key2=value2 with percent-encoded values.
// Its errors name entries by position, never by content: the values
// are API keys.
func parseHeaders(s string) (http.Header, error) {
	h := http.Header{}
	for i, entry := range strings.Split(s, ",") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		k, v, ok := strings.Cut(entry, "=")
		k = strings.TrimSpace(k)
		if !ok || !validHeaderKey(k) {
			return nil, fmt.Errorf("entry %d is not key=value with a valid header name", i+1)
		}
		v, err := url.PathUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("entry %d (%s): the value is not valid percent-encoding", i+1, k)
		}
		h.Set(k, strings.TrimSpace(v))
	}
	return h, nil
}

// validHeaderKey reports whether k is an HTTP token (RFC 9110).
func validHeaderKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if c > unicode.MaxASCII || !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	return true
}

// Retries of a throttled or unavailable collector: at most
// maxAttempts POSTs, waiting firstRetry, then twice as long each time,
// within the export's timeout.
const (
	maxAttempts = 5
	firstRetry  = 100 * time.Millisecond
)

// maxResponse is how much of a collector's answer is read.
const maxResponse = 64 << 10

// otlpClient POSTs encoded OTLP requests to one signal's endpoint.
type otlpClient struct {
	cfg       exportConfig
	http      *http.Client
	userAgent string
	items     string // what the signal's requests carry, for partial-success errors
}

func newOTLPClient(cfg exportConfig, version, items string) *otlpClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.tls != nil {
		tr.TLSClientConfig = cfg.tls
	}
	return &otlpClient{cfg: cfg, http: &http.Client{Transport: tr}, userAgent: "strata/" + version, items: items}
}

// send POSTs body (an encoded Export*ServiceRequest) within the
// configured timeout, retrying answers 429, 502, 503 and 504.
func (c *otlpClient) send(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.timeout)
	defer cancel()
	if c.cfg.gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(body); err != nil {
			return fmt.Errorf("telemetry: gzip: %w", err)
		}
		if err := zw.Close(); err != nil {
			return fmt.Errorf("telemetry: gzip: %w", err)
		}
		body = buf.Bytes()
	}
	wait := firstRetry
	for attempt := 1; ; attempt++ {
		resp, err := c.post(ctx, body)
		if err != nil {
			return fmt.Errorf("telemetry: OTLP export to %s: %w", c.cfg.shownURL, err)
		}
		if resp.status/100 == 2 {
			return partialSuccess(resp.body, c.items)
		}
		fail := fmt.Errorf("telemetry: OTLP export to %s: HTTP %d %s%s", c.cfg.shownURL, resp.status, http.StatusText(resp.status), resp.excerpt())
		if !retryable(resp.status) || attempt == maxAttempts {
			return fail
		}
		d := wait
		if s, err := strconv.Atoi(resp.header.Get("Retry-After")); err == nil && s > 0 {
			d = time.Duration(s) * time.Second
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return fmt.Errorf("%w (no time left to retry within the timeout)", fail)
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (while waiting to retry: %w)", fail, ctx.Err())
		case <-t.C:
		}
		wait *= 2
	}
}

// response is what a collector answered.
type response struct {
	status int
	header http.Header
	body   []byte
}

// post sends one request.
func (c *otlpClient) post(ctx context.Context, body []byte) (response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.url, bytes.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("User-Agent", c.userAgent)
	for k, vs := range c.cfg.headers {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	if c.cfg.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its text repeats the URL, query and all
			err = ue.Err
		}
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil && resp.StatusCode/100 == 2 {
		return response{}, fmt.Errorf("read the answer: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse)) // so the connection can be reused
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// excerpt is a short, printable part of a failed answer's body, with
// its leading ": ", or "". A protobuf google.rpc.Status (what OTLP/HTTP
// collectors answer) gives its message.
func (r response) excerpt() string {
	text := string(r.body)
	if strings.Contains(r.header.Get("Content-Type"), "protobuf") {
		text = ""
		_ = readFields(r.body, func(field, wire int, _ uint64, data []byte) {
			if field == 2 && wire == wireBytes { // Status.message
				text = string(data)
			}
		})
	}
	text = strings.Join(strings.FieldsFunc(text, func(c rune) bool { return !unicode.IsPrint(c) || unicode.IsSpace(c) }), " ")
	if text == "" {
		return ""
	}
	if r := []rune(text); len(r) > 200 {
		text = string(r[:200]) + "…"
	}
	return ": " + text
}

// partialSuccess returns an error when a collector's successful answer
// (an Export*ServiceResponse) says it rejected some of the items.
func partialSuccess(body []byte, items string) error {
	var rejected int64
	var msg string
	_ = readFields(body, func(field, wire int, _ uint64, data []byte) {
		if field != 1 || wire != wireBytes { // partial_success
			return
		}
		_ = readFields(data, func(field, wire int, v uint64, data []byte) {
			switch {
			case field == 1 && wire == wireVarint:
				rejected = int64(v)
			case field == 2 && wire == wireBytes:
				msg = string(data)
			}
		})
	})
	if rejected == 0 && msg == "" {
		return nil
	}
	return fmt.Errorf("telemetry: the collector rejected %d %s: %s", rejected, items, msg)
}

// spanExporter is an sdktrace.SpanExporter that sends spans over
// OTLP/HTTP in protobuf.
type spanExporter struct {
	c       *otlpClient
	mu      sync.Mutex
	stopped bool
}

// ExportSpans sends spans in one request.
func (e *spanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	stopped := e.stopped
	e.mu.Unlock()
	if stopped {
		return errors.New("telemetry: span exporter already shut down")
	}
	if len(spans) == 0 {
		return nil
	}
	return e.c.send(ctx, appendTraceRequest(nil, spans))
}

// Shutdown stops the exporter; it holds nothing to flush.
func (e *spanExporter) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
	e.c.http.CloseIdleConnections()
	return ctx.Err()
}

// metricExporter is an sdkmetric.Exporter that sends metrics over
// OTLP/HTTP in protobuf.
type metricExporter struct {
	c       *otlpClient
	mu      sync.Mutex
	stopped bool
}

// Temporality is OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE's
// (cumulative unless set).
func (e *metricExporter) Temporality(k sdkmetric.InstrumentKind) metricdata.Temporality {
	return e.c.cfg.temporality(k)
}

// Aggregation is the SDK's default: sums, and explicit-bucket histograms.
func (e *metricExporter) Aggregation(k sdkmetric.InstrumentKind) sdkmetric.Aggregation {
	return sdkmetric.DefaultAggregationSelector(k)
}

// Export sends rm in one request, or nothing when it holds no metric.
func (e *metricExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	e.mu.Lock()
	stopped := e.stopped
	e.mu.Unlock()
	if stopped {
		return sdkmetric.ErrExporterShutdown
	}
	n := 0
	for _, sm := range rm.ScopeMetrics {
		n += len(sm.Metrics)
	}
	if n == 0 {
		return nil
	}
	body, encErr := appendMetricsRequest(nil, rm)
	return errors.Join(encErr, e.c.send(ctx, body))
}

// ForceFlush does nothing: the exporter holds nothing.
func (e *metricExporter) ForceFlush(ctx context.Context) error { return ctx.Err() }

// Shutdown stops the exporter.
func (e *metricExporter) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
	e.c.http.CloseIdleConnections()
	return ctx.Err()
}
