package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/testdb"
)

// fleetJSON is `strata up --targets ... --json` output.
type fleetJSON struct {
	Fleet   int    `json:"fleet"`
	Shard   string `json:"shard"`
	Total   int    `json:"total"`
	OK      int    `json:"ok"`
	Failed  int    `json:"failed"`
	Skipped int    `json:"skipped"`
	Targets []struct {
		Target         string `json:"target"`
		URL            string `json:"url"`
		Outcome        string `json:"outcome"`
		CurrentVersion string `json:"current_version"`
		Applied        int    `json:"applied"`
		Error          *struct {
			Code     string `json:"code"`
			ExitCode int    `json:"exit_code"`
			Message  string `json:"message"`
		} `json:"error"`
	} `json:"targets"`
}

// fleetStatusJSON is `strata status|check --targets ... --json` output.
type fleetStatusJSON struct {
	Total    int            `json:"total"`
	Versions map[string]int `json:"versions"`
	States   map[string]int `json:"states"`
	Code     string         `json:"code"`
	Targets  []struct {
		Target         string `json:"target"`
		State          string `json:"state"`
		CurrentVersion string `json:"current_version"`
		Problems       []struct {
			State string `json:"state"`
		} `json:"problems"`
	} `json:"targets"`
}

func decode[T any](t *testing.T, r result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("--json: %v\n%s", err, r)
	}
	return v
}

// writeTargets writes a targets file with a comment and blank lines.
func writeTargets(t *testing.T, wd string, urls []string) string {
	t.Helper()
	body := "# the fleet\n\n" + strings.Join(urls, "\n  \n") + "\n# end\n"
	path := filepath.Join(wd, "targets.txt")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// historyVersions reads the applied versions from a database's history.
func historyVersions(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT version FROM "+table+" WHERE status = 'applied' AND kind = 'versioned' ORDER BY version")
	if err != nil {
		t.Fatalf("read history: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestFleet applies one folder to 10 databases on PostgreSQL and on
// MariaDB with 4 workers, fewer than a shard's targets, so every worker
// runs several: two shards that together cover the fleet once, then a run
// where one target's history is broken and fails alone.
func TestFleet(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			testFleet(t, kind, 10)
		})
	}
}

func testFleet(t *testing.T, kind string, n int) {
	dbs := testdb.Many(t, kind, n)
	urls := make([]string, n)
	names := map[string]int{} // target name (redacted URL) -> index
	for i := range dbs {
		urls[i] = dbs[i].URL
		names[config.Redact(dbs[i].URL)] = i
	}
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE fleet_a (id int);\n")
	f.write("0002_b.sql", "CREATE TABLE fleet_b (id int);\nINSERT INTO fleet_b VALUES (1);\n")
	targets := writeTargets(t, f.wd, urls)

	// Two workers of a scheduler, one shard each, cover every target once.
	seen := map[string]int{}
	for i := range 2 {
		r := strata(t, f.wd, "up", "--targets", targets, "--dir", f.dir, "--parallel", "4", "--shard", fmt.Sprintf("%d/2", i), "--json")
		want(t, r, 0)
		doc := decode[fleetJSON](t, r)
		if doc.Fleet != n || doc.Total != len(doc.Targets) || doc.OK != doc.Total || doc.Total == 0 || doc.Total == n {
			t.Fatalf("shard %d/2: fleet %d total %d ok %d\n%s", i, doc.Fleet, doc.Total, doc.OK, r)
		}
		for _, tg := range doc.Targets {
			if _, ok := names[tg.Target]; !ok || tg.Applied != 2 || tg.CurrentVersion != "2" {
				t.Errorf("shard %d/2: target %+v", i, tg)
			}
			seen[tg.Target]++
		}
	}
	if len(seen) != n {
		t.Errorf("the two shards covered %d of %d targets", len(seen), n)
	}
	for name, c := range seen {
		if c != 1 {
			t.Errorf("%s ran in %d shards", name, c)
		}
	}
	for i, d := range dbs {
		if got := historyVersions(t, d.Open(t), "strata_schema_history"); !slices.Equal(got, []string{"1", "2"}) {
			t.Errorf("target %d: history %v", i, got)
		}
	}

	// One target's history is broken: an applied file's checksum changed.
	broken := 7
	bdb := dbs[broken].Open(t)
	if _, err := bdb.Exec("UPDATE strata_schema_history SET checksum = 'deadbeef' WHERE version = '1' AND kind = 'versioned'"); err != nil {
		t.Fatal(err)
	}
	f.write("0003_c.sql", "CREATE TABLE fleet_c (id int);\n")
	r := strata(t, f.wd, "up", "--targets", targets, "--dir", f.dir, "--parallel", "4", "--json")
	want(t, r, 8, fmt.Sprintf("1 of %d targets failed", n))
	doc := decode[fleetJSON](t, r)
	if doc.OK != n-1 || doc.Failed != 1 || doc.Skipped != 0 {
		t.Fatalf("ok %d failed %d skipped %d\n%s", doc.OK, doc.Failed, doc.Skipped, r)
	}
	for _, tg := range doc.Targets {
		i := names[tg.Target]
		if i == broken {
			if tg.Outcome != "failed" || tg.CurrentVersion != "2" || tg.Error == nil || tg.Error.Code != "drift" || tg.Error.ExitCode != 3 || !strings.Contains(tg.Error.Message, "0001_a.sql") {
				t.Errorf("broken target: %+v %+v", tg, tg.Error)
			}
			continue
		}
		if tg.Outcome != "ok" || tg.Applied != 1 || tg.CurrentVersion != "3" || tg.Error != nil {
			t.Errorf("target %d: %+v", i, tg)
		}
	}
	if got := historyVersions(t, bdb, "strata_schema_history"); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("broken target's history changed: %v", got)
	}
	if got := historyVersions(t, dbs[broken+1].Open(t), "strata_schema_history"); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("neighbour's history: %v", got)
	}

	// status and check summarise the fleet.
	r = strata(t, f.wd, "status", "--targets", targets, "--dir", f.dir, "--parallel", "4", "--json")
	want(t, r, 0)
	st := decode[fleetStatusJSON](t, r)
	if st.Total != n || st.Versions["3"] != n-1 || st.Versions["2"] != 1 || st.States["ok"] != n-1 || st.States["edited"] != 1 {
		t.Errorf("status: versions %v states %v", st.Versions, st.States)
	}
	r = strata(t, f.wd, "check", "--targets", targets, "--dir", f.dir, "--parallel", "4")
	want(t, r, 11, fmt.Sprintf("%d at version 3, 1 at version 2", n-1), "1 edited", "check: edited (exit 11)")
}

// TestFleetSchemas applies a folder to every tenant schema of one
// PostgreSQL database, each with its own history table and search_path.
func TestFleetSchemas(t *testing.T) {
	t.Parallel()
	d := testdb.Postgres(t)
	db := d.Open(t)
	tenants := []string{"tenant_a", "tenant_b", "tenant_c", "tenant_d", "tenant_e", "tenant_f", "tenant_g", "tenant_h", `tenant_"q"`, "tenant_J"}
	for _, s := range append(slices.Clone(tenants), "other") {
		if _, err := db.Exec(`CREATE SCHEMA "` + strings.ReplaceAll(s, `"`, `""`) + `"`); err != nil {
			t.Fatal(err)
		}
	}
	f := newFolder(t)
	f.write("0001_users.sql", "CREATE TABLE users (id int);\n")
	f.write("0002_seed.sql", "INSERT INTO users VALUES (1);\n")
	r := f.run(d.URL, "up", "--targets-schemas", "tenant\\_%", "--parallel", "4", "--json")
	want(t, r, 0)
	doc := decode[fleetJSON](t, r)
	if doc.Total != len(tenants) || doc.OK != len(tenants) {
		t.Fatalf("total %d ok %d\n%s", doc.Total, doc.OK, r)
	}
	for _, s := range tenants {
		q := `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		if got := historyVersions(t, db, q+".strata_schema_history"); !slices.Equal(got, []string{"1", "2"}) {
			t.Errorf("%s: history %v", s, got)
		}
		var n int
		if err := db.QueryRow("SELECT count(*) FROM " + q + ".users").Scan(&n); err != nil || n != 1 {
			t.Errorf("%s: users has %d rows, %v", s, n, err)
		}
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('public', 'other')").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d tables outside the tenants' schemas, %v", n, err)
	}
	r = f.run(d.URL, "check", "--targets-schemas", "tenant\\_%")
	want(t, r, 0, "10 at version 2", "10 ok")
}

// TestFleetUsage: mistakes in the fleet flags are usage errors, and a bad
// line in the targets file is named by file:line without its password.
func TestFleetUsage(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE a (id int);\n")
	bad := writeTargets(t, f.wd, []string{"sqlite:a.db", "postgres://u:s3cretPW@host:notaport/db"})
	r := strata(t, f.wd, "up", "--targets", bad)
	want(t, r, 2, "targets.txt:5: ")
	if strings.Contains(r.stdout+r.stderr, "s3cretPW") {
		t.Errorf("password printed:\n%s", r)
	}
	ok := writeTargets(t, f.wd, []string{"sqlite:a.db", "sqlite:b.db"})
	for _, args := range [][]string{
		{"up", "--targets", ok, "--parallel", "0"},
		{"up", "--targets", ok, "--shard", "2/2"},
		{"up", "--targets", ok, "--url", "sqlite:c.db"},
		{"up", "--targets", ok, "--targets-schemas", "x%"},
		{"up", "--targets", filepath.Join(f.wd, "nope.txt")},
	} {
		want(t, strata(t, f.wd, args...), 2)
	}
	// SQLite has no schemas to list.
	want(t, strata(t, f.wd, "status", "--url", "sqlite:a.db", "--targets-schemas", "x%"), 2, "PostgreSQL")
	// --canary and --fail-fast on a fleet of SQLite files, one of them
	// unusable: the canary fails and nothing else starts.
	if err := os.Mkdir(filepath.Join(f.wd, "dir.db"), 0o755); err != nil {
		t.Fatal(err)
	}
	canary := writeTargets(t, f.wd, []string{"sqlite:dir.db", "sqlite:a.db", "sqlite:b.db"})
	r = strata(t, f.wd, "up", "--targets", canary, "--canary", "1", "--json")
	want(t, r, 8)
	doc := decode[fleetJSON](t, r)
	if doc.Failed != 1 || doc.Skipped != 2 || !strings.Contains(doc.Targets[1].Error.Message, "canary") {
		t.Errorf("canary: %+v", doc)
	}
	r = strata(t, f.wd, "up", "--targets", canary, "--parallel", "1", "--fail-fast")
	want(t, r, 8, "sqlite:dir.db  failed", "0 ok, 1 failed, 2 skipped")
	r = strata(t, f.wd, "up", "--targets", canary, "--parallel", "1")
	want(t, r, 8, "3 targets: 2 ok, 1 failed, 0 skipped", "[3/3] ")
}

// TestFleetBrokenFolder: a migrations folder strata cannot use is one
// error with the folder's exit code, printed once, before any target is
// opened, rather than the same failure for every target.
func TestFleetBrokenFolder(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE a (id int);\n")
	f.write("0001_b.sql", "CREATE TABLE b (id int);\n")
	targets := writeTargets(t, f.wd, []string{"sqlite:a.db", "sqlite:b.db", "sqlite:c.db"})
	for _, cmd := range []string{"up", "status", "check"} {
		r := strata(t, f.wd, cmd, "--targets", targets)
		want(t, r, 2, "two files have version 1")
		if n := strings.Count(r.stdout+r.stderr, "two files have version 1"); n != 1 {
			t.Errorf("%s: the folder's error printed %d times, want once:\n%s", cmd, n, r)
		}
		if strings.Contains(r.stdout+r.stderr, "sqlite:a.db") {
			t.Errorf("%s: a target was reported:\n%s", cmd, r)
		}
	}
	for _, db := range []string{"a.db", "b.db", "c.db"} {
		if _, err := os.Stat(filepath.Join(f.wd, db)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s was opened: %v", db, err)
		}
	}
}

// TestFleetDatabasesMySQL: on MySQL/MariaDB --targets-schemas lists
// databases, and each gets its own history table.
func TestFleetDatabasesMySQL(t *testing.T) {
	t.Parallel()
	d := testdb.MySQL(t)
	db := d.Open(t)
	var tenants []string
	for i := range 3 {
		name := fmt.Sprintf("%s_t%d", d.Name, i)
		if _, err := db.Exec("CREATE DATABASE `" + name + "`"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS `" + name + "`") })
		tenants = append(tenants, name)
	}
	f := newFolder(t)
	f.write("0001_users.sql", "CREATE TABLE users (id int);\nINSERT INTO users VALUES (1);\n")
	pattern := strings.ReplaceAll(d.Name, "_", "\\_") + "\\_t%"
	r := f.run(d.URL, "up", "--targets-schemas", pattern, "--json")
	want(t, r, 0)
	if doc := decode[fleetJSON](t, r); doc.Total != 3 || doc.OK != 3 {
		t.Fatalf("%s", r)
	}
	for _, s := range tenants {
		if got := historyVersions(t, db, "`"+s+"`.strata_schema_history"); !slices.Equal(got, []string{"1"}) {
			t.Errorf("%s: history %v", s, got)
		}
		var n int
		if err := db.QueryRow("SELECT count(*) FROM `" + s + "`.users").Scan(&n); err != nil || n != 1 {
			t.Errorf("%s: users has %d rows, %v", s, n, err)
		}
	}
}

// TestFleetQuery: --targets-query lists the fleet's URLs from a table on
// --url, a registry of tenants.
func TestFleetQuery(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE a (id int);\n")
	reg := testdb.SQLite(t)
	db := reg.Open(t)
	if _, err := db.Exec("CREATE TABLE tenants (url text, active int)"); err != nil {
		t.Fatal(err)
	}
	for i, u := range []string{"sqlite:one.db", "sqlite:two.db", "sqlite:off.db"} {
		if _, err := db.Exec("INSERT INTO tenants VALUES (?, ?)", u, i < 2); err != nil {
			t.Fatal(err)
		}
	}
	r := f.run(reg.URL, "up", "--targets-query", "SELECT url FROM tenants WHERE active = 1 ORDER BY url", "--json")
	want(t, r, 0)
	doc := decode[fleetJSON](t, r)
	if doc.Total != 2 || doc.OK != 2 || doc.Targets[0].Target != "sqlite:one.db" || doc.Targets[1].Target != "sqlite:two.db" {
		t.Errorf("%s", r)
	}
	want(t, f.run(reg.URL, "up", "--targets-query", "SELECT url, active FROM tenants"), 2, "exactly one")
}

// TestFleetDryRun: up --dry-run on a fleet says what up would do on each
// target and changes nothing; it exits 3 when up would refuse on a target.
func TestFleetDryRun(t *testing.T) {
	t.Parallel()
	d := testdb.Postgres(t)
	db := d.Open(t)
	tenants := []string{"tenant_a", "tenant_b", "tenant_c"}
	for _, s := range tenants {
		if _, err := db.Exec("CREATE SCHEMA " + s); err != nil {
			t.Fatal(err)
		}
	}
	f := newFolder(t)
	f.write("0001_users.sql", "CREATE TABLE users (id int);\n")
	want(t, f.run(d.URL, "up", "--targets-schemas", "tenant\\_%"), 0)
	f.write("0002_seed.sql", "INSERT INTO users VALUES (1);\n")
	var sum string
	if err := db.QueryRow("SELECT checksum FROM tenant_c.strata_schema_history WHERE id = '1'").Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE tenant_c.strata_schema_history SET checksum = 'x' WHERE id = '1'"); err != nil {
		t.Fatal(err)
	}

	r := f.run(d.URL, "up", "--dry-run", "--targets-schemas", "tenant\\_%", "--json")
	want(t, r, 3)
	doc := decode[fleetStatusJSON](t, r)
	if doc.Total != 3 || doc.States["pending"] != 2 || doc.States["edited"] != 1 {
		t.Errorf("states %v, want 2 pending and 1 edited\n%s", doc.States, r)
	}
	for _, s := range tenants {
		if got := historyVersions(t, db, s+".strata_schema_history"); !slices.Equal(got, []string{"1"}) {
			t.Errorf("%s: history %v after a dry run, want only 1", s, got)
		}
	}

	if _, err := db.Exec("UPDATE tenant_c.strata_schema_history SET checksum = $1 WHERE id = '1'", sum); err != nil {
		t.Fatal(err)
	}
	r = f.run(d.URL, "up", "--dry-run", "--targets-schemas", "tenant\\_%")
	want(t, r, 0, "dry run: nothing was changed; up would apply 3 files on 3 targets and refuse on 0 targets")
	if got := historyVersions(t, db, "tenant_a.strata_schema_history"); !slices.Equal(got, []string{"1"}) {
		t.Errorf("tenant_a: history %v after a dry run, want only 1", got)
	}
}
