package telemetry

import (
	"fmt"
	"math"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// OTLP enum values and flags (trace/v1, metrics/v1).
const (
	statusUnset = 0
	statusOK    = 1
	statusError = 2

	temporalityDelta      = 1
	temporalityCumulative = 2

	flagHasIsRemote = 0x100 // SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK
	flagIsRemote    = 0x200 // SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK
)

// appendTraceRequest appends spans as a collector.trace.v1
// ExportTraceServiceRequest: grouped by resource, then by
// instrumentation scope, in the order they come.
func appendTraceRequest(b []byte, spans []sdktrace.ReadOnlySpan) []byte {
	type scopeSpans struct {
		scope instrumentation.Scope
		spans []sdktrace.ReadOnlySpan
	}
	type resourceSpans struct {
		res    *resource.Resource
		scopes []*scopeSpans
	}
	type scopeKey struct {
		res   attribute.Distinct
		scope instrumentation.Scope
	}
	var groups []*resourceSpans
	byRes := map[attribute.Distinct]*resourceSpans{}
	byScope := map[scopeKey]*scopeSpans{}
	for _, s := range spans {
		if s == nil {
			continue
		}
		rk := s.Resource().Equivalent()
		rs := byRes[rk]
		if rs == nil {
			rs = &resourceSpans{res: s.Resource()}
			byRes[rk] = rs
			groups = append(groups, rs)
		}
		sk := scopeKey{rk, s.InstrumentationScope()}
		ss := byScope[sk]
		if ss == nil {
			ss = &scopeSpans{scope: sk.scope}
			byScope[sk] = ss
			rs.scopes = append(rs.scopes, ss)
		}
		ss.spans = append(ss.spans, s)
	}
	for _, rs := range groups {
		b = appendMessage(b, 1, func(b []byte) []byte { // ResourceSpans
			b = appendMessage(b, 1, func(b []byte) []byte { return appendResource(b, rs.res) })
			for _, ss := range rs.scopes {
				b = appendMessage(b, 2, func(b []byte) []byte { // ScopeSpans
					b = appendMessage(b, 1, func(b []byte) []byte { return appendScope(b, ss.scope) })
					for _, s := range ss.spans {
						b = appendMessage(b, 2, func(b []byte) []byte { return appendSpan(b, s) })
					}
					return appendStringOpt(b, 3, ss.scope.SchemaURL)
				})
			}
			return appendStringOpt(b, 3, rs.res.SchemaURL())
		})
	}
	return b
}

// appendSpan writes the body of a trace.v1.Span.
func appendSpan(b []byte, s sdktrace.ReadOnlySpan) []byte {
	sc := s.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	b = appendBytes(b, 1, tid[:])
	b = appendBytes(b, 2, sid[:])
	b = appendStringOpt(b, 3, sc.TraceState().String())
	parent := s.Parent()
	if psid := parent.SpanID(); psid.IsValid() {
		b = appendBytes(b, 4, psid[:])
	}
	b = appendStringOpt(b, 5, s.Name())
	b = appendVarintOpt(b, 6, spanKind(s.SpanKind()))
	b = appendFixed64Opt(b, 7, unixNano(s.StartTime()))
	b = appendFixed64Opt(b, 8, unixNano(s.EndTime()))
	b = appendKeyValues(b, 9, s.Attributes())
	b = appendVarintOpt(b, 10, clampUint32(s.DroppedAttributes()))
	for _, e := range s.Events() {
		b = appendMessage(b, 11, func(b []byte) []byte { // Span.Event
			b = appendFixed64Opt(b, 1, unixNano(e.Time))
			b = appendStringOpt(b, 2, e.Name)
			b = appendKeyValues(b, 3, e.Attributes)
			return appendVarintOpt(b, 4, clampUint32(e.DroppedAttributeCount))
		})
	}
	b = appendVarintOpt(b, 12, clampUint32(s.DroppedEvents()))
	for _, l := range s.Links() {
		b = appendMessage(b, 13, func(b []byte) []byte { // Span.Link
			ltid, lsid := l.SpanContext.TraceID(), l.SpanContext.SpanID()
			b = appendBytes(b, 1, ltid[:])
			b = appendBytes(b, 2, lsid[:])
			b = appendStringOpt(b, 3, l.SpanContext.TraceState().String())
			b = appendKeyValues(b, 4, l.Attributes)
			b = appendVarintOpt(b, 5, clampUint32(l.DroppedAttributeCount))
			return appendFixed32(b, 6, spanFlags(l.SpanContext.TraceFlags(), l.SpanContext))
		})
	}
	b = appendVarintOpt(b, 14, clampUint32(s.DroppedLinks()))
	st := s.Status()
	b = appendMessage(b, 15, func(b []byte) []byte { // Status
		b = appendStringOpt(b, 2, st.Description)
		return appendVarintOpt(b, 3, statusCode(st.Code))
	})
	return appendFixed32(b, 16, spanFlags(sc.TraceFlags(), parent))
}

func statusCode(c codes.Code) uint64 {
	switch c {
	case codes.Ok:
		return statusOK
	case codes.Error:
		return statusError
	}
	return statusUnset
}

// spanKind maps the API's span kinds to trace.v1.Span.SpanKind.
func spanKind(k trace.SpanKind) uint64 {
	switch k {
	case trace.SpanKindInternal:
		return 1
	case trace.SpanKindServer:
		return 2
	case trace.SpanKindClient:
		return 3
	case trace.SpanKindProducer:
		return 4
	case trace.SpanKindConsumer:
		return 5
	}
	return 0
}

// spanFlags are the W3C trace flags and whether parent is remote, as
// trace.v1.SpanFlags.
func spanFlags(tf trace.TraceFlags, parent trace.SpanContext) uint32 {
	f := uint32(tf) | flagHasIsRemote
	if parent.IsRemote() {
		f |= flagIsRemote
	}
	return f
}

func clampUint32(v int) uint64 {
	return uint64(min(max(v, 0), math.MaxUint32))
}

// appendMetricsRequest appends rm as a collector.metrics.v1
// ExportMetricsServiceRequest. Metrics of an aggregation it does not
// encode (exponential histograms, summaries: strata makes none) are left
// out and reported in the error; the rest are encoded.
func appendMetricsRequest(b []byte, rm *metricdata.ResourceMetrics) ([]byte, error) {
	var skipped []string
	b = appendMessage(b, 1, func(b []byte) []byte { // ResourceMetrics
		b = appendMessage(b, 1, func(b []byte) []byte { return appendResource(b, rm.Resource) })
		for _, sm := range rm.ScopeMetrics {
			b = appendMessage(b, 2, func(b []byte) []byte { // ScopeMetrics
				b = appendMessage(b, 1, func(b []byte) []byte { return appendScope(b, sm.Scope) })
				for _, m := range sm.Metrics {
					var ok bool
					if b, ok = appendMetric(b, m); !ok {
						skipped = append(skipped, fmt.Sprintf("%s (%T)", m.Name, m.Data))
					}
				}
				return appendStringOpt(b, 3, sm.Scope.SchemaURL)
			})
		}
		return appendStringOpt(b, 3, rm.Resource.SchemaURL())
	})
	if len(skipped) > 0 {
		return b, fmt.Errorf("telemetry: OTLP exporter cannot encode metrics %v", skipped)
	}
	return b, nil
}

// appendMetric appends m as field 2 of a ScopeMetrics, or reports false
// and appends nothing when its aggregation is not one it encodes.
func appendMetric(b []byte, m metricdata.Metrics) ([]byte, bool) {
	var field int
	var data func([]byte) []byte
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		field, data = 7, func(b []byte) []byte { return appendSum(b, d) }
	case metricdata.Sum[float64]:
		field, data = 7, func(b []byte) []byte { return appendSum(b, d) }
	case metricdata.Histogram[int64]:
		field, data = 9, func(b []byte) []byte { return appendHistogram(b, d) }
	case metricdata.Histogram[float64]:
		field, data = 9, func(b []byte) []byte { return appendHistogram(b, d) }
	case metricdata.Gauge[int64]:
		field, data = 5, func(b []byte) []byte { return appendNumberPoints(b, d.DataPoints) }
	case metricdata.Gauge[float64]:
		field, data = 5, func(b []byte) []byte { return appendNumberPoints(b, d.DataPoints) }
	default:
		return b, false
	}
	return appendMessage(b, 2, func(b []byte) []byte { // Metric
		b = appendStringOpt(b, 1, m.Name)
		b = appendStringOpt(b, 2, m.Description)
		b = appendStringOpt(b, 3, m.Unit)
		return appendMessage(b, field, data)
	}), true
}

// temporality maps the SDK's temporality to metrics.v1.AggregationTemporality.
func temporality(t metricdata.Temporality) uint64 {
	switch t {
	case metricdata.DeltaTemporality:
		return temporalityDelta
	case metricdata.CumulativeTemporality:
		return temporalityCumulative
	}
	return 0
}

// appendSum writes the body of a metrics.v1.Sum.
func appendSum[N int64 | float64](b []byte, s metricdata.Sum[N]) []byte {
	b = appendNumberPoints(b, s.DataPoints)
	b = appendVarintOpt(b, 2, temporality(s.Temporality))
	return appendVarintOpt(b, 3, boolVarint(s.IsMonotonic))
}

// appendNumberPoints writes points as NumberDataPoints, field 1 of a Sum
// or a Gauge.
func appendNumberPoints[N int64 | float64](b []byte, points []metricdata.DataPoint[N]) []byte {
	for _, p := range points {
		b = appendMessage(b, 1, func(b []byte) []byte { // NumberDataPoint
			b = appendFixed64Opt(b, 2, unixNano(p.StartTime))
			b = appendFixed64Opt(b, 3, unixNano(p.Time))
			b = appendNumber(b, 4, 6, p.Value)
			b = appendExemplars(b, 5, p.Exemplars)
			return appendAttrSet(b, 7, p.Attributes)
		})
	}
	return b
}

// appendNumber writes v in the double field or the sfixed64 int field
// of a NumberDataPoint or Exemplar oneof.
func appendNumber[N int64 | float64](b []byte, doubleField, intField int, v N) []byte {
	switch v := any(v).(type) {
	case int64:
		return appendFixed64(b, intField, uint64(v))
	case float64:
		return appendDouble(b, doubleField, v)
	}
	return b
}

// appendHistogram writes the body of a metrics.v1.Histogram.
func appendHistogram[N int64 | float64](b []byte, h metricdata.Histogram[N]) []byte {
	for _, p := range h.DataPoints {
		b = appendMessage(b, 1, func(b []byte) []byte { // HistogramDataPoint
			b = appendFixed64Opt(b, 2, unixNano(p.StartTime))
			b = appendFixed64Opt(b, 3, unixNano(p.Time))
			b = appendFixed64(b, 4, p.Count)
			b = appendDouble(b, 5, float64(p.Sum))
			b = appendPackedFixed64(b, 6, p.BucketCounts)
			bounds := make([]uint64, len(p.Bounds))
			for i, x := range p.Bounds {
				bounds[i] = math.Float64bits(x)
			}
			b = appendPackedFixed64(b, 7, bounds)
			b = appendExemplars(b, 8, p.Exemplars)
			b = appendAttrSet(b, 9, p.Attributes)
			if v, ok := p.Min.Value(); ok {
				b = appendDouble(b, 11, float64(v))
			}
			if v, ok := p.Max.Value(); ok {
				b = appendDouble(b, 12, float64(v))
			}
			return b
		})
	}
	return appendVarintOpt(b, 2, temporality(h.Temporality))
}

// appendExemplars writes es as metrics.v1.Exemplars in field.
func appendExemplars[N int64 | float64](b []byte, field int, es []metricdata.Exemplar[N]) []byte {
	for _, e := range es {
		b = appendMessage(b, field, func(b []byte) []byte {
			b = appendFixed64Opt(b, 2, unixNano(e.Time))
			b = appendNumber(b, 3, 6, e.Value)
			if len(e.SpanID) > 0 {
				b = appendBytes(b, 4, e.SpanID)
			}
			if len(e.TraceID) > 0 {
				b = appendBytes(b, 5, e.TraceID)
			}
			return appendKeyValues(b, 7, e.FilteredAttributes)
		})
	}
	return b
}
