package importer

import (
	"errors"
	"slices"
	"testing"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  Tool // "": an *AmbiguousError
		cands []Tool
	}{
		{"goose", gooseFolder, Goose, nil},
		{"goose Go only", map[string]string{"00001_init.go": "package m"}, Goose, nil},
		{"sql-migrate", map[string]string{"1_a.sql": "-- +migrate Up\nSELECT 1;\n"}, SQLMigrate, nil},
		{"dbmate", map[string]string{"20240101000000_a.sql": "-- migrate:up\nSELECT 1;\n"}, Dbmate, nil},
		{"golang-migrate", map[string]string{"1_a.up.sql": "SELECT 1;", "1_a.down.sql": ""}, GolangMigrate, nil},
		{"flyway nested", map[string]string{"db/V1__a.sql": "SELECT 1;", "R__v.sql": "SELECT 1;"}, Flyway, nil},
		{"tern", map[string]string{"001_a.sql": "SELECT 1;\n---- create above / drop below ----\n"}, Tern, nil},
		{"liquibase", map[string]string{"changelog.sql": "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n"}, Liquibase, nil},
		{"markers beat Flyway-like names", map[string]string{"V1__a.sql": "-- +goose Up\nSELECT 1;\n"}, Goose, nil},
		{"two tools", map[string]string{"1_a.sql": "-- +goose Up\nSELECT 1;\n", "2_b.sql": "-- migrate:up\nSELECT 1;\n"}, "", []Tool{Goose, Dbmate}},
		{"nothing", map[string]string{"schema.sql": "SELECT 1;"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ev, err := Detect(mapFS(tt.files))
			if tt.want != "" {
				if err != nil || got != tt.want || len(ev) == 0 {
					t.Fatalf("Detect = %q %q %v, want %q with evidence", got, ev, err, tt.want)
				}
				return
			}
			var ae *AmbiguousError
			if !errors.As(err, &ae) {
				t.Fatalf("Detect = %q, %v; want *AmbiguousError", got, err)
			}
			var cands []Tool
			for c := range ae.Candidates {
				cands = append(cands, c)
			}
			slices.Sort(cands)
			want := slices.Clone(tt.cands)
			slices.Sort(want)
			if !slices.Equal(cands, want) {
				t.Errorf("candidates %v, want %v (%v)", cands, want, err)
			}
		})
	}
}
