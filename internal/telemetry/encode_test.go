package telemetry

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	colmetric "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	common "go.opentelemetry.io/proto/otlp/common/v1"
	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"
	respb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The official protobuf types below decode what the hand-written
// encoder makes: the proof that its field numbers, wire types and
// lengths are right.

func kvStr(k, v string) *common.KeyValue {
	return &common.KeyValue{Key: k, Value: &common.AnyValue{Value: &common.AnyValue_StringValue{StringValue: v}}}
}

func anyInt(v int64) *common.AnyValue {
	return &common.AnyValue{Value: &common.AnyValue_IntValue{IntValue: v}}
}

func anyStr(v string) *common.AnyValue {
	return &common.AnyValue{Value: &common.AnyValue_StringValue{StringValue: v}}
}

// TestAppendMessageLengths: a nested message's length is right whether
// it takes one, two, three or four bytes.
func TestAppendMessageLengths(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 127, 128, 300, 16383, 16384, 1 << 21} {
		body := bytes.Repeat([]byte{'x'}, n)
		b := appendMessage([]byte{0xAA}, 7, func(b []byte) []byte { return append(b, body...) })
		b = appendVarint(b, 1, 42) // a field after it still parses
		if b[0] != 0xAA {
			t.Fatalf("%d: prefix overwritten", n)
		}
		num, typ, tagLen := protowire.ConsumeTag(b[1:])
		if num != 7 || typ != protowire.BytesType {
			t.Fatalf("%d: tag %d/%d", n, num, typ)
		}
		got, l := protowire.ConsumeBytes(b[1+tagLen:])
		if l < 0 || !bytes.Equal(got, body) {
			t.Fatalf("%d: body of %d bytes decoded as %d (err %d)", n, n, len(got), l)
		}
		rest := b[1+tagLen+l:]
		if num, _, tl := protowire.ConsumeTag(rest); num != 1 {
			t.Fatalf("%d: next field %d", n, num)
		} else if v, _ := protowire.ConsumeVarint(rest[tl:]); v != 42 {
			t.Fatalf("%d: next field value %d", n, v)
		}
	}
}

// TestEncodeSpans: spans decode with the official types to the same
// ids, parents, names, kinds, times, attributes of every type, events,
// links, status and flags, grouped by resource and scope.
func TestEncodeSpans(t *testing.T) {
	t.Parallel()
	tid := trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	root := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{1, 1, 1, 1, 1, 1, 1, 1}, TraceFlags: trace.FlagsSampled})
	child := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{2, 2, 2, 2, 2, 2, 2, 2}, TraceFlags: trace.FlagsSampled})
	ts, _ := trace.ParseTraceState("vendor=value")
	remote := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{9}, SpanID: trace.SpanID{9}, TraceState: ts, Remote: true})
	res := resource.NewWithAttributes("https://opentelemetry.io/schemas/1.37.0", attribute.String("service.name", "strata"), attribute.String("service.version", "v1.2.3"))
	other := resource.NewSchemaless(attribute.String("service.name", "other"))
	scope := instrumentation.Scope{Name: "github.com/strata-db/strata", Version: "v1", Attributes: attribute.NewSet(attribute.Bool("s", true))}
	t0 := time.Unix(1700000000, 123456789)
	long := strings.Repeat("n", 20000) // lengths of three bytes

	stubs := tracetest.SpanStubs{
		{
			Name: "strata up", SpanContext: root, SpanKind: trace.SpanKindInternal,
			StartTime: t0, EndTime: t0.Add(3 * time.Second),
			Attributes: []attribute.KeyValue{
				attribute.String("strata.command", "up"), attribute.Int("strata.exit_code", -1),
				attribute.Bool("b", false), attribute.Float64("f", 1.5),
				attribute.StringSlice("ss", []string{"a", ""}), attribute.Int64Slice("is", []int64{1, -2}),
				attribute.BoolSlice("bs", []bool{true, false}), attribute.Float64Slice("fs", []float64{0.25}),
				attribute.String("long", long),
			},
			Status:   sdktrace.Status{Code: codes.Error, Description: "exit code 4"},
			Resource: res, InstrumentationScope: scope,
			Links:        []sdktrace.Link{{SpanContext: remote, Attributes: []attribute.KeyValue{attribute.String("l", "1")}, DroppedAttributeCount: 2}},
			DroppedLinks: 1,
		},
		{
			Name: "migration 1", SpanContext: child, Parent: root, SpanKind: trace.SpanKindClient,
			StartTime: t0.Add(time.Second), EndTime: t0.Add(2 * time.Second),
			Attributes: []attribute.KeyValue{attribute.String("strata.version", "1"), attribute.Int("strata.statements", 2)},
			Events:     []sdktrace.Event{{Name: "retry", Time: t0.Add(1500 * time.Millisecond), Attributes: []attribute.KeyValue{attribute.Int("n", 2)}}},
			Status:     sdktrace.Status{Code: codes.Ok}, DroppedAttributes: 3,
			Resource: res, InstrumentationScope: scope,
		},
		{
			Name: "elsewhere", SpanContext: remote, Parent: remote, SpanKind: trace.SpanKindServer,
			StartTime: t0, EndTime: t0, Resource: other, InstrumentationScope: instrumentation.Scope{Name: "x"},
		},
	}
	var req coltrace.ExportTraceServiceRequest
	if err := proto.Unmarshal(appendTraceRequest(nil, stubs.Snapshots()), &req); err != nil {
		t.Fatal(err)
	}

	scopePB := &common.InstrumentationScope{Name: "github.com/strata-db/strata", Version: "v1", Attributes: []*common.KeyValue{{Key: "s", Value: &common.AnyValue{Value: &common.AnyValue_BoolValue{BoolValue: true}}}}}
	arr := func(vs ...*common.AnyValue) *common.AnyValue {
		return &common.AnyValue{Value: &common.AnyValue_ArrayValue{ArrayValue: &common.ArrayValue{Values: vs}}}
	}
	boolV := func(b bool) *common.AnyValue {
		return &common.AnyValue{Value: &common.AnyValue_BoolValue{BoolValue: b}}
	}
	nano := func(t time.Time) uint64 { return uint64(t.UnixNano()) }
	want := &coltrace.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{
		{
			Resource:  &respb.Resource{Attributes: []*common.KeyValue{kvStr("service.name", "strata"), kvStr("service.version", "v1.2.3")}},
			SchemaUrl: "https://opentelemetry.io/schemas/1.37.0",
			ScopeSpans: []*tracepb.ScopeSpans{{Scope: scopePB, Spans: []*tracepb.Span{
				{
					TraceId: tid[:], SpanId: []byte{1, 1, 1, 1, 1, 1, 1, 1}, Name: "strata up",
					Kind: tracepb.Span_SPAN_KIND_INTERNAL, StartTimeUnixNano: nano(t0), EndTimeUnixNano: nano(t0.Add(3 * time.Second)),
					Attributes: []*common.KeyValue{
						kvStr("strata.command", "up"), {Key: "strata.exit_code", Value: anyInt(-1)},
						{Key: "b", Value: boolV(false)}, {Key: "f", Value: &common.AnyValue{Value: &common.AnyValue_DoubleValue{DoubleValue: 1.5}}},
						{Key: "ss", Value: arr(anyStr("a"), anyStr(""))}, {Key: "is", Value: arr(anyInt(1), anyInt(-2))},
						{Key: "bs", Value: arr(boolV(true), boolV(false))},
						{Key: "fs", Value: arr(&common.AnyValue{Value: &common.AnyValue_DoubleValue{DoubleValue: 0.25}})},
						kvStr("long", long),
					},
					Links: []*tracepb.Span_Link{{
						TraceId: []byte{9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, SpanId: []byte{9, 0, 0, 0, 0, 0, 0, 0},
						TraceState: "vendor=value", Attributes: []*common.KeyValue{kvStr("l", "1")}, DroppedAttributesCount: 2,
						Flags: 0x300,
					}},
					DroppedLinksCount: 1,
					Status:            &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "exit code 4"},
					Flags:             0x101,
				},
				{
					TraceId: tid[:], SpanId: []byte{2, 2, 2, 2, 2, 2, 2, 2}, ParentSpanId: []byte{1, 1, 1, 1, 1, 1, 1, 1},
					Name: "migration 1", Kind: tracepb.Span_SPAN_KIND_CLIENT,
					StartTimeUnixNano: nano(t0.Add(time.Second)), EndTimeUnixNano: nano(t0.Add(2 * time.Second)),
					Attributes:             []*common.KeyValue{kvStr("strata.version", "1"), {Key: "strata.statements", Value: anyInt(2)}},
					DroppedAttributesCount: 3,
					Events:                 []*tracepb.Span_Event{{Name: "retry", TimeUnixNano: nano(t0.Add(1500 * time.Millisecond)), Attributes: []*common.KeyValue{{Key: "n", Value: anyInt(2)}}}},
					Status:                 &tracepb.Status{Code: tracepb.Status_STATUS_CODE_OK},
					Flags:                  0x101,
				},
			}}},
		},
		{
			Resource: &respb.Resource{Attributes: []*common.KeyValue{kvStr("service.name", "other")}},
			ScopeSpans: []*tracepb.ScopeSpans{{Scope: &common.InstrumentationScope{Name: "x"}, Spans: []*tracepb.Span{{
				TraceId: []byte{9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, SpanId: []byte{9, 0, 0, 0, 0, 0, 0, 0},
				TraceState: "vendor=value", ParentSpanId: []byte{9, 0, 0, 0, 0, 0, 0, 0},
				Name: "elsewhere", Kind: tracepb.Span_SPAN_KIND_SERVER, StartTimeUnixNano: nano(t0), EndTimeUnixNano: nano(t0),
				Status: &tracepb.Status{}, Flags: 0x300,
			}}}},
		},
	}}
	if !proto.Equal(&req, want) {
		t.Errorf("decoded request differs:\n got %s\nwant %s", short(&req), short(want))
	}
}

// short is m in text form with long strings cut, for failure messages.
func short(m proto.Message) string {
	s := prototext.Format(m)
	return strings.ReplaceAll(s, strings.Repeat("n", 20000), "n…")
}

// TestEncodeMetrics: sums (int and float, cumulative and delta,
// monotonic or not), histograms (count, sum, bounds, bucket counts,
// min/max, exemplars), gauges, their attributes and times decode with the
// official types; an aggregation it does not encode is left out with an
// error naming it, and the rest still go.
func TestEncodeMetrics(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1700000000, 5)
	t1 := t0.Add(10 * time.Second)
	applied := attribute.NewSet(attribute.String("outcome", "applied"), attribute.String("direction", "up"))
	res := resource.NewSchemaless(attribute.String("service.name", "strata"))
	rm := &metricdata.ResourceMetrics{Resource: res, ScopeMetrics: []metricdata.ScopeMetrics{{
		Scope: instrumentation.Scope{Name: "github.com/strata-db/strata"},
		Metrics: []metricdata.Metrics{
			{Name: "strata.migrations", Description: "files", Unit: "{file}", Data: metricdata.Sum[int64]{
				Temporality: metricdata.CumulativeTemporality, IsMonotonic: true,
				DataPoints: []metricdata.DataPoint[int64]{{Attributes: applied, StartTime: t0, Time: t1, Value: 2}},
			}},
			{Name: "delta", Data: metricdata.Sum[float64]{
				Temporality: metricdata.DeltaTemporality,
				DataPoints:  []metricdata.DataPoint[float64]{{StartTime: t0, Time: t1, Value: -0.5}},
			}},
			{Name: "strata.migration.duration", Unit: "s", Data: metricdata.Histogram[float64]{
				Temporality: metricdata.CumulativeTemporality,
				DataPoints: []metricdata.HistogramDataPoint[float64]{{
					Attributes: applied, StartTime: t0, Time: t1, Count: 3,
					Bounds: []float64{0, 5, 10}, BucketCounts: []uint64{0, 2, 1, 0}, Sum: 12.5,
					Min: metricdata.NewExtrema(1.5), Max: metricdata.NewExtrema(6.0),
					Exemplars: []metricdata.Exemplar[float64]{{
						Time: t1, Value: 6, TraceID: bytes.Repeat([]byte{7}, 16), SpanID: bytes.Repeat([]byte{8}, 8),
						FilteredAttributes: []attribute.KeyValue{attribute.String("k", "v")},
					}},
				}},
			}},
			{Name: "ints", Data: metricdata.Histogram[int64]{
				Temporality: metricdata.DeltaTemporality,
				DataPoints:  []metricdata.HistogramDataPoint[int64]{{StartTime: t0, Time: t1, Count: 1, Bounds: []float64{1}, BucketCounts: []uint64{0, 1}, Sum: 4}},
			}},
			{Name: "exp", Data: metricdata.ExponentialHistogram[float64]{}},
			{Name: "gauge", Data: metricdata.Gauge[int64]{DataPoints: []metricdata.DataPoint[int64]{{Time: t1, Value: -7, Exemplars: []metricdata.Exemplar[int64]{{Time: t1, Value: -7}}}}}},
			{Name: "fgauge", Data: metricdata.Gauge[float64]{DataPoints: []metricdata.DataPoint[float64]{{Time: t1, Value: 0}}}},
		},
	}}}
	b, err := appendMetricsRequest(nil, rm)
	if err == nil || !strings.Contains(err.Error(), "exp (metricdata.ExponentialHistogram[float64])") {
		t.Errorf("want an error naming the exponential histogram, got %v", err)
	}
	var req colmetric.ExportMetricsServiceRequest
	if err := proto.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	nano := func(t time.Time) uint64 { return uint64(t.UnixNano()) }
	appliedPB := []*common.KeyValue{kvStr("direction", "up"), kvStr("outcome", "applied")} // a Set is sorted
	want := &colmetric.ExportMetricsServiceRequest{ResourceMetrics: []*metricpb.ResourceMetrics{{
		Resource: &respb.Resource{Attributes: []*common.KeyValue{kvStr("service.name", "strata")}},
		ScopeMetrics: []*metricpb.ScopeMetrics{{
			Scope: &common.InstrumentationScope{Name: "github.com/strata-db/strata"},
			Metrics: []*metricpb.Metric{
				{Name: "strata.migrations", Description: "files", Unit: "{file}", Data: &metricpb.Metric_Sum{Sum: &metricpb.Sum{
					AggregationTemporality: metricpb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE, IsMonotonic: true,
					DataPoints: []*metricpb.NumberDataPoint{{Attributes: appliedPB, StartTimeUnixNano: nano(t0), TimeUnixNano: nano(t1), Value: &metricpb.NumberDataPoint_AsInt{AsInt: 2}}},
				}}},
				{Name: "delta", Data: &metricpb.Metric_Sum{Sum: &metricpb.Sum{
					AggregationTemporality: metricpb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA,
					DataPoints:             []*metricpb.NumberDataPoint{{StartTimeUnixNano: nano(t0), TimeUnixNano: nano(t1), Value: &metricpb.NumberDataPoint_AsDouble{AsDouble: -0.5}}},
				}}},
				{Name: "strata.migration.duration", Unit: "s", Data: &metricpb.Metric_Histogram{Histogram: &metricpb.Histogram{
					AggregationTemporality: metricpb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE,
					DataPoints: []*metricpb.HistogramDataPoint{{
						Attributes: appliedPB, StartTimeUnixNano: nano(t0), TimeUnixNano: nano(t1), Count: 3,
						ExplicitBounds: []float64{0, 5, 10}, BucketCounts: []uint64{0, 2, 1, 0}, Sum: f(12.5), Min: f(1.5), Max: f(6),
						Exemplars: []*metricpb.Exemplar{{
							TimeUnixNano: nano(t1), Value: &metricpb.Exemplar_AsDouble{AsDouble: 6},
							TraceId: bytes.Repeat([]byte{7}, 16), SpanId: bytes.Repeat([]byte{8}, 8),
							FilteredAttributes: []*common.KeyValue{kvStr("k", "v")},
						}},
					}},
				}}},
				{Name: "ints", Data: &metricpb.Metric_Histogram{Histogram: &metricpb.Histogram{
					AggregationTemporality: metricpb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA,
					DataPoints: []*metricpb.HistogramDataPoint{{
						StartTimeUnixNano: nano(t0), TimeUnixNano: nano(t1), Count: 1,
						ExplicitBounds: []float64{1}, BucketCounts: []uint64{0, 1}, Sum: f(4),
					}},
				}}},
				{Name: "gauge", Data: &metricpb.Metric_Gauge{Gauge: &metricpb.Gauge{DataPoints: []*metricpb.NumberDataPoint{{
					TimeUnixNano: nano(t1), Value: &metricpb.NumberDataPoint_AsInt{AsInt: -7},
					Exemplars: []*metricpb.Exemplar{{TimeUnixNano: nano(t1), Value: &metricpb.Exemplar_AsInt{AsInt: -7}}},
				}}}}},
				{Name: "fgauge", Data: &metricpb.Metric_Gauge{Gauge: &metricpb.Gauge{DataPoints: []*metricpb.NumberDataPoint{{
					TimeUnixNano: nano(t1), Value: &metricpb.NumberDataPoint_AsDouble{AsDouble: 0},
				}}}}},
			},
		}},
	}}}
	if !proto.Equal(&req, want) {
		t.Errorf("decoded request differs:\n got %s\nwant %s", prototext.Format(&req), prototext.Format(want))
	}
}
