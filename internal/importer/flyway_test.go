package importer

import (
	"hash/crc32"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

func TestFlywayChecksum(t *testing.T) {
	t.Parallel()
	// 0xCBF43926 is the published CRC-32/IEEE check value of "123456789";
	// as Java's int it is -873187034.
	const check = int32(-873187034)
	tests := []struct {
		name string
		in   string
		want int32
	}{
		{"check value", "123456789", check},
		{"line breaks do not count", "1234\n56789\n", check},
		{"CR LF and CR count as breaks", "12\r\n34\r56789\r\n", check},
		{"byte order mark dropped", "\uFEFF123456789\n", check},
		{"empty file", "", 0},
		{"blank lines only", "\n\r\n\n", 0},
		{"SQL", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n",
			int32(crc32.ChecksumIEEE([]byte("CREATE TABLE t (id int);INSERT INTO t VALUES (1);")))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FlywayChecksum([]byte(tt.in)); got != tt.want {
				t.Errorf("FlywayChecksum(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestFlywayVersionMapping(t *testing.T) {
	t.Parallel()
	// Flyway's own order of these versions.
	ordered := []string{"0.9", "1", "1.1", "1.1.2", "1.2", "1.10", "2", "2.0.1", "10", "10.0.0.1"}
	var files []flywayFile
	for _, v := range ordered {
		p, ok := parseFlywayVersion(v)
		if !ok {
			t.Fatalf("parse %q", v)
		}
		files = append(files, flywayFile{version: p})
	}
	w := flywayWidths(files)
	var mapped []string
	for _, f := range files {
		mapped = append(mapped, mapFlywayVersion(f.version, w))
	}
	for i := 1; i < len(mapped); i++ {
		if compareDigits(mapped[i-1], mapped[i]) >= 0 {
			t.Errorf("order lost: %s -> %s is not below %s -> %s", ordered[i-1], mapped[i-1], ordered[i], mapped[i])
		}
	}
	if got, want := mapped[2], "010100"; got != want { // 1.1 with widths 2,2,1,1
		t.Errorf("1.1 -> %s, want %s (widths %v)", got, want, w)
	}
	for _, eq := range [][2]string{{"1.0", "1"}, {"1_1", "1.1"}, {"01.002", "1.2"}} {
		a, _ := parseFlywayVersion(eq[0])
		b, _ := parseFlywayVersion(eq[1])
		if mapFlywayVersion(a, w) != mapFlywayVersion(b, w) {
			t.Errorf("%s and %s should map alike", eq[0], eq[1])
		}
	}
}

func TestConvertFlyway(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"V1__Create_person_table.sql": "-- Copyright (c) Acme; licensed under MIT.\nCREATE TABLE person (id int not null, name varchar(100) not null);\n",
		"V1.1__Add_people.sql":        "INSERT INTO person (id, name) VALUES (1, 'Axel; the first');\nINSERT INTO person (id, name) VALUES (2, 'Mr. Foo');\n",
		"U1.1__Add_people.sql":        "DELETE FROM person WHERE id IN (1, 2);\n",
		"sub/V2__fn.sql": `CREATE FUNCTION person_count() RETURNS bigint AS $$
BEGIN
  RETURN (SELECT count(*) FROM person);
END;
$$ LANGUAGE plpgsql;
`,
		"V10__index.sql":       "CREATE INDEX CONCURRENTLY person_name ON person (name);\n",
		"R__person_view.sql":   "CREATE OR REPLACE VIEW people AS SELECT name FROM person;\r\n",
		"V3__conf.sql":         "UPDATE person SET name = upper(name);\n",
		"V3__conf.sql.conf":    "executeInTransaction=false\n",
		"README.txt":           "not a migration",
		"V4__Migrate.java":     "class V4__Migrate {}",
		"afterMigrate.sql":     "ANALYZE;",
		"V5__placeholders.sql": "GRANT SELECT ON person TO ${app_user};\n",
	}
	_, err := Convert(Flyway, mapFS(files), ConvertOptions{})
	want := []string{"V4__Migrate.java:0:java-migration", "V5__placeholders.sql:1:substitution", "afterMigrate.sql:0:unsupported"}
	got := problemKinds(t, err)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("problems %q, want %q", got, want)
	}
	c, err := Convert(Flyway, mapFS(files), ConvertOptions{Dialect: sqlsplit.Postgres, Exclude: []string{"V4__Migrate.java", "afterMigrate.sql", "V5__placeholders.sql"}})
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	if !strings.Contains(c.Mapping, "widths 2,1") {
		t.Errorf("Mapping %q does not document the widths", c.Mapping)
	}
	d, dir := writeAndLoad(t, c)
	if len(d.Versioned) != 5 || len(d.Repeatable) != 1 {
		t.Fatalf("loaded %d versioned, %d repeatable", len(d.Versioned), len(d.Repeatable))
	}
	tests := []struct {
		source, toolVer, version string
		up                       []string
		down                     bool
		noTx                     bool
	}{
		{"V1__Create_person_table.sql", "1", "010", []string{"CREATE TABLE person (id int not null, name varchar(100) not null)"}, false, false},
		{"V1.1__Add_people.sql", "1.1", "011", []string{"INSERT INTO person (id, name) VALUES (1, 'Axel; the first')", "INSERT INTO person (id, name) VALUES (2, 'Mr. Foo')"}, true, false},
		{"sub/V2__fn.sql", "2", "020", []string{"CREATE FUNCTION person_count() RETURNS bigint AS $$\nBEGIN\n  RETURN (SELECT count(*) FROM person);\nEND;\n$$ LANGUAGE plpgsql"}, false, false},
		{"V3__conf.sql", "3", "030", []string{"UPDATE person SET name = upper(name)"}, false, true},
		{"V10__index.sql", "10", "100", []string{"CREATE INDEX CONCURRENTLY person_name ON person (name)"}, false, true},
		{"R__person_view.sql", "", "", []string{"CREATE OR REPLACE VIEW people AS SELECT name FROM person"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			var f *File
			for i := range c.Files {
				if c.Files[i].Source == tt.source {
					f = &c.Files[i]
				}
			}
			if f == nil {
				t.Fatalf("no file from %s", tt.source)
			}
			if f.ToolVersion != tt.toolVer || f.Version != tt.version {
				t.Errorf("versions %q -> %q, want %q -> %q", f.ToolVersion, f.Version, tt.toolVer, tt.version)
			}
			if want := strconv.Itoa(int(FlywayChecksum([]byte(files[tt.source])))); f.ToolChecksum != want {
				t.Errorf("ToolChecksum %q, want %q", f.ToolChecksum, want)
			}
			if got := splitFile(t, dir, f.UpName(), sqlsplit.Postgres); !slices.Equal(got, tt.up) {
				t.Errorf("up\n got %q\nwant %q", got, tt.up)
			}
			if (f.Down != nil) != tt.down || f.NoTransaction != tt.noTx {
				t.Errorf("down %q noTx %v, want down=%v noTx=%v", f.Down, f.NoTransaction, tt.down, tt.noTx)
			}
		})
	}
}

// TestFlywayMappingDocExample checks the example the package doc gives.
func TestFlywayMappingDocExample(t *testing.T) {
	t.Parallel()
	in := []string{"1", "1.1", "1.2.3", "10"}
	want := []string{"0100", "0110", "0123", "1000"}
	var files []flywayFile
	for _, v := range in {
		p, _ := parseFlywayVersion(v)
		files = append(files, flywayFile{version: p})
	}
	w := flywayWidths(files)
	for i, f := range files {
		if got := mapFlywayVersion(f.version, w); got != want[i] {
			t.Errorf("%s -> %s, want %s", in[i], got, want[i])
		}
	}
}
