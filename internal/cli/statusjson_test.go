package cli

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/source"
)

// TestStatusJSONStream: the streamed `status --json` document is, byte for
// byte, what encoding/json writes for the same document built as structs
// (the way status wrote it before it streamed), for plain and awkward
// strings alike.
func TestStatusJSONStream(t *testing.T) {
	v := func(s string) source.Version {
		ver, err := source.ParseVersion(s)
		if err != nil {
			t.Fatal(err)
		}
		return ver
	}
	at := time.Date(2026, 11, 22, 7, 50, 48, 123456789, time.FixedZone("x", 3600))
	rec := &strata.Record{}
	awkward := []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\r\x00\x1f\x7f",
		"héllo wörld ✓", "line sep \u2028 para \u2029", "bad utf-8 \xff\xfe end", "password=secret"}
	var ms []strata.MigrationStatus
	for i, s := range awkward {
		m := strata.MigrationStatus{Version: v("1"), ID: "000" + s, Name: s, File: "db/" + s + ".sql",
			State: strata.StateApplied, Checksum: strings.Repeat("ab", 32), Duration: 1500 * time.Millisecond,
			StatementsApplied: i, StatementsTotal: 2 * i}
		if i%2 == 0 {
			m.Record, m.AppliedAt = rec, at
		}
		if i%3 == 0 {
			m.Error = "failed: " + s
			m.LastLine, m.NextLine = i, i+1
		}
		if i == 4 {
			m.LastLine = 0
		}
		ms = append(ms, m)
	}
	scrub := func(s string) string { return strings.ReplaceAll(s, "secret", "xxxxx") }
	for _, tc := range []struct {
		name string
		st   strata.Status
	}{
		{"empty", strata.Status{}},
		{"one", strata.Status{Current: v("7"), Pending: 1, Migrations: ms[:1]}},
		{"many", strata.Status{Current: v("20240101120000"), Pending: 3, Migrations: ms}},
		{"invalid indexes", strata.Status{Migrations: ms[1:3], InvalidIndexes: []string{"public.a_idx", "<x>&\"y\""}}},
		{"ahead", strata.Status{Current: v("7"), Head: v("5"), Ahead: []source.Version{v("6"), v("7")}, Migrations: ms[:2]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := statusJSON{st: &tc.st, scrub: scrub}
			// The document as status built it before it streamed.
			out := struct {
				CurrentVersion string          `json:"current_version"`
				Pending        int             `json:"pending"`
				Ahead          []string        `json:"ahead"`
				Migrations     []jsonMigration `json:"migrations"`
				InvalidIndexes []string        `json:"invalid_indexes,omitempty"`
			}{CurrentVersion: tc.st.Current.String(), Pending: tc.st.Pending, Ahead: aheadVersions(tc.st.Ahead), Migrations: []jsonMigration{}, InvalidIndexes: tc.st.InvalidIndexes}
			for i := range tc.st.Migrations {
				out.Migrations = append(out.Migrations, doc.migration(&tc.st.Migrations[i]))
			}
			var want, got bytes.Buffer
			writeJSON(&want, out)
			writeJSON(&got, doc)
			if got.String() != want.String() {
				t.Errorf("streamed:\n%s\nencoding/json:\n%s", got.String(), want.String())
			}
		})
	}
}

// TestStatusJSONStreamLarge: a document larger than the stream's chunks
// comes out whole.
func TestStatusJSONStreamLarge(t *testing.T) {
	st := &strata.Status{}
	for i := range 3000 {
		st.Migrations = append(st.Migrations, strata.MigrationStatus{ID: strings.Repeat("9", i%20+1), State: strata.StatePending})
	}
	var got bytes.Buffer
	w := bufio.NewWriter(&got)
	statusJSON{st: st, scrub: func(s string) string { return s }}.streamJSON(w)
	w.Flush()
	if n := strings.Count(got.String(), `"state": "pending"`); n != 3000 {
		t.Fatalf("%d migrations in the document, want 3000", n)
	}
	if !strings.HasSuffix(got.String(), "\n  ]\n}\n") {
		t.Fatalf("document ends %q", got.String()[got.Len()-20:])
	}
}
