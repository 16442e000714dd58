package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// The verify tests do not run in parallel: the SIGKILL test drops every
// scratch database on the server, whatever its age.

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
	for _, kind := range []string{"postgres", "mysql", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			db := testdb.New(t, kind)
			sqlDB := db.Open(t)
			before := len(scratchDatabases(t, db, sqlDB))
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
			if n := len(scratchDatabases(t, db, sqlDB)); n > before {
				t.Errorf("verify left %d scratch databases behind", n-before)
			}
		})
	}
}

// TestVerifyKilled SIGKILLs a verify run in the middle of a file, and
// checks that the next run drops the scratch database it left.
func TestVerifyKilled(t *testing.T) {
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
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
			if !sc.Scan() || !strings.Contains(sc.Text(), "scratch database strata_verify_") {
				t.Fatalf("verify did not start: %q", sc.Text())
			}
			time.Sleep(500 * time.Millisecond) // into the sleep
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			if len(scratchDatabases(t, db, sqlDB)) == 0 {
				t.Fatal("the killed verify left no scratch database: the test proves nothing")
			}

			f.write("0001_slow.sql", "SELECT 1;\n")
			r := f.run(db.URL, "verify", "--stale-after", "0s")
			want(t, r, 0, "dropped scratch database strata_verify_", "left by a verify run that was killed")
			if left := scratchDatabases(t, db, sqlDB); len(left) != 0 {
				t.Errorf("scratch databases remain: %v", left)
			}
		})
	}
}
