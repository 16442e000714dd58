package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	lib "github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/testdb"
)

type doctorJSON struct {
	OK     bool `json:"ok"`
	Checks []struct {
		Name, Status, Detail, Hint string
	} `json:"checks"`
}

func (d doctorJSON) check(name string) (status, detail string) {
	for _, c := range d.Checks {
		if c.Name == name {
			return c.Status, c.Detail
		}
	}
	return "(absent)", ""
}

func runDoctor(t *testing.T, f *folder, url string, code int, args ...string) doctorJSON {
	t.Helper()
	r := f.run(url, append([]string{"doctor", "--json"}, args...)...)
	if r.code != code {
		t.Fatalf("doctor %v: want exit %d, got %s", args, code, r)
	}
	var d doctorJSON
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, r)
	}
	return d
}

func wantDoctorCheck(t *testing.T, d doctorJSON, name, status string, contains ...string) {
	t.Helper()
	s, detail := d.check(name)
	if s != status {
		t.Fatalf("check %s: status %s, want %s (%s); all: %+v", name, s, status, detail, d.Checks)
	}
	for _, c := range contains {
		if !strings.Contains(detail, c) {
			t.Fatalf("check %s: detail %q does not contain %q", name, detail, c)
		}
	}
}

// TestDoctor checks each database: a fresh one, after up, with the lock
// held, and (PostgreSQL, MariaDB) the application user's rights with and
// without DDL grants, and a migration user without them.
func TestDoctor(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		kind := strings.SplitN(db.URL, ":", 2)[0]
		f := newFolder(t)
		f.write("0001_t.sql", "CREATE TABLE doc_t (id int);\n")
		d := runDoctor(t, f, db.URL, 0)
		if !d.OK {
			t.Fatalf("fresh database: %+v", d)
		}
		wantDoctorCheck(t, d, "connect", "ok")
		wantDoctorCheck(t, d, "server", "ok", map[string]string{"postgres": "PostgreSQL", "mysql": "MariaDB", "sqlite": "SQLite"}[kind])
		wantDoctorCheck(t, d, "history", "ok", "does not exist yet")
		wantDoctorCheck(t, d, "lock", "ok", "free")
		wantDoctorCheck(t, d, "migration user", "ok", "can create, alter and drop")

		want(t, f.run(db.URL, "up"), 0)
		d = runDoctor(t, f, db.URL, 0)
		wantDoctorCheck(t, d, "history", "ok", "layout 1")
		wantDoctorCheck(t, d, "migrations", "ok", "database at version 1, 1 applied, 0 pending")

		// Hold the lock through the library, as a running strata would.
		tg, err := config.Parse(db.URL)
		if err != nil {
			t.Fatal(err)
		}
		sdb, err := tg.Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		m, err := lib.New(sdb, tg.Dialect, os.DirFS(f.path))
		if err != nil {
			t.Fatal(err)
		}
		release, err := m.Lock(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		wantDoctorCheck(t, runDoctor(t, f, db.URL, 0), "lock", "warn", "held by")
		release()
		wantDoctorCheck(t, runDoctor(t, f, db.URL, 0), "lock", "ok")

		r := f.run(db.URL, "doctor")
		want(t, r, 0, "ok    connect", "ok    lock")
		if kind == "sqlite" {
			return
		}

		pw := "Dr" + randomHex(6)
		readOnly := map[string][]string{
			"postgres": {"GRANT USAGE ON SCHEMA public TO %[1]s", "GRANT SELECT ON ALL TABLES IN SCHEMA public TO %[1]s"},
			"mysql":    {"GRANT SELECT, INSERT, UPDATE, DELETE ON `%[2]s`.* TO '%[1]s'@'%'"},
		}[kind]
		_, appURL := dbUser(t, kind, db, pw, readOnly...)
		d = runDoctor(t, f, db.URL, 0, "--app-url", appURL)
		wantDoctorCheck(t, d, "app user", "ok", "cannot change the schema")

		ddl := map[string][]string{
			"postgres": {"GRANT USAGE, CREATE ON SCHEMA public TO %[1]s"},
			"mysql":    {"GRANT SELECT, CREATE, DROP ON `%[2]s`.* TO '%[1]s'@'%'"},
		}[kind]
		_, ddlURL := dbUser(t, kind, db, pw, ddl...)
		d = runDoctor(t, f, db.URL, 0, "--app-url", ddlURL)
		wantDoctorCheck(t, d, "app user", "warn", map[string]string{"postgres": "has CREATE on the schema", "mysql": "GRANT SELECT, CREATE, DROP ON"}[kind])
		r = strataEnv(t, f.wd, []string{"STRATA_APP_URL=" + ddlURL}, "doctor", "--url", db.URL, "--dir", f.dir)
		want(t, r, 0, "warn  app user", "hint: ")
		if strings.Contains(r.stdout+r.stderr, pw) {
			t.Fatalf("doctor printed the app user's password:\n%s", r)
		}

		// A migration user that cannot change the schema fails the check.
		_, noDDL := dbUser(t, kind, db, pw, readOnly...)
		d = runDoctor(t, f, noDDL, 1)
		wantDoctorCheck(t, d, "migration user", "fail", "cannot create a table")
		if d.OK {
			t.Error("ok is true with a failed check")
		}
	})
}

// TestDoctorUnreachable: a database that does not answer is one failed
// check and exit 6.
func TestDoctorUnreachable(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	d := runDoctor(t, f, "postgres://u:secretpw@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", 6)
	wantDoctorCheck(t, d, "connect", "fail", "cannot connect")
	if strings.Contains(d.Checks[0].Detail, "secretpw") {
		t.Error("password printed")
	}
}
