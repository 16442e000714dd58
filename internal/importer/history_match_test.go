package importer

import (
	"errors"
	"testing"

	"github.com/strata-db/strata/dialect"
)

// TestMatchHistory pairs converted files with history rows: per-file rows,
// a tool that keeps only its last version, repeatables, and the states
// that stop an import.
func TestMatchHistory(t *testing.T) {
	conv := &Conversion{Tool: Flyway, Files: []File{
		{Source: "V1__a.sql", ToolVersion: "1", Version: "10", ToolChecksum: "111"},
		{Source: "V1.1__b.sql", ToolVersion: "1.1", Version: "11", ToolChecksum: "222"},
		{Source: "V2__c.sql", ToolVersion: "2", Version: "20", ToolChecksum: "333"},
		{Source: "R__v.sql", Repeatable: true, Name: "v"},
	}}
	cases := []struct {
		name    string
		applied []Applied
		want    []bool // applied, per file
		kind    string // HistoryError.Kind, "" for none
		file    string
	}{
		{name: "rows", applied: []Applied{{Key: "1", Checksum: "111"}, {Key: "1.1", Checksum: "222"}, {Key: "R:R__v.sql"}}, want: []bool{true, true, false, false}},
		{name: "upto", applied: []Applied{{Key: "1.1", Upto: true}}, want: []bool{true, true, false, false}},
		{name: "nothing", want: []bool{false, false, false, false}},
		{name: "gap", applied: []Applied{{Key: "1"}, {Key: "2"}}, kind: "gap", file: "V1.1__b.sql"},
		{name: "missing file", applied: []Applied{{Key: "3"}}, kind: "missing-file"},
		{name: "checksum", applied: []Applied{{Key: "1", Checksum: "999"}}, kind: "checksum", file: "V1__a.sql"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := MatchHistory(conv, &History{Tool: Flyway, Table: dialect.Table{Name: "flyway_schema_history"}, Applied: c.applied})
			if c.kind != "" {
				var he *HistoryError
				if !errors.As(err, &he) || he.Kind != c.kind || he.File != c.file {
					t.Fatalf("got %v, want a %s HistoryError for %q", err, c.kind, c.file)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range m.Rows {
				if r.Applied != c.want[i] {
					t.Errorf("%s applied = %v, want %v (%s)", r.File.Source, r.Applied, c.want[i], r.Why)
				}
			}
		})
	}
}
