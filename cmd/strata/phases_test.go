package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// phaseStatus is the phase of each migration in `status --json`.
type phaseStatus struct {
	Pending    int `json:"pending"`
	Migrations []struct {
		Version string `json:"version"`
		State   string `json:"state"`
		Phase   string `json:"phase"`
	} `json:"migrations"`
}

func (st phaseStatus) row(version string) (state, phase string) {
	for _, m := range st.Migrations {
		if m.Version == version {
			return m.State, m.Phase
		}
	}
	return "(absent)", ""
}

// postDir makes the post-deploy folder of f.
func postDir(t *testing.T, f *folder) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(f.path, "post-deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// releasePair is a release whose pre-deploy file adds full_name and whose
// post-deploy file (in the post-deploy folder) drops the old name column.
func releasePair(t *testing.T, f *folder) {
	t.Helper()
	postDir(t, f)
	f.write("0001_create_users.sql", "CREATE TABLE users (id int PRIMARY KEY, name varchar(100));\n")
	f.write("0002_add_full_name.sql", "ALTER TABLE users ADD COLUMN full_name varchar(200);\n")
	f.write("post-deploy/0003_drop_name.sql", "-- the contract step: the new release no longer reads name\nALTER TABLE users DROP COLUMN name;\n")
}

// TestPhases: a release pair on every database: the pre-deploy phase adds
// a column and leaves the post-deploy file alone (named), check and await
// --phase see each phase, status and JSON carry the phase, a newer
// release's pre-deploy file passes a waiting post-deploy file (reported,
// not out of order), the post-deploy phase refuses while an earlier
// pre-deploy file is pending and then drops the old column, run --phase
// applies only its phase before starting the application, and the
// history row keeps the phase of a file that is gone.
func TestPhases(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		releasePair(t, f)
		url := db.URL

		want(t, f.run(url, "plan", "--phase", "pre-deploy"), 0, "2 migrations to apply",
			"skipped 1 pending file (post-deploy, not this phase): migrations/post-deploy/0003_drop_name.sql")
		r := f.run(url, "up", "--phase", "pre-deploy")
		want(t, r, 0, "applied migrations/0002_add_full_name.sql", "skipped 1 pending file (post-deploy, not this phase)")
		if strings.Contains(r.stdout, "applied migrations/post-deploy/0003") {
			t.Fatalf("a pre-deploy run applied the post-deploy file:\n%s", r)
		}
		// The old column is still there for the running release.
		want(t, f.run(url, "check", "--phase", "pre-deploy"), 0, "ok")
		want(t, f.run(url, "check", "--phase", "post-deploy"), 10, "0003_drop_name.sql")
		want(t, f.run(url, "check"), 10)
		want(t, f.run(url, "await", "--phase", "pre-deploy", "--timeout", "5s"), 0, "every pre-deploy file applied")
		want(t, f.run(url, "await", "--phase", "post-deploy", "--timeout", "300ms", "--interval", "50ms"), 7)

		st := decode[phaseStatus](t, f.run(url, "status", "--json"))
		for v, w := range map[string][2]string{"1": {"applied", "pre-deploy"}, "2": {"applied", "pre-deploy"}, "3": {"pending", "post-deploy"}} {
			if s, p := st.row(v); s != w[0] || p != w[1] {
				t.Errorf("status --json %s: %s %s, want %s %s", v, s, p, w[0], w[1])
			}
		}
		r = f.run(url, "status")
		want(t, r, 0, "PHASE")
		if !strings.Contains(r.stdout, "pending  post-deploy") {
			t.Errorf("status has no phase column:\n%s", r)
		}

		// The next release arrives before the post-deploy phase ran.
		f.write("0004_add_email.sql", "ALTER TABLE users ADD COLUMN email varchar(200);\n")
		want(t, f.run(url, "up", "--phase", "pre-deploy"), 0, "applied migrations/0004_add_email.sql",
			"warning: post-deploy file migrations/post-deploy/0003_drop_name.sql still pending below newer pre-deploy files")
		if s := f.status(url).state("3"); s != "pending" {
			t.Errorf("the waiting post-deploy file is %s, want pending (not out of order)", s)
		}
		want(t, f.run(url, "status"), 0, "note: post-deploy file migrations/post-deploy/0003_drop_name.sql pending below newer applied files")

		// A post-deploy file above a pending pre-deploy file must wait.
		f.write("0005_add_phone.sql", "ALTER TABLE users ADD COLUMN phone varchar(50);\n")
		f.write("post-deploy/0006_drop_full_name.sql", "ALTER TABLE users DROP COLUMN full_name;\n")
		r = f.run(url, "up", "--phase", "post-deploy")
		want(t, r, 3, "refusing to run the post-deploy phase", "migrations/0005_add_phone.sql", "strata up --phase pre-deploy first")
		if e := parseError(t, f.run(url, "up", "--phase", "post-deploy", "--json")); e.Error.Code != "drift" {
			t.Errorf("refusal code %q, want drift", e.Error.Code)
		}
		f.remove("post-deploy/0006_drop_full_name.sql")

		// The post-deploy phase applies 0003 and leaves 0005 (the next
		// release's pre-deploy file) alone.
		want(t, f.run(url, "up", "--phase", "post-deploy"), 0, "applied migrations/post-deploy/0003_drop_name.sql",
			"skipped 1 pending file (pre-deploy, not this phase): migrations/0005_add_phone.sql")
		want(t, f.run(url, "check", "--phase", "post-deploy"), 0)
		want(t, f.run(url, "check", "--phase", "pre-deploy"), 10, "0005_add_phone.sql")

		// run --phase pre-deploy applies 0005, then becomes the application.
		file := filepath.Join(t.TempDir(), "started")
		cmd, out := startStrata(t, f, []string{"STRATA_TEST_MARK=phases"}, append([]string{"run", "--phase", "pre-deploy", "--url", url, "--dir", f.dir}, marker(file)...)...)
		if code := exitOf(t, cmd); code != 0 || !strings.Contains(out.String(), "applied migrations/0005_add_phone.sql") {
			t.Fatalf("run --phase pre-deploy: exit %d\n%s", code, out)
		}
		if _, mark, ok := readMarker(t, file); !ok || mark != "phases" {
			t.Fatalf("run --phase did not start the command")
		}
		want(t, f.run(url, "check"), 0)

		// The history row keeps the phase of a file that is gone.
		f.remove("post-deploy/0003_drop_name.sql")
		if s, p := decode[phaseStatus](t, f.run(url, "status", "--json")).row("3"); s != "missing" || p != "post-deploy" {
			t.Errorf("status of the removed post-deploy file: %s %s, want missing post-deploy", s, p)
		}
	})
}

// TestPhasesDirectiveAndErrors: the directive marks a file post-deploy
// wherever it is; a bad phase name is an error naming file:line; --phase
// takes only the two phases; a configured post-deploy folder.
func TestPhasesDirectiveAndErrors(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "sqlite")
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE a (id int, old int);\n")
	f.write("0002_b.sql", "-- strata:phase post-deploy\nALTER TABLE a DROP COLUMN old;\n")
	want(t, f.run(db.URL, "up", "--phase", "pre-deploy"), 0, "skipped 1 pending file (post-deploy, not this phase): migrations/0002_b.sql")
	want(t, f.run(db.URL, "up", "--phase", "later"), 2, `unknown phase "later"`)

	f.write("0003_c.sql", "-- x\n-- strata:phase post_deploy\nSELECT 1;\n")
	want(t, f.run(db.URL, "status"), 2, "0003_c.sql:2: strata:phase needs pre-deploy or post-deploy")
	f.remove("0003_c.sql")

	if err := os.MkdirAll(filepath.Join(f.path, "contract"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.write("contract/0003_c.sql", "SELECT 1;\n")
	want(t, f.run(db.URL, "up", "--phase", "post-deploy", "--post-deploy-dir", "contract"), 0,
		"applied migrations/0002_b.sql", "applied migrations/contract/0003_c.sql")
}

// TestPhasesFleet: a fleet run honours --phase on every target: up, and
// check --phase over the fleet.
func TestPhasesFleet(t *testing.T) {
	t.Parallel()
	a, b := testdb.New(t, "sqlite"), testdb.New(t, "sqlite")
	f := newFolder(t)
	releasePair(t, f)
	targets := writeTargets(t, f.wd, []string{a.URL, b.URL})
	fleet := func(args ...string) result {
		return strata(t, f.wd, append(args, "--targets", targets, "--dir", f.dir)...)
	}
	want(t, fleet("up", "--phase", "pre-deploy"), 0)
	want(t, fleet("check", "--phase", "pre-deploy"), 0)
	want(t, fleet("check", "--phase", "post-deploy"), 10)
	for _, u := range []string{a.URL, b.URL} {
		if s := f.status(u).state("3"); s != "pending" {
			t.Errorf("%s: post-deploy file %s after a pre-deploy fleet run", u, s)
		}
	}
	want(t, fleet("up", "--phase", "post-deploy"), 0)
	want(t, fleet("check"), 0)
}

// TestPhasesLintAndNew: a destructive change is an error in a pre-deploy
// file, naming the phase it belongs in, and passes in a post-deploy file;
// new --post-deploy writes one.
func TestPhasesLintAndNew(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_users.sql", "CREATE TABLE users (id int, name text);\n")
	f.write("0002_drop_name.sql", "ALTER TABLE users DROP COLUMN name;\n")
	lintAll := func() result {
		return strata(t, f.wd, "lint", "--all", "--dir", "migrations", "--url", "postgres://nobody@127.0.0.1:1/none", "--lock-timeout-ddl", "5s")
	}
	want(t, lintAll(), 1, "[drop-column]", "belongs in the post-deploy phase")
	f.remove("0002_drop_name.sql")

	r := strata(t, f.wd, "new", "--dir", "migrations", "--post-deploy", "drop name")
	want(t, r, 0, "0002_drop_name.sql")
	path := filepath.Join(f.path, "0002_drop_name.sql")
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(b), "-- strata:phase post-deploy\n") {
		t.Fatalf("new --post-deploy wrote %q (%v)", b, err)
	}
	if err := os.WriteFile(path, append(b, "ALTER TABLE users DROP COLUMN name;\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	r = lintAll()
	want(t, r, 0)
	if strings.Contains(r.stdout, "drop-column") {
		t.Errorf("drop-column fired in a post-deploy file:\n%s", r)
	}

	postDir(t, f)
	want(t, strata(t, f.wd, "new", "--dir", "migrations", "--post-deploy", "drop more"), 0, filepath.Join("migrations", "post-deploy", "0003_drop_more.sql"))
}

// TestPhasesPlainUp: up without --phase applies a post-deploy file that
// waited below newer files, in order, and says so.
func TestPhasesPlainUp(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "sqlite")
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE a (id int, old int);\n")
	f.write("0002_b.sql", "-- strata:phase post-deploy\nALTER TABLE a DROP COLUMN old;\n")
	f.write("0003_c.sql", "CREATE TABLE c (id int);\n")
	want(t, f.run(db.URL, "up", "--phase", "pre-deploy"), 0, "applied migrations/0003_c.sql", "warning: post-deploy file migrations/0002_b.sql still pending")
	want(t, f.run(db.URL, "up"), 0, "applied migrations/0002_b.sql", "note: applied post-deploy file migrations/0002_b.sql below newer files")
	want(t, f.run(db.URL, "check"), 0)
}
