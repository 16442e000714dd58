package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// readOnlyCommand is one read-only command and its exit code on a
// database with one file applied (0001) and one pending (0002), or on a
// fresh database.
type readOnlyCommand struct {
	args            []string
	migrated, fresh int
}

// readOnlyCommands are the commands that must change nothing.
var readOnlyCommands = []readOnlyCommand{
	{args: []string{"status"}},
	{args: []string{"status", "--json"}},
	{args: []string{"check"}, migrated: 10, fresh: 10},
	{args: []string{"plan"}},
	{args: []string{"plan", "--down"}},
	{args: []string{"down", "--dry-run"}},
	{args: []string{"up", "--dry-run"}},
	{args: []string{"history", "1"}},
	{args: []string{"lint"}},
	{args: []string{"await", "--version", "1", "--timeout", "5s"}, fresh: 7},
}

// readOnlyFolder is a folder with 0001 (applied by migrate) and 0002.
func readOnlyFolder(t *testing.T) *folder {
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	f.write("0001_create_users.down.sql", "DROP TABLE users;\n")
	return f
}

// snapshot describes everything strata could change in db: its tables and
// the rows of strata's own tables (history, audit, lease).
func snapshot(t *testing.T, kind string, db *sql.DB) string {
	t.Helper()
	q := map[string]string{
		"postgres": "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
		"mysql":    "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
		"sqlite":   "SELECT name FROM sqlite_master WHERE type = 'table'",
	}[kind]
	var tables []string
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	sort.Strings(tables)
	var b strings.Builder
	for _, n := range tables {
		fmt.Fprintf(&b, "table %s\n", n)
		if !strings.HasPrefix(n, "strata_") {
			continue
		}
		rows, err := db.Query("SELECT * FROM " + n)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					vals[i] = string(bs)
				}
			}
			lines = append(lines, fmt.Sprint(vals...))
		}
		rows.Close()
		sort.Strings(lines)
		b.WriteString(strings.Join(lines, "\n"))
	}
	return b.String()
}

// readOnlyUser creates a user of db that can only connect and read.
func readOnlyUser(t *testing.T, kind string, db testdb.DB) (name, rawURL string) {
	t.Helper()
	if kind == "postgres" {
		return dbUser(t, kind, db, "ro-"+randomHex(6), "GRANT USAGE ON SCHEMA public TO %[1]s",
			"GRANT SELECT ON ALL TABLES IN SCHEMA public TO %[1]s")
	}
	return dbUser(t, kind, db, "ro-"+randomHex(6), "GRANT SELECT ON `%[2]s`.* TO '%[1]s'@'%'")
}

// TestReadOnlyCommandsSelectOnlyUser runs every read-only command as a
// user with only CONNECT/SELECT rights, on a migrated database and on a
// fresh one, in both lock modes: each succeeds and nothing changes (no
// history, audit or lease table, no lock row).
func TestReadOnlyCommandsSelectOnlyUser(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql"} {
		for _, migrated := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/migrated=%v", kind, migrated), func(t *testing.T) {
				t.Parallel()
				db := testdb.New(t, kind)
				admin := db.Open(t)
				f := readOnlyFolder(t)
				if migrated {
					// In lease mode, so the lease table exists too.
					want(t, f.run(db.URL, "up", "--lock-mode=lease"), 0)
				}
				f.write("0002_more.sql", "CREATE TABLE more_things (id int);\n")
				_, roURL := readOnlyUser(t, kind, db)
				before := snapshot(t, kind, admin)
				for _, c := range readOnlyCommands {
					code := c.fresh
					if migrated {
						code = c.migrated
					}
					if !migrated && c.args[0] == "await" {
						c.args = []string{"await", "--version", "1", "--timeout", "1s", "--interval", "100ms"}
					}
					for _, mode := range []string{"session", "lease"} {
						r := f.run(roURL, append(c.args, "--lock-mode", mode)...)
						if r.code != code || strings.Contains(r.stdout+r.stderr, "denied") {
							t.Errorf("%v --lock-mode %s as a read-only user: want exit %d\n%s", c.args, mode, code, r)
						}
					}
				}
				if after := snapshot(t, kind, admin); after != before {
					t.Errorf("read-only commands changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}
	}
}

// fileState is a file's size and modification time.
func fileState(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d %s", fi.Size(), fi.ModTime().Format(time.RFC3339Nano))
}

// folderFiles lists the files in a folder, each with its size and
// modification time.
func folderFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name()+" "+fileState(t, filepath.Join(dir, e.Name())))
	}
	return names
}

// TestReadOnlyCommandsSQLite: on a mistyped SQLite path every read-only
// command fails with exit 2 naming the file and creates nothing; on a fresh
// (empty) file and a migrated one each succeeds and leaves the file's size
// and modification time, and the folder around it, as they were.
func TestReadOnlyCommandsSQLite(t *testing.T) {
	t.Parallel()
	f := readOnlyFolder(t)
	dbDir := t.TempDir()
	missing := filepath.Join(dbDir, "typo.db")
	for _, c := range readOnlyCommands {
		r := f.run("sqlite:"+missing, c.args...)
		want(t, r, 2, "sqlite file "+missing+" does not exist", "strata up creates it")
	}
	// doctor opens the database, config does not: neither creates it.
	want(t, f.run("sqlite:"+missing, "doctor"), 2, "sqlite file "+missing+" does not exist")
	want(t, f.run("sqlite:"+missing, "config"), 0, "sqlite:"+missing)
	if names := folderFiles(t, dbDir); len(names) != 0 {
		t.Fatalf("read-only commands created %v", names)
	}

	for _, migrated := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "app.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		url := "sqlite:" + path
		f := readOnlyFolder(t)
		if migrated {
			want(t, f.run(url, "up"), 0)
		}
		f.write("0002_more.sql", "CREATE TABLE more_things (id int);\n")
		before, files := fileState(t, path), folderFiles(t, filepath.Dir(path))
		for _, c := range readOnlyCommands {
			code := c.fresh
			if migrated {
				code = c.migrated
			}
			args := c.args
			if !migrated && args[0] == "await" {
				args = []string{"await", "--version", "1", "--timeout", "1s", "--interval", "100ms"}
			}
			if r := f.run(url, args...); r.code != code {
				t.Errorf("%v (migrated=%v): want exit %d\n%s", args, migrated, code, r)
			}
		}
		if after := fileState(t, path); after != before {
			t.Errorf("migrated=%v: the database file changed: %s, was %s", migrated, after, before)
		}
		if after := folderFiles(t, filepath.Dir(path)); strings.Join(after, " ") != strings.Join(files, " ") {
			t.Errorf("migrated=%v: the database's folder changed: %v, was %v", migrated, after, files)
		}
	}
}

// TestStatusRunningRowSQLite: a running row is told live or interrupted
// from the lock file without creating it or writing to the database.
func TestStatusRunningRowSQLite(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "sqlite")
	f := readOnlyFolder(t)
	want(t, f.run(db.URL, "up"), 0)
	admin := db.Open(t)
	if _, err := admin.Exec("UPDATE strata_schema_history SET status = 'running' WHERE version = '1'"); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	before, files := fileState(t, db.Name), folderFiles(t, filepath.Dir(db.Name))
	if got := f.status(db.URL).state("1"); got != "interrupted" {
		t.Errorf("nobody holds the lock: state %s, want interrupted", got)
	}
	if after := folderFiles(t, filepath.Dir(db.Name)); strings.Join(after, " ") != strings.Join(files, " ") {
		t.Errorf("status created or changed files: %v, was %v", after, files)
	}
	if after := fileState(t, db.Name); after != before {
		t.Errorf("status changed the database file: %s, was %s", after, before)
	}
	holdLock(t, db, "session", time.Second)
	if got := f.status(db.URL).state("1"); got != "running" {
		t.Errorf("a run holds the lock: state %s, want running", got)
	}
}

// TestLeaseInspectReadOnly: in lease mode, status, check and await decide
// whether a running row's run is live from the lease row and the
// database's clock, as a user that can only read: a live lease says
// running, an expired one interrupted, and the lease row is left as it was.
func TestLeaseInspectReadOnly(t *testing.T) {
	t.Parallel()
	nowMS := map[string]string{
		"postgres": "(extract(epoch FROM clock_timestamp()) * 1000)::bigint",
		"mysql":    "CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)",
	}
	for _, kind := range []string{"postgres", "mysql"} {
		for _, live := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/live=%v", kind, live), func(t *testing.T) {
				t.Parallel()
				db := testdb.New(t, kind)
				admin := db.Open(t)
				f := readOnlyFolder(t)
				want(t, f.run(db.URL, "up", "--lock-mode=lease"), 0)
				if _, err := admin.Exec("UPDATE strata_schema_history SET status = 'running' WHERE version = '1'"); err != nil {
					t.Fatal(err)
				}
				// Another runner's lease, by the database's clock: ten
				// minutes to go, or ten minutes past.
				offset := "+ 600000"
				if !live {
					offset = "- 600000"
				}
				if _, err := admin.Exec("INSERT INTO strata_schema_history_lock (name, owner, host, pid, acquired_ms, expires_ms) VALUES ('migrate', 'elsewhere', 'otherhost', 1, " +
					nowMS[kind] + ", " + nowMS[kind] + " " + offset + ")"); err != nil {
					t.Fatal(err)
				}
				_, roURL := readOnlyUser(t, kind, db)
				before := snapshot(t, kind, admin)
				state, code := "interrupted", 14
				if live {
					state, code = "running", 10
				}
				r := f.run(roURL, "status", "--lock-mode=lease", "--json")
				want(t, r, 0)
				var st statusJSON
				if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
					t.Fatal(err)
				}
				if got := st.state("1"); got != state {
					t.Errorf("status --lock-mode=lease: state %s, want %s\n%s", got, state, r)
				}
				r = f.run(roURL, "check", "--lock-mode=lease", "--json")
				if r.code != code || !strings.Contains(r.stdout, `"state": "`+state+`"`) {
					t.Errorf("check --lock-mode=lease: want exit %d and state %s\n%s", code, state, r)
				}
				r = f.run(roURL, "await", "--lock-mode=lease", "--version", "1", "--timeout", "1s", "--interval", "100ms")
				want(t, r, 7)
				if strings.Contains(r.stderr, "denied") {
					t.Errorf("await tried to write:\n%s", r)
				}
				if after := snapshot(t, kind, admin); after != before {
					t.Errorf("the lease or history changed:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}
	}
}
