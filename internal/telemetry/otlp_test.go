package telemetry

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	colmetric "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	common "go.opentelemetry.io/proto/otlp/common/v1"
	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/source"
)

const secret = "s3cr3t-api-key"

// TestLoadExportConfig: the OTEL_EXPORTER_OTLP_* variables, general and
// per-signal (which wins), read from the Lookup given.
func TestLoadExportConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	certFile, keyFile := writeCert(t, dir, "client")
	srvCert, _ := writeCert(t, dir, "ca")
	if err := os.Rename(srvCert, caFile); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o600)

	cases := []struct {
		name    string
		signal  string
		env     map[string]string
		check   func(t *testing.T, c exportConfig)
		wantErr string // "" for none
	}{
		{"base endpoint gets the signal path", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"},
			func(t *testing.T, c exportConfig) {
				eq(t, c.url, "http://c:4318/v1/traces")
				eq(t, c.timeout, 10*time.Second)
				eq(t, c.gzip, false)
				if c.tls != nil || len(c.headers) != 0 {
					t.Error("TLS or headers without variables")
				}
				eq(t, c.temporality(sdkmetric.InstrumentKindCounter), metricdata.CumulativeTemporality)
			}, ""},
		{"base endpoint with a path", "METRICS", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c/otlp/"},
			func(t *testing.T, c exportConfig) { eq(t, c.url, "https://c/otlp/v1/metrics") }, ""},
		{"per-signal endpoint as is", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://t:1/custom?x=1"},
			func(t *testing.T, c exportConfig) {
				eq(t, c.url, "http://t:1/custom?x=1")
				eq(t, c.shownURL, "http://t:1/custom")
			}, ""},
		{"per-signal endpoint without path", "METRICS", map[string]string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://m:2"},
			func(t *testing.T, c exportConfig) { eq(t, c.url, "http://m:2/") }, ""},
		{"credentials not shown", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://u:" + secret + "@c"},
			func(t *testing.T, c exportConfig) { eq(t, c.shownURL, "http://c/v1/traces") }, ""},
		{"endpoint without scheme", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, nil, "OTEL_EXPORTER_OTLP_ENDPOINT: want an http:// or https:// URL"},
		{"grpc", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, nil, "OTEL_EXPORTER_OTLP_PROTOCOL=grpc: only http/protobuf"},
		{"per-signal json", "METRICS", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "http/json"}, nil, "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/json: only http/protobuf"},
		{"http/protobuf", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, nil, ""},
		{"headers, percent-decoded", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_HEADERS": "api-key=" + secret + ", x-tag = a%20b%2Cc ,"},
			func(t *testing.T, c exportConfig) {
				eq(t, c.headers.Get("Api-Key"), secret)
				eq(t, c.headers.Get("X-Tag"), "a b,c")
			}, ""},
		{"per-signal headers win", "METRICS", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_HEADERS": "a=1", "OTEL_EXPORTER_OTLP_METRICS_HEADERS": "b=2"},
			func(t *testing.T, c exportConfig) { eq(t, c.headers.Get("a"), ""); eq(t, c.headers.Get("b"), "2") }, ""},
		{"bad header", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_HEADERS": "a=1," + secret}, nil, "OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not key=value"},
		{"bad header encoding", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_HEADERS": "k=" + secret + "%zz"}, nil, "entry 1 (k): the value is not valid percent-encoding"},
		{"timeout, per-signal wins", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_TIMEOUT": "5000", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "250"},
			func(t *testing.T, c exportConfig) { eq(t, c.timeout, 250*time.Millisecond) }, ""},
		{"bad timeout", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_TIMEOUT": "10s"}, nil, "OTEL_EXPORTER_OTLP_TIMEOUT=10s: want a positive number of milliseconds"},
		{"gzip", "METRICS", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"},
			func(t *testing.T, c exportConfig) { eq(t, c.gzip, true) }, ""},
		{"per-signal none", "METRICS", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip", "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION": "none"},
			func(t *testing.T, c exportConfig) { eq(t, c.gzip, false) }, ""},
		{"bad compression", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"}, nil, "OTEL_EXPORTER_OTLP_COMPRESSION=zstd: want gzip or none"},
		{"CA and client certificate", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c", "OTEL_EXPORTER_OTLP_CERTIFICATE": caFile,
			"OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE": certFile, "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY": keyFile},
			func(t *testing.T, c exportConfig) {
				if c.tls == nil || c.tls.RootCAs == nil || len(c.tls.Certificates) != 1 {
					t.Errorf("TLS config %+v", c.tls)
				}
			}, ""},
		{"missing CA file", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c", "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE": filepath.Join(dir, "nope.pem")}, nil, "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: open"},
		{"CA file without PEM", "TRACES", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c", "OTEL_EXPORTER_OTLP_CERTIFICATE": notPEM}, nil, "no PEM certificate"},
		{"client certificate without key", "METRICS", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": certFile}, nil, "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE is set without"},
		{"delta", "METRICS", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE": "Delta"},
			func(t *testing.T, c exportConfig) {
				eq(t, c.temporality(sdkmetric.InstrumentKindCounter), metricdata.DeltaTemporality)
			}, ""},
		{"bad temporality", "METRICS", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE": "sometimes"}, nil, "want cumulative, delta or lowmemory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := loadExportConfig(lookup(c.env), c.signal)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatal(err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("want error %q, got %v", c.wantErr, err)
			case err != nil && strings.Contains(err.Error(), secret):
				t.Fatalf("error shows a header value: %v", err)
			}
			if c.check != nil {
				c.check(t, cfg)
			}
		})
	}
}

func eq[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestStartProtocol: Start refuses a protocol it does not speak, naming
// the variable, rather than silently sending nothing.
func TestStartProtocol(t *testing.T) {
	t.Parallel()
	_, err := Start(context.Background(), lookup(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
	}), "up", "test")
	if err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_PROTOCOL=grpc") || !strings.Contains(err.Error(), "only http/protobuf") {
		t.Fatalf("want a protocol error, got %v", err)
	}
}

// collector is an OTLP/HTTP endpoint that answers each POST with the
// next of its scripted answers (200 when they run out) and keeps what
// it got.
type collector struct {
	mu      sync.Mutex
	answers []func(w http.ResponseWriter)
	reqs    []*http.Request
	bodies  [][]byte // decompressed
}

func newCollector(t *testing.T, answers ...func(w http.ResponseWriter)) (*collector, *httptest.Server) {
	c := &collector{answers: answers}
	srv := httptest.NewUnstartedServer(c)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // failed TLS handshakes are expected
	t.Cleanup(srv.Close)
	return c, srv
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	c.mu.Lock()
	c.reqs = append(c.reqs, r)
	c.bodies = append(c.bodies, b)
	var answer func(http.ResponseWriter)
	if len(c.answers) > 0 {
		answer, c.answers = c.answers[0], c.answers[1:]
	}
	c.mu.Unlock()
	if answer != nil {
		answer(w)
	}
}

func status(code int, hdr ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
	}
}

func body(code int, contentType string, b []byte) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		w.Write(b)
	}
}

// TestSend: what goes over the wire (method, path, content type,
// headers, gzip) and what the collector's answers make of an export:
// retries of 429/502/503/504 within the timeout, errors with the status
// and a short excerpt of the body (never a header value), partial
// success, timeouts.
func TestSend(t *testing.T) {
	t.Parallel()
	spans := tracetest.SpanStubs{{Name: "strata up"}}.Snapshots()
	// A google.rpc.Status: code 3, message.
	rpcStatus := protowire.AppendString(protowire.AppendTag(protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 3), 2, protowire.BytesType), "bad \x00payload\n from client")
	partial, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{PartialSuccess: &coltrace.ExportTracePartialSuccess{RejectedSpans: 1, ErrorMessage: "too old"}})
	empty, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	cases := []struct {
		name     string
		env      map[string]string
		answers  []func(http.ResponseWriter)
		posts    int
		wantErr  string
		maxTaken time.Duration
	}{
		{"ok", nil, []func(http.ResponseWriter){body(200, "application/x-protobuf", empty)}, 1, "", 0},
		{"gzip", map[string]string{"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"}, nil, 1, "", 0},
		{"retried until it works", nil, []func(http.ResponseWriter){status(503), status(429), status(502), status(504)}, 5, "", 0},
		{"retries run out", nil, []func(http.ResponseWriter){status(503), status(503), status(503), status(503), status(503), status(503)}, maxAttempts, "HTTP 503 Service Unavailable", 0},
		{"not retried", nil, []func(http.ResponseWriter){body(400, "text/plain", []byte(strings.Repeat("x", 500)))}, 1, "HTTP 400 Bad Request: " + strings.Repeat("x", 200) + "…", 0},
		{"google.rpc.Status", nil, []func(http.ResponseWriter){body(400, "application/x-protobuf", rpcStatus)}, 1, "HTTP 400 Bad Request: bad payload from client", 0},
		{"Retry-After past the timeout", map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "1000"}, []func(http.ResponseWriter){status(429, "Retry-After", "30")}, 1, "no time left to retry", 500 * time.Millisecond},
		{"partial success", nil, []func(http.ResponseWriter){body(200, "application/x-protobuf", partial)}, 1, "the collector rejected 1 spans: too old", 0},
		{"timeout", map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "300"}, []func(http.ResponseWriter){func(http.ResponseWriter) { time.Sleep(2 * time.Second) }}, 1, "context deadline exceeded", 1500 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			col, srv := newCollector(t, c.answers...)
			srv.Start()
			env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL + "/base", "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20" + secret}
			for k, v := range c.env {
				env[k] = v
			}
			cfg, err := loadExportConfig(lookup(env), "TRACES")
			if err != nil {
				t.Fatal(err)
			}
			exp := &spanExporter{c: newOTLPClient(cfg, "v9", "spans")}
			start := time.Now()
			err = exp.ExportSpans(context.Background(), spans)
			took := time.Since(start)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatal(err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("want error %q, got %v", c.wantErr, err)
			case err != nil && strings.Contains(err.Error(), secret):
				t.Fatalf("error shows a header value: %v", err)
			}
			if c.maxTaken > 0 && took > c.maxTaken {
				t.Errorf("took %v, want under %v", took, c.maxTaken)
			}
			col.mu.Lock()
			defer col.mu.Unlock()
			if len(col.reqs) != c.posts {
				t.Fatalf("%d POSTs, want %d", len(col.reqs), c.posts)
			}
			r := col.reqs[0]
			eq(t, r.Method, "POST")
			eq(t, r.URL.Path, "/base/v1/traces")
			eq(t, r.Header.Get("Content-Type"), "application/x-protobuf")
			eq(t, r.Header.Get("Authorization"), "Bearer "+secret)
			eq(t, r.Header.Get("User-Agent"), "strata/v9")
			eq(t, r.Header.Get("Content-Encoding") == "gzip", c.env["OTEL_EXPORTER_OTLP_COMPRESSION"] == "gzip")
			for _, b := range col.bodies {
				var req coltrace.ExportTraceServiceRequest
				if err := proto.Unmarshal(b, &req); err != nil || len(req.ResourceSpans) != 1 || req.ResourceSpans[0].ScopeSpans[0].Spans[0].Name != "strata up" {
					t.Errorf("body did not decode to the span: %v", err)
				}
			}
		})
	}
}

// TestSendShutdown: after Shutdown, exporting is an error and sends
// nothing.
func TestSendShutdown(t *testing.T) {
	t.Parallel()
	col, srv := newCollector(t)
	srv.Start()
	cfg, err := loadExportConfig(lookup(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL}), "METRICS")
	if err != nil {
		t.Fatal(err)
	}
	exp := &metricExporter{c: newOTLPClient(cfg, "v", "data points")}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	rm := &metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: []metricdata.Metrics{{Name: "m", Data: metricdata.Gauge[int64]{}}}}}}
	if err := exp.Export(context.Background(), rm); err == nil {
		t.Error("export after shutdown succeeded")
	}
	if len(col.reqs) != 0 {
		t.Errorf("%d POSTs after shutdown", len(col.reqs))
	}
}

// TestSendTLS: an https collector is reached with the CA of
// OTEL_EXPORTER_OTLP_CERTIFICATE (and not without it), and one that
// requires a client certificate with the pair of
// OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE/_CLIENT_KEY.
func TestSendTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clientCert, clientKey := writeCert(t, dir, "client")
	clientPool := x509.NewCertPool()
	pemBytes, _ := os.ReadFile(clientCert)
	clientPool.AppendCertsFromPEM(pemBytes)

	_, srv := newCollector(t)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientPool}
	srv.StartTLS()
	caFile := filepath.Join(dir, "server-ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)

	spans := tracetest.SpanStubs{{Name: "s"}}.Snapshots()
	cases := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"no CA", map[string]string{}, "certificate"},
		{"CA, no client certificate", map[string]string{"OTEL_EXPORTER_OTLP_CERTIFICATE": caFile}, "certificate"},
		{"CA and client certificate", map[string]string{"OTEL_EXPORTER_OTLP_CERTIFICATE": caFile, "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": clientCert, "OTEL_EXPORTER_OTLP_CLIENT_KEY": clientKey}, ""},
		{"per-signal forms", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE": caFile, "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE": clientCert, "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY": clientKey}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.env["OTEL_EXPORTER_OTLP_ENDPOINT"] = srv.URL
			c.env["OTEL_EXPORTER_OTLP_TIMEOUT"] = "3000"
			cfg, err := loadExportConfig(lookup(c.env), "TRACES")
			if err != nil {
				t.Fatal(err)
			}
			err = (&spanExporter{c: newOTLPClient(cfg, "v", "spans")}).ExportSpans(context.Background(), spans)
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("want error %q, got %v", c.wantErr, err)
			}
		})
	}
}

// writeCert writes a self-signed certificate for localhost and its key
// as PEM files in dir.
func writeCert(t *testing.T, dir, name string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		IsCA:        true, BasicConstraintsValid: true, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	if err := errors.Join(
		os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600),
		os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600),
	); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestRecorderOTLP: a Recorder started with an endpoint in its Lookup
// (not the process environment) sends the run's spans and metrics, with
// the resource of OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, over
// gzip when asked.
func TestRecorderOTLP(t *testing.T) {
	t.Parallel()
	col, srv := newCollector(t)
	srv.Start()
	r, err := Start(context.Background(), lookup(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":    srv.URL,
		"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
		"OTEL_SERVICE_NAME":              "billing-migrations",
		"OTEL_RESOURCE_ATTRIBUTES":       "deployment.environment=prod,team=db%20ops",
	}), "up", "v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	m := &source.Migration{Description: "x", Path: "0001_x.sql"}
	t0 := time.Now()
	o := r.Observer()
	o(strata.Event{Kind: strata.EventLockAcquired, Duration: 2 * time.Second})
	o(strata.Event{Kind: strata.EventMigrationStart, Migration: m, File: "0001_x.sql", Direction: strata.DirectionUp, Time: t0})
	o(strata.Event{Kind: strata.EventMigrationDone, Migration: m, File: "0001_x.sql", Direction: strata.DirectionUp, Duration: 1500 * time.Millisecond, Time: t0.Add(1500 * time.Millisecond)})
	if err := r.End(context.Background(), 0); err != nil {
		t.Fatal(err)
	}

	col.mu.Lock()
	defer col.mu.Unlock()
	var spans []*tracepb.Span
	metrics := map[string]*metricpb.Metric{}
	for i, req := range col.reqs {
		eq(t, req.Header.Get("Content-Encoding"), "gzip")
		var resAttrs map[string]string
		switch req.URL.Path {
		case "/v1/traces":
			var m coltrace.ExportTraceServiceRequest
			if err := proto.Unmarshal(col.bodies[i], &m); err != nil {
				t.Fatal(err)
			}
			for _, rs := range m.ResourceSpans {
				resAttrs = strAttrs(rs.Resource.Attributes)
				for _, ss := range rs.ScopeSpans {
					eq(t, ss.Scope.Name, "github.com/strata-db/strata")
					spans = append(spans, ss.Spans...)
				}
			}
		case "/v1/metrics":
			var m colmetric.ExportMetricsServiceRequest
			if err := proto.Unmarshal(col.bodies[i], &m); err != nil {
				t.Fatal(err)
			}
			for _, rm := range m.ResourceMetrics {
				resAttrs = strAttrs(rm.Resource.Attributes)
				for _, sm := range rm.ScopeMetrics {
					for _, x := range sm.Metrics {
						metrics[x.Name] = x
					}
				}
			}
		default:
			t.Fatalf("POST to %s", req.URL.Path)
		}
		for k, v := range map[string]string{"service.name": "billing-migrations", "service.version": "v1.2.3", "deployment.environment": "prod", "team": "db ops", "telemetry.sdk.language": "go"} {
			eq(t, resAttrs[k], v)
		}
	}
	if len(spans) != 2 {
		t.Fatalf("want 2 spans, got %d", len(spans))
	}
	run, file := spans[1], spans[0] // the file's span ends first
	eq(t, run.Name, "strata up")
	if !strings.HasPrefix(file.Name, "migration ") {
		t.Errorf("second span %q", file.Name)
	}
	eq(t, string(file.ParentSpanId), string(run.SpanId))
	eq(t, string(file.TraceId), string(run.TraceId))
	eq(t, strAttrs(file.Attributes)["strata.outcome"], "applied")
	eq(t, run.Status.GetCode(), tracepb.Status_STATUS_CODE_UNSET)

	sum := metrics["strata.migrations"].GetSum()
	if sum == nil || len(sum.DataPoints) != 1 {
		t.Fatalf("strata.migrations: %v", metrics["strata.migrations"])
	}
	eq(t, sum.DataPoints[0].GetAsInt(), 1)
	eq(t, sum.IsMonotonic, true)
	eq(t, sum.AggregationTemporality, metricpb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE)
	eq(t, strAttrs(sum.DataPoints[0].Attributes)["outcome"], "applied")
	h := metrics["strata.migration.duration"].GetHistogram()
	if h == nil || len(h.DataPoints) != 1 {
		t.Fatalf("strata.migration.duration: %v", metrics["strata.migration.duration"])
	}
	p := h.DataPoints[0]
	eq(t, p.Count, 1)
	eq(t, p.GetSum(), 1.5)
	eq(t, p.GetMin(), 1.5)
	eq(t, p.GetMax(), 1.5)
	if len(p.BucketCounts) != len(p.ExplicitBounds)+1 || len(p.ExplicitBounds) == 0 {
		t.Errorf("%d buckets for %d bounds", len(p.BucketCounts), len(p.ExplicitBounds))
	}
	var n uint64
	for i, c := range p.BucketCounts {
		n += c
		if c == 1 && !(p.ExplicitBounds[i-1] < 1.5 && 1.5 <= p.ExplicitBounds[i]) {
			t.Errorf("1.5 counted in bucket %d (%v)", i, p.ExplicitBounds)
		}
	}
	eq(t, n, 1)
	eq(t, metrics["strata.lock.wait"].GetHistogram().GetDataPoints()[0].GetSum(), 2.0)
}

func strAttrs(kvs []*common.KeyValue) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		out[kv.Key] = kv.Value.GetStringValue()
	}
	return out
}

// TestGzipBody: what a gzip export sends decompresses to the encoded
// request itself.
func TestGzipBody(t *testing.T) {
	t.Parallel()
	col, srv := newCollector(t)
	srv.Start()
	cfg, err := loadExportConfig(lookup(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL, "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"}), "TRACES")
	if err != nil {
		t.Fatal(err)
	}
	spans := tracetest.SpanStubs{{Name: strings.Repeat("z", 5000)}}.Snapshots()
	if err := (&spanExporter{c: newOTLPClient(cfg, "v", "spans")}).ExportSpans(context.Background(), spans); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(col.bodies[0], appendTraceRequest(nil, spans)) {
		t.Error("the gzip body is not the encoded request")
	}
}
