package strata_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/dialect/sqlite"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/source"
)

// The conformance suite: every behaviour here runs against PostgreSQL,
// MySQL/MariaDB and SQLite, each in a fresh database.

func dialectFor(t testing.TB, db testdb.DB) dialect.Dialect {
	switch db.DriverName {
	case "pgx":
		return postgres.New()
	case "mysql":
		return mysql.New()
	case "sqlite":
		return sqlite.New()
	}
	t.Fatalf("no dialect for %s", db.DriverName)
	return nil
}

func newMigrator(t testing.TB, db testdb.DB, sqlDB *sql.DB, fsys fs.FS, opts ...strata.Option) *strata.Migrator {
	t.Helper()
	m, err := strata.New(sqlDB, dialectFor(t, db), fsys, opts...)
	if err != nil {
		t.Fatalf("strata.New: %v", err)
	}
	return m
}

func files(kv ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return m
}

func up(t testing.TB, m *strata.Migrator) *strata.Result {
	t.Helper()
	res, err := m.Up(context.Background(), strata.PlanOptions{})
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	return res
}

func count(t testing.TB, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestApplyRecordsHistoryAndRerunIsNoop(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		fsys := files(
			"0001_create_users.sql", "-- licence: a; b; 'c'\nCREATE TABLE users (id int PRIMARY KEY, name varchar(50));\n",
			"0002_seed.sql", "INSERT INTO users VALUES (1, 'a;b');\nINSERT INTO users VALUES (2, 'it''s');\n",
			"0003_comment_only.sql", "-- nothing to do here; really.\n/* still nothing */\n",
			"README.md", "not a migration",
		)
		m := newMigrator(t, db, sqlDB, fsys, strata.WithVersion("test-1"))
		res := up(t, m)
		if len(res.Applied) != 3 {
			t.Fatalf("applied %d files, want 3", len(res.Applied))
		}
		if got := res.Current.String(); got != "3" {
			t.Errorf("current = %q, want 3", got)
		}
		if n := count(t, sqlDB, "SELECT COUNT(*) FROM users"); n != 2 {
			t.Errorf("users has %d rows, want 2", n)
		}
		st, err := m.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Pending != 0 || len(st.Migrations) != 3 {
			t.Fatalf("status: pending %d, %d migrations", st.Pending, len(st.Migrations))
		}
		wantStmts := []int{1, 2, 0}
		for i, ms := range st.Migrations {
			if ms.State != strata.StateApplied {
				t.Errorf("%s: state %s, want applied", ms.File, ms.State)
			}
			if ms.StatementsApplied != wantStmts[i] || ms.StatementsTotal != wantStmts[i] {
				t.Errorf("%s: statements %d/%d, want %d", ms.File, ms.StatementsApplied, ms.StatementsTotal, wantStmts[i])
			}
			if ms.RecordedChecksum != ms.Migration.Checksum || len(ms.RecordedChecksum) != 64 {
				t.Errorf("%s: recorded checksum %q, file %q", ms.File, ms.RecordedChecksum, ms.Migration.Checksum)
			}
			if ms.AppliedBy == "" || ms.AppliedAt.IsZero() || time.Since(ms.AppliedAt) > time.Hour {
				t.Errorf("%s: applied_by %q applied_at %v", ms.File, ms.AppliedBy, ms.AppliedAt)
			}
			if ms.Record.StrataVersion != "test-1" || ms.Record.Kind != "versioned" {
				t.Errorf("%s: record %+v", ms.File, ms.Record)
			}
		}
		res = up(t, m)
		if len(res.Applied) != 0 {
			t.Errorf("second up applied %d files, want 0", len(res.Applied))
		}
		if n := count(t, sqlDB, "SELECT COUNT(*) FROM users"); n != 2 {
			t.Errorf("after re-run users has %d rows, want 2", n)
		}
	})
}

func TestRefusesDrift(t *testing.T) {
	t.Parallel()
	base := func() fstest.MapFS {
		return files(
			"0001_a.sql", "CREATE TABLE a (id int);",
			"0003_c.sql", "CREATE TABLE c (id int);",
		)
	}
	cases := []struct {
		name   string
		change func(fstest.MapFS)
		state  strata.State
		hint   string
	}{
		{"edited", func(f fstest.MapFS) { f["0001_a.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE a (id bigint);")} }, strata.StateEdited, "new migration"},
		{"missing", func(f fstest.MapFS) { delete(f, "0001_a.sql") }, strata.StateMissing, "restore the file"},
		{"out of order", func(f fstest.MapFS) { f["0002_b.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE b (id int);")} }, strata.StateOutOfOrder, "WithAllowOutOfOrder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
				sqlDB := db.Open(t)
				fsys := base()
				up(t, newMigrator(t, db, sqlDB, fsys))
				tc.change(fsys)
				fsys["0004_d.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE d (id int);")}
				m := newMigrator(t, db, sqlDB, fsys)
				_, err := m.Up(context.Background(), strata.PlanOptions{})
				var de *strata.RefusedError
				if !errors.As(err, &de) || !de.Has(strata.ProblemKind(tc.state)) {
					t.Fatalf("up: got %v, want a drift error with %s", err, tc.state)
				}
				if !strings.Contains(err.Error(), tc.hint) {
					t.Errorf("message %q does not say %q", err, tc.hint)
				}
				// Nothing ran: 0004 is still pending.
				st, err := m.Status(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				for _, ms := range st.Migrations {
					if ms.ID == "4" && ms.State != strata.StatePending {
						t.Errorf("0004 is %s after a refusal, want pending", ms.State)
					}
				}
				if tc.state == strata.StateOutOfOrder {
					m := newMigrator(t, db, sqlDB, fsys, strata.WithAllowOutOfOrder(true))
					if res := up(t, m); len(res.Applied) != 2 {
						t.Errorf("with out-of-order allowed applied %d, want 2", len(res.Applied))
					}
				}
			})
		})
	}
}

func TestFailingStatement(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		fsys := files(
			"0001_ok.sql", "CREATE TABLE ok1 (id int);",
			"0002_bad.sql", "-- header\nCREATE TABLE half (id int);\n\nINSERT INTO no_such_table VALUES (1);\nCREATE TABLE never (id int);\n",
			"0003_after.sql", "CREATE TABLE after3 (id int);",
		)
		m := newMigrator(t, db, sqlDB, fsys, strata.WithSourceName("migrations"))
		res, err := m.Up(context.Background(), strata.PlanOptions{})
		var se *strata.StatementError
		if !errors.As(err, &se) {
			t.Fatalf("up: got %v, want a statement error", err)
		}
		if se.File != "migrations/0002_bad.sql" || se.Line != 4 || se.Index != 2 || se.Code == "" {
			t.Errorf("statement error = %+v", se)
		}
		if !strings.Contains(se.Error(), "migrations/0002_bad.sql:4") || !strings.Contains(se.Error(), "INSERT INTO no_such_table") {
			t.Errorf("message %q lacks file:line or statement", se)
		}
		if len(res.Applied) != 1 {
			t.Errorf("applied %d before the failure, want 1", len(res.Applied))
		}
		st, err := m.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		bad := st.Migrations[1]
		exists, err := dialectFor(t, db).TableExists(context.Background(), sqlDB, dialect.Table{Name: "half"})
		if err != nil {
			t.Fatal(err)
		}
		if db.DriverName == "mysql" {
			if bad.State != strata.StatePartial || bad.StatementsApplied != 1 || bad.StatementsTotal != 3 || !exists {
				t.Errorf("mysql: 0002 state %s %d/%d, half exists %v; want partial 1/3 and the table", bad.State, bad.StatementsApplied, bad.StatementsTotal, exists)
			}
			if !strings.Contains(bad.Error, "0002_bad.sql:4") {
				t.Errorf("recorded error %q lacks file:line", bad.Error)
			}
			_, err := m.Up(context.Background(), strata.PlanOptions{})
			var de *strata.RefusedError
			if !errors.As(err, &de) || !de.Has(strata.ProblemPartial) {
				t.Errorf("second up: %v, want refusal on the partial file", err)
			}
		} else {
			if bad.State != strata.StatePending || exists {
				t.Errorf("0002 state %s, table half exists %v; want pending and rolled back", bad.State, exists)
			}
		}
		if st.Migrations[2].State != strata.StatePending {
			t.Errorf("0003 is %s, want pending", st.Migrations[2].State)
		}
	})
}

func TestLongVersionsOrderNumerically(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		fsys := files(
			"99999999999999999999_c.sql", "CREATE TABLE c (id int);",
			"9223372036854775807_b.sql", "CREATE TABLE b (id int);",
			"12_a.sql", "CREATE TABLE a (id int);",
		)
		m := newMigrator(t, db, sqlDB, fsys)
		res := up(t, m)
		var got []string
		for _, a := range res.Applied {
			got = append(got, a.Migration.Version.String())
		}
		want := "12 9223372036854775807 99999999999999999999"
		if strings.Join(got, " ") != want {
			t.Errorf("applied order %v, want %s", got, want)
		}
		if res.Current.String() != "99999999999999999999" {
			t.Errorf("current = %s", res.Current)
		}
		if n := count(t, sqlDB, "SELECT COUNT(*) FROM strata_schema_history WHERE version = '99999999999999999999'"); n != 1 {
			t.Errorf("history rows for the 20-digit version: %d", n)
		}
	})
}

func TestTxAll(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		fsys := files(
			"1_a.sql", "CREATE TABLE a (id int);",
			"2_b.sql", "CREATE TABLE b (id int);",
			"3_bad.sql", "INSERT INTO nope VALUES (1);",
		)
		_, err := strata.New(sqlDB, dialectFor(t, db), fsys, strata.WithTxMode(strata.TxAll))
		if db.DriverName == "mysql" {
			var ce *strata.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), "implicitly") {
				t.Fatalf("mysql --tx=all: %v, want a refusal that explains", err)
			}
			return
		}
		m := newMigrator(t, db, sqlDB, fsys, strata.WithTxMode(strata.TxAll))
		_, err = m.Up(context.Background(), strata.PlanOptions{})
		var se *strata.StatementError
		if !errors.As(err, &se) || !strings.Contains(se.Outcome, "every other file") {
			t.Fatalf("up: %v", err)
		}
		st, _ := m.Status(context.Background())
		if st.Pending != 3 {
			t.Errorf("after a failed --tx=all run %d pending, want 3", st.Pending)
		}
		delete(fsys, "3_bad.sql")
		m = newMigrator(t, db, sqlDB, fsys, strata.WithTxMode(strata.TxAll))
		if res := up(t, m); len(res.Applied) != 2 {
			t.Errorf("applied %d, want 2", len(res.Applied))
		}
	})
}

func TestUpTo(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		fsys := files("1_a.sql", "CREATE TABLE a (id int);", "2_b.sql", "CREATE TABLE b (id int);", "3_c.sql", "CREATE TABLE c (id int);")
		m := newMigrator(t, db, sqlDB, fsys)
		to, _ := source.ParseVersion("0002")
		res, err := m.Up(context.Background(), strata.PlanOptions{To: to})
		if err != nil || len(res.Applied) != 2 || res.Current.String() != "2" {
			t.Fatalf("up --to 2: %v, %+v", err, res)
		}
	})
}

func TestSessionStateDoesNotLeak(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		var set, read, want string
		switch db.DriverName {
		case "pgx":
			set, read, want = "SET statement_timeout = '1234ms';", "CREATE TABLE leak AS SELECT current_setting('statement_timeout') AS v;", "0"
		case "mysql":
			set, read, want = "SET SESSION sql_mode = 'ANSI_QUOTES';", "CREATE TABLE leak AS SELECT @@SESSION.sql_mode AS v;", "ANSI_QUOTES"
		default:
			t.Skip("SQLite has no session settings that strata resets (PRAGMAs are per connection and documented)")
		}
		sqlDB := db.Open(t)
		m := newMigrator(t, db, sqlDB, files("1_set.sql", set, "2_read.sql", read))
		up(t, m)
		var v string
		if err := sqlDB.QueryRow("SELECT v FROM leak").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if db.DriverName == "mysql" && v == want || db.DriverName == "pgx" && v != want {
			t.Errorf("session setting leaked into the next file: %q", v)
		}
	})
}

func TestConcurrentRunnersApplyOnce(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		fsys := files(
			"1_a.sql", "CREATE TABLE a (id int);",
			"2_b.sql", "INSERT INTO a VALUES (1);",
			"3_c.sql", "INSERT INTO a VALUES (2);",
		)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		applied := make([]int, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sqlDB := db.Open(t)
				m, err := strata.New(sqlDB, dialectFor(t, db), fsys)
				if err != nil {
					errs[i] = err
					return
				}
				res, err := m.Up(context.Background(), strata.PlanOptions{})
				errs[i] = err
				if res != nil {
					applied[i] = len(res.Applied)
				}
			}()
		}
		wg.Wait()
		total := 0
		for i, err := range errs {
			if err != nil {
				t.Errorf("runner %d: %v", i, err)
			}
			total += applied[i]
		}
		if total != 3 {
			t.Errorf("runners applied %d files in all, want exactly 3", total)
		}
		if n := count(t, db.Open(t), "SELECT COUNT(*) FROM a"); n != 2 {
			t.Errorf("a has %d rows, want 2", n)
		}
	})
}

func TestMessyFixtures(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		dir := filepath.Join("testdata", "messy", map[string]string{"pgx": "postgres", "mysql": "mysql", "sqlite": "sqlite"}[db.DriverName])
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("fixture folder: %v", err)
		}
		sqlDB := db.Open(t)
		m := newMigrator(t, db, sqlDB, os.DirFS(dir), strata.WithSourceName(dir))
		res := up(t, m)
		if len(res.Applied) != len(m.Dir().Versioned)+len(m.Dir().Repeatable) {
			t.Errorf("applied %d of %d files", len(res.Applied), len(m.Dir().Versioned))
		}
		if res := up(t, m); len(res.Applied) != 0 {
			t.Errorf("re-run applied %d files", len(res.Applied))
		}
	})
}

// --table may name a schema (PostgreSQL) or another database (MySQL); the
// history lives there and nowhere else.
func TestSchemaQualifiedHistoryTable(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			sqlDB := db.Open(t)
			schema := "ops"
			if kind == "postgres" {
				if _, err := sqlDB.Exec(`CREATE SCHEMA "ops"`); err != nil {
					t.Fatal(err)
				}
			} else {
				schema = testdb.MySQL(t).Name
			}
			m := newMigrator(t, db, sqlDB, files("1_a.sql", "CREATE TABLE a (id int);"), strata.WithTable(schema+".my history"))
			if res := up(t, m); len(res.Applied) != 1 {
				t.Fatalf("applied %d", len(res.Applied))
			}
			d := dialectFor(t, db)
			for _, tc := range []struct {
				table dialect.Table
				want  bool
			}{{dialect.Table{Schema: schema, Name: "my history"}, true}, {dialect.Table{Name: "my history"}, false}, {dialect.Table{Name: "strata_schema_history"}, false}} {
				ok, err := d.TableExists(context.Background(), sqlDB, tc.table)
				if err != nil || ok != tc.want {
					t.Errorf("%s exists = %v (%v), want %v", tc.table, ok, err, tc.want)
				}
			}
			if res := up(t, m); len(res.Applied) != 0 {
				t.Errorf("re-run applied %d", len(res.Applied))
			}
		})
	}
}
