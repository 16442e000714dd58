package telemetry

// A hand-written encoder for the few OTLP protobuf messages strata
// sends, so that the binary links neither google.golang.org/protobuf nor
// the generated OTLP types (their init work costs every start, telemetry
// on or off). Field numbers are those of opentelemetry-proto
// (common/v1, resource/v1, trace/v1, metrics/v1 and the collector
// services' Export*ServiceRequest/Response).

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
)

// Protobuf wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

func appendTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire))
}

// appendVarint writes a varint field, even when v is 0 (for oneofs).
func appendVarint(b []byte, field int, v uint64) []byte {
	return binary.AppendUvarint(appendTag(b, field, wireVarint), v)
}

// appendVarintOpt writes a varint field unless v is 0, the proto3 default.
func appendVarintOpt(b []byte, field int, v uint64) []byte {
	if v == 0 {
		return b
	}
	return appendVarint(b, field, v)
}

func appendFixed64(b []byte, field int, v uint64) []byte {
	return binary.LittleEndian.AppendUint64(appendTag(b, field, wireFixed64), v)
}

// appendFixed64Opt writes a fixed64 field unless v is 0.
func appendFixed64Opt(b []byte, field int, v uint64) []byte {
	if v == 0 {
		return b
	}
	return appendFixed64(b, field, v)
}

func appendDouble(b []byte, field int, v float64) []byte {
	return appendFixed64(b, field, math.Float64bits(v))
}

func appendFixed32(b []byte, field int, v uint32) []byte {
	return binary.LittleEndian.AppendUint32(appendTag(b, field, wireFixed32), v)
}

// appendBytes writes a length-delimited field, even when empty (for
// oneofs).
func appendBytes(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(appendTag(b, field, wireBytes), uint64(len(v)))
	return append(b, v...)
}

// appendString writes a string field, even when empty (for oneofs).
func appendString(b []byte, field int, s string) []byte {
	b = binary.AppendUvarint(appendTag(b, field, wireBytes), uint64(len(s)))
	return append(b, s...)
}

// appendStringOpt writes a string field unless s is empty.
func appendStringOpt(b []byte, field int, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(b, field, s)
}

// appendMessage writes a nested message field whose body fn appends. The
// length goes before the body: one byte is reserved for it, and the body
// moved when the length needs more (bodies of 128 bytes or more).
func appendMessage(b []byte, field int, fn func([]byte) []byte) []byte {
	b = appendTag(b, field, wireBytes)
	at := len(b)
	b = append(b, 0)
	b = fn(b)
	n := len(b) - at - 1
	if n < 0x80 {
		b[at] = byte(n)
		return b
	}
	var l [binary.MaxVarintLen64]byte
	size := binary.PutUvarint(l[:], uint64(n))
	b = append(b, l[1:size]...) // room for the longer length
	copy(b[at+size:], b[at+1:at+1+n])
	copy(b[at:], l[:size])
	return b
}

// appendPackedFixed64 writes a packed repeated fixed64 (or double, when
// the values are Float64bits) field; nothing when vs is empty.
func appendPackedFixed64(b []byte, field int, vs []uint64) []byte {
	if len(vs) == 0 {
		return b
	}
	b = binary.AppendUvarint(appendTag(b, field, wireBytes), uint64(8*len(vs)))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// appendKeyValues writes each attribute as a common.v1.KeyValue in
// field.
func appendKeyValues(b []byte, field int, kvs []attribute.KeyValue) []byte {
	for _, kv := range kvs {
		b = appendKeyValue(b, field, kv)
	}
	return b
}

// appendKeyValue writes one attribute as a common.v1.KeyValue in field.
func appendKeyValue(b []byte, field int, kv attribute.KeyValue) []byte {
	return appendMessage(b, field, func(b []byte) []byte {
		b = appendStringOpt(b, 1, string(kv.Key))
		return appendMessage(b, 2, func(b []byte) []byte { return appendAnyValue(b, kv.Value) })
	})
}

// appendAttrSet writes an attribute set as KeyValues in field.
func appendAttrSet(b []byte, field int, s attribute.Set) []byte {
	for it := s.Iter(); it.Next(); {
		b = appendKeyValue(b, field, it.Attribute())
	}
	return b
}

// appendAnyValue writes the body of a common.v1.AnyValue.
func appendAnyValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.STRING:
		return appendString(b, 1, v.AsString())
	case attribute.BOOL:
		return appendVarint(b, 2, boolVarint(v.AsBool()))
	case attribute.INT64:
		return appendVarint(b, 3, uint64(v.AsInt64()))
	case attribute.FLOAT64:
		return appendDouble(b, 4, v.AsFloat64())
	case attribute.BYTESLICE:
		return appendBytes(b, 7, v.AsByteSlice())
	case attribute.BOOLSLICE:
		return appendArray(b, v.AsBoolSlice(), func(b []byte, x bool) []byte { return appendVarint(b, 2, boolVarint(x)) })
	case attribute.INT64SLICE:
		return appendArray(b, v.AsInt64Slice(), func(b []byte, x int64) []byte { return appendVarint(b, 3, uint64(x)) })
	case attribute.FLOAT64SLICE:
		return appendArray(b, v.AsFloat64Slice(), func(b []byte, x float64) []byte { return appendDouble(b, 4, x) })
	case attribute.STRINGSLICE:
		return appendArray(b, v.AsStringSlice(), func(b []byte, x string) []byte { return appendString(b, 1, x) })
	case attribute.SLICE:
		return appendArray(b, v.AsSlice(), appendAnyValue)
	case attribute.MAP:
		return appendMessage(b, 6, func(b []byte) []byte { return appendKeyValues(b, 1, v.AsMap()) })
	case attribute.EMPTY:
		return b
	}
	return appendString(b, 1, "INVALID") // what the official exporters send
}

// appendArray writes an AnyValue's array_value: each element an AnyValue
// whose body one appends.
func appendArray[T any](b []byte, vs []T, one func([]byte, T) []byte) []byte {
	return appendMessage(b, 5, func(b []byte) []byte {
		for _, x := range vs {
			b = appendMessage(b, 1, func(b []byte) []byte { return one(b, x) })
		}
		return b
	})
}

func boolVarint(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}

// appendResource writes the body of a resource.v1.Resource.
func appendResource(b []byte, res *resource.Resource) []byte {
	if res == nil {
		return b
	}
	return appendAttrSet(b, 1, *res.Set())
}

// appendScope writes the body of a common.v1.InstrumentationScope.
func appendScope(b []byte, s instrumentation.Scope) []byte {
	b = appendStringOpt(b, 1, s.Name)
	b = appendStringOpt(b, 2, s.Version)
	return appendAttrSet(b, 3, s.Attributes)
}

// unixNano is t in nanoseconds since the epoch, 0 for times before it.
func unixNano(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(max(0, t.UnixNano()))
}

// readFields calls fn for each field of the protobuf message m: its
// number, its wire type, and its value (varint and fixed values in v,
// length-delimited ones in data).
func readFields(m []byte, fn func(field, wire int, v uint64, data []byte)) error {
	for len(m) > 0 {
		tag, n := binary.Uvarint(m)
		if n <= 0 {
			return errMalformed
		}
		m = m[n:]
		field, wire := int(tag>>3), int(tag&7)
		var v uint64
		var data []byte
		switch wire {
		case wireVarint:
			v, n = binary.Uvarint(m)
			if n <= 0 {
				return errMalformed
			}
			m = m[n:]
		case wireFixed64:
			if len(m) < 8 {
				return errMalformed
			}
			v, m = binary.LittleEndian.Uint64(m), m[8:]
		case wireFixed32:
			if len(m) < 4 {
				return errMalformed
			}
			v, m = uint64(binary.LittleEndian.Uint32(m)), m[4:]
		case wireBytes:
			l, n := binary.Uvarint(m)
			if n <= 0 || l > uint64(len(m)-n) {
				return errMalformed
			}
			data, m = m[n:n+int(l)], m[n+int(l):]
		default:
			return errMalformed
		}
		fn(field, wire, v, data)
	}
	return nil
}

var errMalformed = errors.New("malformed protobuf")
