package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/strata-db/strata"
)

// jsonStreamer is a JSON document that writes itself, in the bytes
// writeJSON's encoding/json encoder would write for it, without building
// the whole document in memory first.
type jsonStreamer interface {
	streamJSON(w *bufio.Writer)
}

// statusJSON is `status --json` output: {current_version, pending, ahead,
// migrations: [jsonMigration...], invalid_indexes?}. With 100,000
// migrations, encoding/json would build a 37 MB document and then indent
// it into a second one; this writes one migration at a time.
// TestStatusJSONStream checks the bytes against encoding/json.
type statusJSON struct {
	st    *strata.Status
	scrub func(string) string
}

// migration is the document of one migration.
func (s statusJSON) migration(ms *strata.MigrationStatus) jsonMigration {
	jm := jsonMigration{Version: ms.ID, Name: ms.Name, File: ms.File, State: string(ms.State), Phase: string(ms.Phase),
		Checksum: ms.Checksum, DurationMS: ms.Duration.Milliseconds(),
		StatementsApplied: ms.StatementsApplied, StatementsTotal: ms.StatementsTotal, LastLine: ms.LastLine, NextLine: ms.NextLine, Executing: ms.Executing}
	if ms.Record != nil {
		at := ms.AppliedAt.UTC().Format(time.RFC3339)
		jm.AppliedAt = &at
	}
	if ms.Error != "" {
		e := s.scrub(ms.Error)
		jm.Error = &e
	}
	return jm
}

func (s statusJSON) streamJSON(w *bufio.Writer) {
	var b []byte
	b = append(b, "{\n  \"current_version\": "...)
	b = appendJSONString(b, s.st.Current.String())
	b = append(b, ",\n  \"pending\": "...)
	b = strconv.AppendInt(b, int64(s.st.Pending), 10)
	b = append(b, ",\n  \"ahead\": ["...)
	for i, v := range s.st.Ahead {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, "\n    "...), v.String())
	}
	if len(s.st.Ahead) > 0 {
		b = append(b, "\n  "...)
	}
	b = append(b, ']')
	b = append(b, ",\n  \"migrations\": ["...)
	for i := range s.st.Migrations {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.appendMigration(append(b, "\n    "...), &s.st.Migrations[i])
		if len(b) > 32<<10 {
			w.Write(b)
			b = b[:0]
		}
	}
	if len(s.st.Migrations) > 0 {
		b = append(b, "\n  "...)
	}
	b = append(b, ']')
	if len(s.st.InvalidIndexes) > 0 {
		b = append(b, ",\n  \"invalid_indexes\": ["...)
		for i, name := range s.st.InvalidIndexes {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(append(b, "\n    "...), name)
		}
		b = append(b, "\n  ]"...)
	}
	b = append(b, "\n}\n"...)
	w.Write(b)
}

// appendMigration appends one migration object, indented as an element of
// the migrations array.
func (s statusJSON) appendMigration(b []byte, ms *strata.MigrationStatus) []byte {
	jm := s.migration(ms)
	key := func(b []byte, first bool, name string) []byte {
		if !first {
			b = append(b, ',')
		}
		b = append(b, "\n      \""...)
		b = append(b, name...)
		return append(b, "\": "...)
	}
	b = append(b, '{')
	b = appendJSONString(key(b, true, "version"), jm.Version)
	b = appendJSONString(key(b, false, "name"), jm.Name)
	b = appendJSONString(key(b, false, "file"), jm.File)
	b = appendJSONString(key(b, false, "state"), jm.State)
	b = appendJSONString(key(b, false, "phase"), jm.Phase)
	b = appendJSONString(key(b, false, "checksum"), jm.Checksum)
	b = appendJSONNullable(key(b, false, "applied_at"), jm.AppliedAt)
	b = strconv.AppendInt(key(b, false, "duration_ms"), jm.DurationMS, 10)
	b = appendJSONNullable(key(b, false, "error"), jm.Error)
	b = strconv.AppendInt(key(b, false, "statements_applied"), int64(jm.StatementsApplied), 10)
	b = strconv.AppendInt(key(b, false, "statements_total"), int64(jm.StatementsTotal), 10)
	if jm.LastLine != 0 {
		b = strconv.AppendInt(key(b, false, "last_line"), int64(jm.LastLine), 10)
	}
	if jm.NextLine != 0 {
		b = strconv.AppendInt(key(b, false, "next_line"), int64(jm.NextLine), 10)
	}
	if jm.Executing != "" {
		b = appendJSONString(key(b, false, "executing"), jm.Executing)
	}
	return append(b, "\n    }"...)
}

// appendJSONNullable appends null or the quoted string.
func appendJSONNullable(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *s)
}

// appendJSONString appends s quoted as encoding/json quotes it (with HTML
// escaping, its default): plain printable ASCII is copied, anything else
// goes through encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// writeStream writes a streaming document through a buffer.
func writeStream(w io.Writer, s jsonStreamer) {
	bw := bufio.NewWriterSize(w, 64<<10)
	s.streamJSON(bw)
	_ = bw.Flush()
}
