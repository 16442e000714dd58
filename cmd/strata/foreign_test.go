package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// foreignFixture is a migration file as another tool writes it, copied
// into a strata folder as it is.
type foreignFixture struct {
	name, file, body string
	only             string   // run only on this driver ("pgx"); "" for all
	want             []string // the refusal names these (file:line, tool, the files to split into)
}

const widgetsUp = "CREATE TABLE widgets (id int PRIMARY KEY);\n"

var foreignFixtures = []foreignFixture{
	{name: "goose StatementBegin around a function", only: "pgx", file: "20240101120000_widgets.sql", body: `-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION widgets_touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = now(); -- +goose Down inside the body is not a marker
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TABLE widgets (id int PRIMARY KEY, updated_at timestamp);

-- +goose Down
DROP TABLE widgets;
DROP FUNCTION widgets_touch();
`, want: []string{"20240101120000_widgets.sql:1", "goose", "from line 12", "20240101120000_widgets.down.sql"}},
	{name: "goose", file: "20240101120000_widgets.sql", body: "-- +goose Up\n" + widgetsUp + "\n-- +goose Down\nDROP TABLE widgets;\n",
		want: []string{"20240101120000_widgets.sql:1", "goose", "from line 4", "20240101120000_widgets.down.sql"}},
	{name: "goose NO TRANSACTION and ENVSUB", file: "00002_widgets.sql", body: "-- +goose NO TRANSACTION\n-- +goose ENVSUB ON\n-- +goose Up\n" + widgetsUp + "-- +goose Down\nDROP TABLE widgets;\n",
		want: []string{"00002_widgets.sql:1", "goose", "-- +goose NO TRANSACTION", "from line 5", "00002_widgets.down.sql"}},
	{name: "sql-migrate", file: "1_widgets.sql", body: "-- +migrate Up\n" + widgetsUp + "\n-- +migrate Down\nDROP TABLE widgets;\n",
		want: []string{"1_widgets.sql:1", "sql-migrate", "from line 4", "1_widgets.down.sql"}},
	{name: "dbmate", file: "20240101120000_widgets.sql", body: "-- migrate:up\n" + widgetsUp + "\n-- migrate:down\nDROP TABLE widgets;\n",
		want: []string{"20240101120000_widgets.sql:1", "dbmate", "from line 4", "20240101120000_widgets.down.sql"}},
	{name: "Liquibase formatted SQL", file: "0001_widgets.sql", body: "--liquibase formatted sql\n\n--changeset alice:1\n" + widgetsUp + "--rollback DROP TABLE widgets;\n",
		want: []string{"0001_widgets.sql:1", "Liquibase", "0001_widgets.down.sql"}},
	{name: "tern", file: "001_widgets.sql", body: widgetsUp + "\n---- create above / drop below ----\n\nDROP TABLE widgets;\n",
		want: []string{"001_widgets.sql:3", "tern", "001_widgets.down.sql"}},
	{name: "Flyway versioned", file: "V1__widgets.sql", body: widgetsUp,
		want: []string{"V1__widgets.sql", "Flyway", "rename it to 0001_widgets.sql"}},
	{name: "Flyway dotted version", file: "V1.1__widgets.sql", body: widgetsUp,
		want: []string{"V1.1__widgets.sql", "Flyway", "renumber"}},
	{name: "Flyway undo", file: "U1__widgets.sql", body: "DROP TABLE widgets;\n",
		want: []string{"U1__widgets.sql", "Flyway", "rename it to 0001_widgets.down.sql"}},
}

// TestForeignFilesRefused copies files written for goose, sql-migrate,
// dbmate, Liquibase, tern and Flyway into a folder beside a good strata
// file and checks that every command that would run or inspect them
// refuses the folder with exit 2, naming file:line, the tool and the
// files to split into, and that nothing ran: no history table, no table
// from either file. Before, the goose, sql-migrate, dbmate, Liquibase and
// tern files were applied whole (the table they create dropped again by
// their down section) and up exited 0.
func TestForeignFilesRefused(t *testing.T) {
	t.Parallel()
	commands := [][]string{{"up"}, {"plan"}, {"verify"}, {"rehearse"}, {"lint"}, {"run", "--", "true"}, {"status"}, {"up", "--json"}}
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		for _, fx := range foreignFixtures {
			if fx.only != "" && fx.only != db.DriverName {
				continue
			}
			t.Run(fx.name, func(t *testing.T) {
				f := newFolder(t)
				f.write("R__first.sql", "CREATE TABLE foreign_first_ok (id int);\n")
				f.write(fx.file, fx.body)
				for _, args := range commands {
					r := strata(t, f.wd, withFlags(args, "--url", db.URL, "--dir", f.dir)...)
					want(t, r, 2, fx.want...)
					if strings.Contains(r.stdout+r.stderr, "strata import") {
						t.Errorf("%v points at a command that does not exist:\n%s", args, r)
					}
					if len(args) > 1 && args[1] == "--json" {
						e := parseError(t, r)
						if e.Error.Code != "usage" || !strings.HasSuffix(e.Error.File, fx.file) {
							t.Errorf("--json error = %+v", e.Error)
						}
					}
				}
				for _, table := range []string{"strata_schema_history", "widgets", "foreign_first_ok"} {
					if tableExists(sqlDB, table) {
						t.Errorf("table %s exists: something ran", table)
					}
				}
			})
		}
	})
}

// TestForeignLookalikesRun: a marker inside a string literal and a
// comment that mentions another tool are ordinary SQL; strata's own
// R__ repeatable files are not Flyway's.
func TestForeignLookalikesRun(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_notes.sql", "-- converted from goose; the +goose markers were removed\n"+
		"CREATE TABLE notes (body text);\n"+
		"INSERT INTO notes VALUES ('how goose files look:\n-- +goose Down\nDROP TABLE notes;');\n")
	f.write("R__views.sql", "CREATE VIEW IF NOT EXISTS note_count AS SELECT count(*) AS n FROM notes;\n")
	lite := "sqlite:" + filepath.Join(f.wd, "x.db")
	want(t, f.run(lite, "up"), 0, "applied migrations/0001_notes.sql", "R__views.sql")
	want(t, f.run(lite, "lint"), 0)
}

// TestNoMigrationsFolder: a folder without migration files is exit 2,
// naming the folder and the subfolders holding .sql files, for every
// command that loads it; --allow-empty (or STRATA_ALLOW_EMPTY, or
// allow-empty in strata.toml) accepts it; strata new still creates the
// first file in an empty or missing folder. Before, it was "nothing to
// do" and exit 0.
func TestNoMigrationsFolder(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		wd := t.TempDir()
		if err := os.MkdirAll(filepath.Join(wd, "db", "migrations"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(wd, "db", "migrations", "0001_users.sql"), []byte("CREATE TABLE users_nm (id int);\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"up"}, {"status"}, {"plan"}, {"check"}, {"verify"}, {"rehearse"}, {"lint"},
			{"run", "--", "true"}, {"down"}, {"history", "1"}, {"await", "--timeout", "1s"}} {
			r := strata(t, wd, withFlags(args, "--url", db.URL, "--dir", "db")...)
			want(t, r, 2, "the migrations folder db has no migration files", "did you mean --dir db/migrations?", "--allow-empty")
		}
		// doctor reports the folder as a failed check, and goes on.
		want(t, strata(t, wd, "doctor", "--url", db.URL, "--dir", "db"), 1, "fail  folder", "did you mean --dir db/migrations?", "ok    server")
		// A fleet loads the folder once, before any target.
		targets := filepath.Join(wd, "targets.txt")
		if err := os.WriteFile(targets, []byte(db.URL+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{"up", "status", "check"} {
			want(t, strata(t, wd, cmd, "--targets", targets, "--dir", "db"), 2, "the migrations folder db has no migration files", "did you mean --dir db/migrations?")
		}
		if tableExists(sqlDB, "strata_schema_history") {
			t.Error("a command refused for an empty folder created the history table")
		}
		// Nothing at all below the folder: no subfolder to suggest.
		empty := filepath.Join(wd, "empty")
		if err := os.Mkdir(empty, 0o755); err != nil {
			t.Fatal(err)
		}
		r := strata(t, wd, "up", "--url", db.URL, "--dir", "empty", "--json")
		want(t, r, 2, "the migrations folder empty has no migration files", "check --dir")
		if e := parseError(t, r); e.Error.Code != "usage" || e.Error.ExitCode != 2 {
			t.Errorf("--json error = %+v", e.Error)
		}
		// Allowed when asked, by flag, environment or strata.toml.
		want(t, strata(t, wd, "up", "--url", db.URL, "--dir", "empty", "--allow-empty"), 0, "nothing to do")
		want(t, strataEnv(t, wd, []string{"STRATA_ALLOW_EMPTY=true"}, "status", "--url", db.URL, "--dir", "empty"), 0)
		if err := os.WriteFile(filepath.Join(wd, "strata.toml"), []byte("allow-empty = true\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		want(t, strata(t, wd, "check", "--url", db.URL, "--dir", "empty"), 0)
		// strata new needs no flag for the first file, in an empty or a
		// missing folder.
		if err := os.Remove(filepath.Join(wd, "strata.toml")); err != nil {
			t.Fatal(err)
		}
		want(t, strata(t, wd, "new", "--dir", "empty", "create users"), 0, "0001_create_users.sql")
		want(t, strata(t, wd, "new", "--dir", "fresh/migrations", "create users"), 0, "0001_create_users.sql")
	})
}

// withFlags puts flags after the command's own arguments but before a
// "--" that starts the command strata run or await starts.
func withFlags(args []string, flags ...string) []string {
	out := []string{}
	for i, a := range args {
		if a == "--" {
			out = append(append(out, flags...), args[i:]...)
			return out
		}
		out = append(out, a)
	}
	return append(out, flags...)
}
