package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/importer"
	"github.com/strata-db/strata/internal/testdb"
)

// writeFiles writes files into dir, creating it.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// importJSON is `strata import --json` output.
type importJSON struct {
	Tool  string `json:"tool"`
	Table string `json:"tool_table"`
	Files []struct {
		Old, New, State, Why string
	} `json:"files"`
	SQL      []string `json:"sql"`
	Recorded []string `json:"recorded"`
	Skipped  []string `json:"skipped"`
}

func parseImport(t *testing.T, r result) importJSON {
	t.Helper()
	var doc importJSON
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("import --json: %v\n%s", err, r)
	}
	return doc
}

func countRows(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestImportPeer has goose, golang-migrate, dbmate, sql-migrate (and, on
// PostgreSQL, tern) apply a realistic
// folder to PostgreSQL, MariaDB and SQLite, then imports with strata: the
// dry run writes nothing, --apply records exactly the tool's applied
// files, a second --apply changes nothing, --check agrees, strata up
// applies only the newer file, and the tool's own version is untouched.
func TestImportPeer(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"goose", "migrate", "dbmate", "tern", "sql-migrate"} {
		t.Run(tool, func(t *testing.T) {
			t.Parallel()
			peer(t, tool)
			peerDatabases(t, tool, func(t *testing.T, db testdb.DB) {
				kind := dbKind(db)
				f := newFolder(t)
				old := filepath.Join(f.wd, "old")
				writeFiles(t, old, peerFolder(tool, kind, len(peerSteps)))
				if out, ok := peerUp(t, tool, old, db); !ok {
					t.Fatalf("%s up: %s", tool, out)
				}
				before := peerVersion(t, tool, old, db)
				name := map[string]string{"migrate": "golang-migrate"}[tool]
				if name == "" {
					name = tool
				}

				// A dry run prints the mapping and the SQL, and writes nothing.
				r := f.run(db.URL, "import", name, "--from", old, "--json")
				want(t, r, 0)
				doc := parseImport(t, r)
				if len(doc.Files) != len(peerSteps) || len(doc.SQL) != len(peerSteps) {
					t.Fatalf("dry run: want %d files and statements, got %+v", len(peerSteps), doc)
				}
				for _, fl := range doc.Files {
					if fl.State != "applied" {
						t.Errorf("dry run: %s -> %s is %s (%s), want applied", fl.Old, fl.New, fl.State, fl.Why)
					}
				}
				if !strings.Contains(doc.SQL[0], "INSERT INTO") {
					t.Errorf("dry run SQL: %q", doc.SQL[0])
				}
				if entries, _ := os.ReadDir(f.path); len(entries) != 0 {
					t.Fatalf("the dry run wrote %d files", len(entries))
				}
				noHistory(t, f, db)
				want(t, f.run(db.URL, "import", "auto", "--from", old), 0, "detected "+name, "dry run: nothing was written")

				r = f.run(db.URL, "import", name, "--from", old, "--apply", "--json")
				want(t, r, 0)
				if doc := parseImport(t, r); len(doc.Recorded) != len(peerSteps) {
					t.Fatalf("--apply recorded %v", doc.Recorded)
				}
				st := f.status(db.URL)
				if len(st.Migrations) != len(peerSteps) || st.Pending != 0 {
					t.Fatalf("after import: %+v", st)
				}
				for _, m := range st.Migrations {
					if m.State != "applied" {
						t.Errorf("%s is %s after import", m.File, m.State)
					}
				}
				// Again: nothing changes.
				r = f.run(db.URL, "import", name, "--from", old, "--apply", "--json")
				want(t, r, 0)
				if doc := parseImport(t, r); len(doc.Recorded) != 0 || len(doc.Skipped) != len(peerSteps) {
					t.Fatalf("second --apply: recorded %v skipped %v", doc.Recorded, doc.Skipped)
				}
				want(t, f.run(db.URL, "import", name, "--from", old, "--check"), 0, "agree")

				// strata goes on with a newer file only.
				next, version := peerNext(tool)
				f.write(next, ordersUp)
				r = f.run(db.URL, "up")
				want(t, r, 0)
				st = f.status(db.URL)
				if st.state(version) != "applied" || len(st.Migrations) != len(peerSteps)+1 {
					t.Fatalf("after up: %+v", st)
				}
				conn := db.Open(t)
				if n := countRows(t, conn, "SELECT COUNT(*) FROM users"); n != 2 {
					t.Errorf("users has %d rows: the backfill ran again", n)
				}
				countRows(t, conn, "SELECT COUNT(*) FROM orders")
				if after := peerVersion(t, tool, old, db); after != before {
					t.Errorf("%s's own history changed: %q, was %q", tool, after, before)
				}
				// The schema is the one the old tool alone builds.
				alone := testdb.New(t, kind)
				all := filepath.Join(f.wd, "alone")
				writeFiles(t, all, peerFiles(tool, kind, append(slices.Clone(peerSteps), ordersStep)))
				if out, ok := peerUp(t, tool, all, alone); !ok {
					t.Fatalf("%s up of the whole folder: %s", tool, out)
				}
				got, want := objects(t, db), objects(t, alone)
				if !slices.ContainsFunc(got, func(o string) bool { return strings.Contains(o, "orders") }) {
					t.Errorf("the schema lists no orders table: %v", got)
				}
				if !slices.Equal(got, want) {
					t.Errorf("schema after import and up:\n%v\nthe tool alone:\n%v", got, want)
				}
			})
		})
	}
}

// TestImportDirtyStops leaves golang-migrate dirty (its second file fails)
// and checks that strata import refuses, names the file and writes
// nothing, on every database.
func TestImportDirtyStops(t *testing.T) {
	t.Parallel()
	peer(t, "migrate")
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		old := filepath.Join(f.wd, "old")
		files := peerFolder("migrate", dbKind(db), 1)
		files["2_broken.up.sql"] = "CREATE TABLE broken (id int);\nTHIS IS NOT SQL;\n"
		files["2_broken.down.sql"] = "DROP TABLE broken;\n"
		writeFiles(t, old, files)
		if out, ok := peerUp(t, "migrate", old, db); ok {
			t.Fatalf("migrate up succeeded on a broken file: %s", out)
		}
		r := f.run(db.URL, "import", "golang-migrate", "--from", old, "--apply")
		want(t, r, 3, "dirty", "version 2", "nothing was written")
		if entries, _ := os.ReadDir(f.path); len(entries) != 0 {
			t.Fatalf("the refused import wrote %d files", len(entries))
		}
		noHistory(t, f, db)
	})
}

// objects lists db's schema objects, without the history tables of
// strata and the peer tools.
func objects(t *testing.T, db testdb.DB) []string {
	t.Helper()
	ctx := context.Background()
	conn, d, err := config.Open(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	all, err := d.Objects(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range all {
		if strings.Contains(o, "strata_") || strings.Contains(o, "goose_db_version") || strings.Contains(o, "schema_migrations") ||
			strings.Contains(o, "schema_version") || strings.Contains(o, "gorp_migrations") {
			continue
		}
		out = append(out, o)
	}
	slices.Sort(out)
	return out
}

// noHistory fails unless strata's history of db is empty.
func noHistory(t *testing.T, f *folder, db testdb.DB) {
	t.Helper()
	r := f.run(db.URL, "status", "--json", "--allow-empty")
	want(t, r, 0)
	var st statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r)
	}
	for _, m := range st.Migrations {
		if m.State != "pending" {
			t.Fatalf("strata's history is not empty: %+v", st)
		}
	}
}

// TestImportKeepWriting imports a goose, golang-migrate, dbmate, tern
// (PostgreSQL) or sql-migrate history and migrates on with --keep-writing: the tool's
// own version follows strata's up and down, and the tool itself can take
// over again (the way back), on every database the tool supports.
func TestImportKeepWriting(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"goose", "migrate", "dbmate", "tern", "sql-migrate"} {
		t.Run(tool, func(t *testing.T) {
			t.Parallel()
			peer(t, tool)
			peerDatabases(t, tool, func(t *testing.T, db testdb.DB) {
				kind := dbKind(db)
				f := newFolder(t)
				old := filepath.Join(f.wd, "old")
				writeFiles(t, old, peerFolder(tool, kind, 3))
				if out, ok := peerUp(t, tool, old, db); !ok {
					t.Fatalf("%s up: %s", tool, out)
				}
				three := peerVersion(t, tool, old, db)
				name := map[string]string{"migrate": "golang-migrate"}[tool]
				if name == "" {
					name = tool
				}
				want(t, f.run(db.URL, "import", name, "--from", old, "--apply"), 0, "imported")
				// The next file, written in the old tool's folder and
				// converted into strata's.
				writeFiles(t, old, peerFolder(tool, kind, 4))
				addConverted(t, name, old, f.path)
				// --keep-writing-from: sql-migrate's rows name its files;
				// the other tools ignore it.
				want(t, f.run(db.URL, "up", "--keep-writing", name, "--keep-writing-from", old), 0)
				four := peerVersion(t, tool, old, db)
				if four == three {
					t.Fatalf("%s's version did not move with strata up: %q", tool, four)
				}
				want(t, f.run(db.URL, "import", name, "--from", old, "--check"), 0, "agree")
				want(t, f.run(db.URL, "down", "--keep-writing", name, "--keep-writing-from", old), 0)
				if v := peerVersion(t, tool, old, db); v != three {
					t.Fatalf("after strata down %s says %q, want %q", tool, v, three)
				}
				// The way back: the old tool applies the file again itself.
				if out, ok := peerUp(t, tool, old, db); !ok {
					t.Fatalf("%s up after strata down: %s", tool, out)
				}
				if v := peerVersion(t, tool, old, db); v != four {
					t.Fatalf("%s up after strata down: %q, want %q", tool, v, four)
				}
			})
		})
	}
}

// addConverted converts the old tool's folder and writes into dir the
// strata files it does not have yet.
func addConverted(t *testing.T, tool, old, dir string) {
	t.Helper()
	conv, err := importer.Convert(importer.Tool(tool), os.DirFS(old), importer.ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cf := range conv.Files {
		if _, err := os.Stat(filepath.Join(dir, cf.UpName())); err == nil {
			continue
		}
		files := map[string]string{cf.UpName(): string(cf.Up)}
		if cf.Down != nil {
			files[cf.DownName()] = string(cf.Down)
		}
		writeFiles(t, dir, files)
	}
}

// TestOtherToolHint: on a database goose migrated, with no strata
// history, the first strata up refuses and names strata import, changing
// nothing, and doctor warns the same way.
func TestOtherToolHint(t *testing.T) {
	t.Parallel()
	peer(t, "goose")
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		old := filepath.Join(f.wd, "old")
		writeFiles(t, old, peerFolder("goose", dbKind(db), 1))
		if out, ok := peerUp(t, "goose", old, db); !ok {
			t.Fatalf("goose up: %s", out)
		}
		// The folder copied as it is, as a team might on its first try.
		f.write("00001_users.sql", peerSteps[0].up[""])
		want(t, f.run(db.URL, "up"), 3, "goose_db_version", "strata import goose --from")
		noHistory(t, f, db)
		want(t, f.run(db.URL, "doctor"), 0, "other tool", "goose_db_version", "strata import goose")
	})
}

// peerDatabases runs f as a parallel subtest for each database tool
// supports (tern: PostgreSQL only), each with a fresh database.
func peerDatabases(t *testing.T, tool string, f func(t *testing.T, db testdb.DB)) {
	t.Helper()
	if tool != "tern" {
		testdb.ForEach(t, f)
		return
	}
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		f(t, testdb.New(t, "postgres"))
	})
}
