package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// The verify tests run in parallel with each other and with other tests
// that run verify on the same servers: they look for their own scratch
// databases by name, and the SIGKILL test drops only stale ones.

// scratchDatabases lists the scratch databases on the server of db (the
// scratch files in the temporary folder for SQLite).
func scratchDatabases(t *testing.T, db testdb.DB, sqlDB *sql.DB) []string {
	t.Helper()
	var q string
	switch db.DriverName {
	case "pgx":
		q = "SELECT datname FROM pg_database WHERE datname LIKE 'strata\\_verify\\_%'"
	case "mysql":
		q = "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'strata\\_verify\\_%'"
	default:
		files, _ := filepath.Glob(filepath.Join(os.TempDir(), "strata_verify_*.db"))
		return files
	}
	rows, err := sqlDB.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

type verifyJSON struct {
	OK    bool `json:"ok"`
	Files []struct {
		Phase, File, Error string
		OK                 bool
		Line               int
	} `json:"files"`
	Leftovers []string `json:"leftovers"`
}

func runVerify(t *testing.T, f *folder, url string, args ...string) (result, verifyJSON) {
	t.Helper()
	r := f.run(url, append([]string{"verify", "--json"}, args...)...)
	var v verifyJSON
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("verify --json: %v\n%s", err, r)
	}
	return r, v
}

// TestVerify catches a broken chain, a file that cannot run twice, and a
// down file that leaves a table behind, on each database, and leaves no
// scratch database behind.
func TestVerify(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			sqlDB := db.Open(t)
			f := newFolder(t)
			f.write("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n")
			f.write("0001_users.down.sql", "DROP TABLE users;\n")
			f.write("0002_orders.sql", "CREATE TABLE orders (id int PRIMARY KEY);\n\nINSERT INTO order_lines VALUES (1);\n")
			r, v := runVerify(t, f, db.URL)
			if r.code != 4 || v.OK || len(v.Files) != 2 || !v.Files[0].OK || v.Files[1].OK || v.Files[1].Line != 3 ||
				!strings.Contains(v.Files[1].Error, "0002_orders.sql:3") {
				t.Fatalf("broken chain: want 0002_orders.sql:3 to fail, got %+v\n%s", v, r)
			}
			if st := f.status(db.URL); st.Pending != 2 {
				t.Errorf("verify touched the database of --url: %+v", st)
			}

			f.write("0002_orders.sql", "CREATE TABLE orders (id int PRIMARY KEY);\nINSERT INTO orders VALUES (1);\n")
			r, v = runVerify(t, f, db.URL, "--idempotent")
			if r.code != 4 || len(v.Files) != 4 || v.Files[1].OK || v.Files[1].Phase != "again" || v.Files[3].OK ||
				!strings.Contains(v.Files[3].Error, "0002_orders.sql:1") {
				t.Fatalf("--idempotent: want both files to fail the second run, got %+v\n%s", v, r)
			}
			f.write("0001_users.sql", "CREATE TABLE IF NOT EXISTS users (id int PRIMARY KEY);\n")
			f.write("0002_orders.sql", "CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY);\n")
			r, v = runVerify(t, f, db.URL, "--idempotent")
			want(t, r, 0)

			f.write("0002_orders.down.sql", "SELECT 1;\n") // forgets DROP TABLE orders
			r, v = runVerify(t, f, db.URL, "--down")
			if r.code != 4 || len(v.Leftovers) != 1 || !strings.Contains(v.Leftovers[0], "orders") {
				t.Fatalf("--down: want orders left over, got %+v\n%s", v, r)
			}
			f.write("0002_orders.down.sql", "DROP TABLE orders;\n")
			r, v = runVerify(t, f, db.URL, "--down")
			want(t, r, 0)
			if len(v.Files) != 6 || v.Files[2].Phase != "down" || v.Files[5].Phase != "reapply" {
				t.Errorf("--down: want up, down and reapply of each file, got %+v", v.Files)
			}
			r = f.run(db.URL, "verify")
			want(t, r, 0, "ok    migrations/0001_users.sql", "verify ok")
			// Other tests' verify runs come and go on the same server:
			// look for this run's scratch database by name.
			_, name, _ := strings.Cut(r.stdout, "scratch database ")
			if name, _, _ = strings.Cut(name, " "); name == "" {
				t.Fatalf("verify did not name its scratch database:\n%s", r)
			}
			if slices.Contains(scratchDatabases(t, db, sqlDB), name) {
				t.Errorf("verify left its scratch database %s behind", name)
			}
		})
	}
}

// TestVerifyKilled SIGKILLs a verify run in the middle of a file, and
// checks that the next run drops the scratch database it left.
func TestVerifyKilled(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			sqlDB := db.Open(t)
			f := newFolder(t)
			f.write("0001_slow.sql", map[string]string{"pgx": "SELECT pg_sleep(30);\n", "mysql": "SELECT SLEEP(30);\n"}[db.DriverName])
			cmd := exec.Command(bin, "verify", "--url", db.URL, "--dir", f.dir)
			cmd.Dir, cmd.Env = f.wd, cleanEnv()
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(out)
			if !sc.Scan() {
				t.Fatal("verify printed nothing")
			}
			_, scratch, ok := strings.Cut(sc.Text(), "scratch database ")
			if !ok || !strings.HasPrefix(scratch, "strata_verify_") {
				t.Fatalf("verify did not start: %q", sc.Text())
			}
			scratch, _, _ = strings.Cut(scratch, " ")
			waitRunning(t, sqlDB, db.DriverName, scratch, "(30)") // into the sleep
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			t.Cleanup(func() { _, _ = sqlDB.Exec(dropDatabase(db.DriverName, scratch)) })
			if !slices.Contains(scratchDatabases(t, db, sqlDB), scratch) {
				t.Fatalf("the killed verify left no scratch database %s: the test proves nothing", scratch)
			}

			// Other tests run verify on this server at the same time, so
			// the next run here must not drop young scratch databases: it
			// drops those older than --stale-after. A leftover half an
			// hour old stands for one of a run killed long ago; the one
			// just left is younger than the limit and stays until it is
			// stale. (Half an hour, under the default --stale-after of an
			// hour: the other tests' verify runs leave it to this one.)
			old := fmt.Sprintf("strata_verify_%d_%s", time.Now().Add(-30*time.Minute).Unix(), randomHex(6))
			if _, err := sqlDB.Exec(createDatabase(db.DriverName, old)); err != nil {
				t.Fatal(err)
			}
			f.write("0001_slow.sql", "SELECT 1;\n")
			r := f.run(db.URL, "verify", "--stale-after", "10m")
			want(t, r, 0, "dropped scratch database "+old, "left by a verify run that was killed")
			if strings.Contains(r.stderr, scratch) {
				t.Errorf("the run dropped %s, younger than --stale-after:\n%s", scratch, r)
			}
			left := scratchDatabases(t, db, sqlDB)
			if slices.Contains(left, old) || !slices.Contains(left, scratch) {
				t.Errorf("scratch databases left: %v; want %s dropped and %s kept", left, old, scratch)
			}
		})
	}
}

// createDatabase and dropDatabase are the statements that create and drop
// database name on the server of driver ("pgx" or "mysql").
func createDatabase(driver, name string) string {
	if driver == "pgx" {
		return `CREATE DATABASE "` + name + `"`
	}
	return "CREATE DATABASE `" + name + "`"
}

func dropDatabase(driver, name string) string {
	if driver == "pgx" {
		return `DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`
	}
	return "DROP DATABASE IF EXISTS `" + name + "`"
}
