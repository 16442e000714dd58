package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// aheadJSON holds the ahead field of the --json documents of up, run,
// status, plan, check and await.
type aheadJSON struct {
	Ahead          []string `json:"ahead"`
	CurrentVersion string   `json:"current_version"`
	OK             bool     `json:"ok"`
	Applied        []any    `json:"applied"`
	Steps          []any    `json:"steps"`
}

// olderRelease applies four migrations as the newer release, then leaves
// the folder as the older release had it: 0001 and 0002, with down files
// (the newer release added 0005 and 0006).
func olderRelease(t *testing.T, url string) *folder {
	t.Helper()
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	f.write("0001_create_users.down.sql", "DROP TABLE users;\n")
	f.write("0002_create_posts.sql", createPosts)
	f.write("0002_create_posts.down.sql", "DROP TABLE posts;\n")
	f.write("0005_create_tags.sql", "CREATE TABLE tags (id int);\n")
	f.write("0005_create_tags.down.sql", "DROP TABLE tags;\n")
	f.write("0006_create_likes.sql", "CREATE TABLE likes (id int);\n")
	f.write("0006_create_likes.down.sql", "DROP TABLE likes;\n")
	want(t, f.run(url, "up"), 0, "applied migrations/0006_create_likes.sql")
	for _, name := range []string{"0005_create_tags.sql", "0005_create_tags.down.sql", "0006_create_likes.sql", "0006_create_likes.down.sql"} {
		f.remove(name)
	}
	return f
}

const aheadNote = "the database is ahead of this folder: 2 applied migrations newer than 2 (5, 6)"

// TestAhead: an older release's strata, on a database a newer release
// migrated, starts the application (run), stays ready (check), has
// nothing to do (up, plan), shows the newer rows as ahead (status), counts
// the versions as reached (await), and refuses to roll back what it has no
// files for (down).
func TestAhead(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := olderRelease(t, db.URL)

		want(t, f.run(db.URL, "up"), 0, "nothing to do: "+aheadNote)
		doc := decode[aheadJSON](t, f.run(db.URL, "up", "--json"))
		if !slices.Equal(doc.Ahead, []string{"5", "6"}) || len(doc.Applied) != 0 || doc.CurrentVersion != "6" {
			t.Errorf("up --json: %+v", doc)
		}

		file := filepath.Join(t.TempDir(), "started")
		cmd, out := startStrata(t, f, []string{"STRATA_TEST_MARK=ahead"}, append([]string{"run", "--url", db.URL, "--dir", f.dir}, marker(file)...)...)
		if code := exitOf(t, cmd); code != 0 || !strings.Contains(out.String(), aheadNote) {
			t.Fatalf("run: exit %d\n%s", code, out)
		}
		if pid, mark, ok := readMarker(t, file); !ok || pid != cmd.Process.Pid || mark != "ahead" {
			t.Fatalf("run did not become the command: pid %d mark %q ran %v", pid, mark, ok)
		}

		want(t, f.run(db.URL, "check"), 0, "ok: "+aheadNote)
		doc = decode[aheadJSON](t, f.run(db.URL, "check", "--json"))
		if !doc.OK || !slices.Equal(doc.Ahead, []string{"5", "6"}) {
			t.Errorf("check --json: %+v", doc)
		}

		r := f.run(db.URL, "status")
		want(t, r, 0, "note: "+aheadNote)
		for _, row := range []string{"5", "6"} {
			if !slices.ContainsFunc(strings.Split(r.stdout, "\n"), func(l string) bool {
				fields := strings.Fields(l)
				return len(fields) > 2 && fields[0] == row && fields[2] == "ahead"
			}) {
				t.Errorf("status has no ahead row for %s:\n%s", row, r)
			}
		}
		st := f.status(db.URL)
		if st.state("1") != "applied" || st.state("2") != "applied" || st.state("5") != "ahead" || st.state("6") != "ahead" || st.Pending != 0 {
			t.Errorf("status --json: %+v", st)
		}
		if doc = decode[aheadJSON](t, f.run(db.URL, "status", "--json")); !slices.Equal(doc.Ahead, []string{"5", "6"}) {
			t.Errorf("status --json ahead = %v", doc.Ahead)
		}

		want(t, f.run(db.URL, "plan"), 0, "nothing to do: "+aheadNote)
		if doc = decode[aheadJSON](t, f.run(db.URL, "plan", "--json")); !slices.Equal(doc.Ahead, []string{"5", "6"}) || len(doc.Steps) != 0 {
			t.Errorf("plan --json: %+v", doc)
		}

		want(t, f.run(db.URL, "await", "--timeout", "5s"), 0, "database reached version 2")
		want(t, f.run(db.URL, "await", "--version", "6", "--timeout", "2s", "--interval", "100ms"), 0, "database reached version 6")
		if doc = decode[aheadJSON](t, f.run(db.URL, "await", "--timeout", "5s", "--json")); !slices.Equal(doc.Ahead, []string{"5", "6"}) {
			t.Errorf("await --json: %+v", doc)
		}

		for _, args := range [][]string{{"down"}, {"down", "2"}, {"down", "--to", "1"}, {"plan", "--down"}, {"redo"}} {
			want(t, f.run(db.URL, args...), 3, "6's file is not in this folder", "run strata down from the release that has migrations/0006_create_likes.sql")
		}
		if st := f.status(db.URL); st.state("6") != "ahead" || st.CurrentVersion != "6" {
			t.Errorf("a refused down changed the history: %+v", st)
		}
	})
}

// TestFailIfAhead: --fail-if-ahead, STRATA_FAIL_IF_AHEAD and fail-if-ahead
// in strata.toml make a database ahead of the folder an error: up and run
// refuse (exit 3, run never starts the application), check exits 12.
func TestFailIfAhead(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := olderRelease(t, db.URL)

		want(t, f.run(db.URL, "up", "--fail-if-ahead"), 3, "refusing to migrate", aheadNote, "--fail-if-ahead")
		e := parseError(t, f.run(db.URL, "up", "--fail-if-ahead", "--json"))
		if e.Error.Code != "drift" || len(e.Error.Problems) != 1 || e.Error.Problems[0].State != "ahead" || e.Error.Problems[0].File != "migrations/0005_create_tags.sql" {
			t.Errorf("up --fail-if-ahead --json: %+v", e)
		}
		want(t, f.run(db.URL, "plan", "--fail-if-ahead"), 3, aheadNote)

		file := filepath.Join(t.TempDir(), "started")
		r := strataEnv(t, f.wd, []string{"STRATA_FAIL_IF_AHEAD=true"}, append([]string{"run", "--url", db.URL, "--dir", f.dir}, marker(file)...)...)
		want(t, r, 3, aheadNote)
		if _, _, ok := readMarker(t, file); ok {
			t.Fatal("run started the application with STRATA_FAIL_IF_AHEAD=true")
		}

		if err := os.WriteFile(filepath.Join(f.wd, "strata.toml"), []byte("fail-if-ahead = true\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r = f.run(db.URL, "check")
		want(t, r, 12, "not ok (exit 12, missing)", "ahead", aheadNote)
		want(t, f.run(db.URL, "status"), 0, "problem: migrations/0005_create_tags.sql: "+aheadNote)
		// The flag beats the file.
		want(t, f.run(db.URL, "check", "--fail-if-ahead=false"), 0, "ok: "+aheadNote)
	})
}

// TestAheadStillRefuses: what is not ahead is refused as before: a
// pending file below an applied version, an applied file missing below the
// folder's newest, and a failed row above it.
func TestAheadStillRefuses(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := olderRelease(t, db.URL)

		f.write("0003_late.sql", "CREATE TABLE late (id int);\n")
		want(t, f.run(db.URL, "up"), 3, "migrations/0003_late.sql", "lower than the highest applied version 6")
		want(t, f.run(db.URL, "check"), 13)
		if st := f.status(db.URL); st.state("3") != "out_of_order" || st.state("5") != "ahead" {
			t.Errorf("status: 3 %s, 5 %s", st.state("3"), st.state("5"))
		}
		f.remove("0003_late.sql")

		f.remove("0001_create_users.sql")
		f.remove("0001_create_users.down.sql")
		want(t, f.run(db.URL, "up"), 3, "applied migration 1 is missing from the folder")
		want(t, f.run(db.URL, "check"), 12)
		f.write("0001_create_users.sql", createUsers)

		// The newer release's next file fails; the older release must not
		// take the failed row for one that is ahead.
		f.write("0005_create_tags.sql", "CREATE TABLE tags (id int);\n")
		f.write("0006_create_likes.sql", "CREATE TABLE likes (id int);\n")
		f.write("0007_broken.sql", "-- strata:no-transaction\nSELECT * FROM no_such_table;\n")
		want(t, f.run(db.URL, "up"), 4, "no_such_table")
		for _, name := range []string{"0005_create_tags.sql", "0006_create_likes.sql", "0007_broken.sql"} {
			f.remove(name)
		}
		want(t, f.run(db.URL, "up"), 3, "migrations/0007_broken.sql")
		if st := f.status(db.URL); st.state("7") != "missing" || st.state("6") != "ahead" {
			t.Errorf("status: 6 %s, 7 %s", st.state("6"), st.state("7"))
		}
	})
}

// TestAheadFleet: a fleet run of the older release treats each target
// ahead of the folder as up to date, and --fail-if-ahead fails it alone.
func TestAheadFleet(t *testing.T) {
	t.Parallel()
	ahead, current := testdb.New(t, "sqlite"), testdb.New(t, "sqlite")
	f := olderRelease(t, ahead.URL)
	want(t, f.run(current.URL, "up"), 0)
	targets := writeTargets(t, f.wd, []string{ahead.URL, current.URL})

	r := strata(t, f.wd, "up", "--targets", targets, "--dir", f.dir, "--json")
	want(t, r, 0)
	up := decode[struct {
		OK      int `json:"ok"`
		Targets []struct {
			Ahead []string `json:"ahead"`
		} `json:"targets"`
	}](t, r)
	if up.OK != 2 || !slices.Equal(up.Targets[0].Ahead, []string{"5", "6"}) || len(up.Targets[1].Ahead) != 0 {
		t.Errorf("up --targets: %s", r)
	}
	want(t, strata(t, f.wd, "up", "--targets", targets, "--dir", f.dir), 0, "ahead of the folder by 5, 6")

	r = strata(t, f.wd, "check", "--targets", targets, "--dir", f.dir, "--json")
	want(t, r, 0)
	chk := decode[struct {
		States  map[string]int `json:"states"`
		Targets []struct {
			State string   `json:"state"`
			Ahead []string `json:"ahead"`
		} `json:"targets"`
	}](t, r)
	if chk.States["ok"] != 2 || !slices.Equal(chk.Targets[0].Ahead, []string{"5", "6"}) {
		t.Errorf("check --targets: %s", r)
	}
	want(t, strata(t, f.wd, "status", "--targets", targets, "--dir", f.dir), 0, "ahead of the folder: 5, 6")

	r = strata(t, f.wd, "check", "--targets", targets, "--dir", f.dir, "--fail-if-ahead", "--json")
	want(t, r, 12)
	if chk = decode[struct {
		States  map[string]int `json:"states"`
		Targets []struct {
			State string   `json:"state"`
			Ahead []string `json:"ahead"`
		} `json:"targets"`
	}](t, r); chk.States["missing"] != 1 || chk.States["ok"] != 1 || chk.Targets[0].State != "missing" {
		t.Errorf("check --targets --fail-if-ahead: %s", r)
	}
	r = strata(t, f.wd, "up", "--targets", targets, "--dir", f.dir, "--fail-if-ahead", "--json")
	want(t, r, 8)
	fl := decode[fleetJSON](t, r)
	if fl.OK != 1 || fl.Failed != 1 || fl.Targets[0].Error == nil || fl.Targets[0].Error.Code != "drift" || !strings.Contains(fl.Targets[0].Error.Message, aheadNote) {
		t.Errorf("up --targets --fail-if-ahead: %s", r)
	}
}
