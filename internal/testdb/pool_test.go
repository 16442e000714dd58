package testdb

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// privatePool is a pool of the test's own, dropped when the test ends, so
// the test knows which database it will be given next.
func privatePool(t *testing.T) *pool {
	t.Helper()
	p := newPool(env("STRATA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"))
	t.Cleanup(func() {
		if err := p.close(); err != nil {
			t.Errorf("close the pool: %v", err)
		}
	})
	return p
}

func take(t *testing.T, p *pool) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name, unreachable, err := p.take(ctx)
	if unreachable {
		unavailable(t, "PostgreSQL", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func openPool(t *testing.T, p *pool, name string) *sql.DB {
	t.Helper()
	u := strings.Replace(p.admin, "/postgres?", "/"+name+"?", 1)
	if u == p.admin {
		t.Fatalf("cannot place database %s in %s", name, redact(p.admin))
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exists(t *testing.T, p *pool, name string) bool {
	t.Helper()
	admin, err := p.adminDB()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := admin.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// TestPoolResetCleansEverything leaves a database in the state a test
// (or a killed strata process) may leave it in, and checks that the next
// user gets it back as fresh as a new one.
func TestPoolResetCleansEverything(t *testing.T) {
	t.Parallel()
	p := privatePool(t)
	name := take(t, p)
	db := openPool(t, p, name)
	ctx := context.Background()
	for _, s := range []string{
		`CREATE TABLE users (id int PRIMARY KEY, name text)`,
		`INSERT INTO users VALUES (1, 'a')`,
		`CREATE SCHEMA tenant_b`,
		`CREATE TABLE tenant_b.orders (id serial PRIMARY KEY, user_id int)`,
		`CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
		`CREATE TYPE mood AS ENUM ('sad', 'happy')`,
		`CREATE EXTENSION citext`,
		`CREATE FUNCTION public.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END'`,
		`CREATE EVENT TRIGGER on_ddl ON ddl_command_end EXECUTE FUNCTION public.on_ddl()`,
		`CREATE PUBLICATION everything FOR ALL TABLES`,
		`SELECT lo_create(0)`,
		`COMMENT ON SCHEMA public IS 'changed'`,
		`REVOKE USAGE ON SCHEMA public FROM PUBLIC`,
		`ALTER DATABASE "` + name + `" SET search_path TO tenant_b`,
		`ALTER DATABASE "` + name + `" SET default_transaction_read_only TO on`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	// A session running a statement whose client is gone, as a killed
	// strata process leaves one, and one holding an advisory lock.
	sleeper, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slept := make(chan error, 1)
	go func() {
		_, err := sleeper.ExecContext(ctx, `SELECT pg_sleep(600)`)
		slept <- err
	}()
	locker, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := locker.ExecContext(ctx, `SELECT pg_advisory_lock(4242)`); err != nil {
		t.Fatal(err)
	}
	// Its temporary table leaves temporary schemas behind.
	for _, s := range []string{`SET default_transaction_read_only = off`, `CREATE TEMP TABLE scratch (id int)`} {
		if _, err := locker.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	waitFor(t, db, `SELECT count(*) = 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep%' AND state = 'active'`)

	start := time.Now()
	if reason, err := p.give(name, func() {}); reason != nil || err != nil {
		t.Fatalf("give back: reset failed (%v), drop failed (%v)", reason, err)
	}
	t.Logf("reset took %v", time.Since(start))
	select {
	case err := <-slept:
		if err == nil {
			t.Error("the pg_sleep session's statement ended without an error: it was not terminated")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the pg_sleep session still runs after the reset")
	}
	sleeper.Close()
	locker.Close()

	if again := take(t, p); again != name {
		t.Fatalf("took %s after giving back %s to an otherwise empty pool", again, name)
	}
	db = openPool(t, p, name)
	checks := map[string]string{
		`SELECT count(*) FROM pg_class WHERE oid >= 16384`: "0",
		`SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'`: "public",
		`SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql'`:                                                                   "0",
		`SELECT count(*) FROM pg_event_trigger`:                                                                                          "0",
		`SELECT count(*) FROM pg_publication`:                                                                                            "0",
		`SELECT count(*) FROM pg_largeobject_metadata`:                                                                                   "0",
		`SELECT current_setting('search_path')`:                                                                                          `"$user", public`,
		`SELECT current_setting('default_transaction_read_only')`:                                                                        "off",
		`SELECT obj_description('public'::regnamespace, 'pg_namespace')`:                                                                 "standard public schema",
		`SELECT has_schema_privilege('public', 'public', 'USAGE')::text`:                                                                 "true",
		`SELECT pg_try_advisory_lock(4242)::text`:                                                                                        "true",
		`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`:                           "0",
	}
	for q, want := range checks {
		var got sql.NullString
		if err := db.QueryRowContext(ctx, q).Scan(&got); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if got.String != want {
			t.Errorf("after the reset, %s = %q, want %q", q, got.String, want)
		}
	}
	// Writes work: the database is not left read-only.
	if _, err := db.ExecContext(ctx, `CREATE TABLE users (id int)`); err != nil {
		t.Errorf("create a table after the reset: %v", err)
	}
}

func waitFor(t *testing.T, db *sql.DB, cond string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ok bool
		if err := db.QueryRow(cond).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s", cond)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPoolFreshAndResetAlike checks the reset against a database created
// outside the pool: their fingerprints match, public schema included.
func TestPoolFreshAndResetAlike(t *testing.T) {
	t.Parallel()
	p := privatePool(t)
	name := take(t, p)
	start := time.Now()
	if reason, err := p.give(name, func() {}); reason != nil || err != nil {
		t.Fatalf("give back an unused database: reset failed (%v), drop failed (%v)", reason, err)
	}
	t.Logf("resetting an unused database took %v", time.Since(start))
	other := PostgresFresh(t)
	fp, public, err := p.inspect(context.Background(), other.Name)
	if err != nil {
		t.Fatal(err)
	}
	if fp != p.fresh {
		t.Errorf("a fresh database's fingerprint differs from the pool's:\n%s", diffLines(p.fresh, fp))
	}
	if public != p.public || !strings.HasPrefix(public, "CREATE SCHEMA public AUTHORIZATION ") {
		t.Errorf("public schema statements %q, pool has %q", public, p.public)
	}
	// The fingerprint sees what the reset is for.
	db := openPool(t, p, name)
	if _, err := db.Exec(`CREATE TABLE t (id int)`); err != nil {
		t.Fatal(err)
	}
	conn, err := p.connect(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dirty, err := fingerprintOn(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	if dirty == p.fresh {
		t.Error("a database with a table has a fresh database's fingerprint")
	}
}

// TestPoolFailedResetDrops leaves something the reset does not undo
// (default privileges outside any schema) and checks that the database is
// dropped, not handed to the next test.
func TestPoolFailedResetDrops(t *testing.T) {
	t.Parallel()
	p := privatePool(t)
	name := take(t, p)
	db := openPool(t, p, name)
	if _, err := db.Exec(`ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	reason, err := p.give(name, func() {})
	if err != nil {
		t.Fatal(err)
	}
	if reason == nil || !strings.Contains(reason.Error(), "pg_default_acl") {
		t.Fatalf("reason = %v, want a fingerprint difference in pg_default_acl", reason)
	}
	if exists(t, p, name) {
		t.Errorf("%s still exists after its reset failed", name)
	}
	if next := take(t, p); next == name {
		t.Errorf("the pool handed out %s again", name)
	}
	// A database the test dropped itself cannot be reset either: giving it
	// back drops nothing and reuses nothing.
	gone := take(t, p)
	admin, err := p.adminDB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`DROP DATABASE "` + gone + `"`); err != nil {
		t.Fatal(err)
	}
	if reason, err := p.give(gone, func() {}); reason == nil || err != nil {
		t.Fatalf("give back a dropped database: reason %v, drop error %v", reason, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range p.idle {
		if n == gone {
			t.Errorf("the dropped database %s is idle in the pool", gone)
		}
	}
}

// TestPoolParallelTestsNeverShare runs parallel tests that each hold a
// database from the binary's pool for a while, in two waves so the second
// reuses the first's databases, and checks no two ever hold the same one.
func TestPoolParallelTestsNeverShare(t *testing.T) {
	var mu sync.Mutex
	held := map[string]string{}
	seen := map[string]int{}
	t.Run("group", func(t *testing.T) {
		for i := range 8 {
			t.Run(string(rune('a'+i)), func(t *testing.T) {
				t.Parallel()
				d := Postgres(t)
				mu.Lock()
				if other, ok := held[d.Name]; ok {
					t.Errorf("%s is held by %s and %s at once", d.Name, other, t.Name())
				}
				held[d.Name] = t.Name()
				seen[d.Name]++
				mu.Unlock()
				db := d.Open(t)
				if _, err := db.Exec(`CREATE TABLE mine (who text)`); err != nil {
					t.Fatalf("a database fresh for %s: %v", t.Name(), err)
				}
				time.Sleep(200 * time.Millisecond)
				mu.Lock()
				delete(held, d.Name)
				mu.Unlock()
			})
		}
	})
	uses := 0
	for _, n := range seen {
		uses += n
	}
	if uses != 8 {
		t.Errorf("%d databases handed out, want 8", uses)
	}
}

// TestEveryPackageRunsMain checks that each package whose tests ask for
// PostgreSQL databases runs them through Main, which drops the pool's
// databases at the end. Postgres fails a test run without Main; this
// catches a package whose PostgreSQL tests happen to be skipped or not run.
func TestEveryPackageRunsMain(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	uses := regexp.MustCompile(`testdb\.(Postgres|New|Many|ForEach)\(`)
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !uses.Match(src) {
			return nil
		}
		dir := filepath.Dir(path)
		tests, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
		if err != nil {
			return err
		}
		for _, f := range tests {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte("testdb.Main(m)")) {
				checked++
				return nil
			}
		}
		rel, _ := filepath.Rel(root, path)
		t.Errorf("%s asks for testdb databases, but no TestMain in its package calls testdb.Main(m): add func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }", rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("found no test file that asks for a database: the walk is broken")
	}
}

// TestPoolSweepsDeadPools: the databases of a pool whose binary died
// without dropping them (its session is gone) are dropped by the next
// pool; a live pool's databases are not.
func TestPoolSweepsDeadPools(t *testing.T) {
	t.Parallel()
	dead, live := privatePool(t), privatePool(t)
	lost, kept := take(t, dead), take(t, live)
	// The dead binary's session ends with it; its databases stay.
	dead.mu.Lock()
	dead.alive.Close()
	dead.mu.Unlock()
	admin, err := live.adminDB()
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, admin, `SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = '`+appName+dead.id+`'`)
	next := privatePool(t)
	take(t, next)
	next.swept.Wait()
	if exists(t, live, lost) {
		t.Errorf("%s of a dead pool survived the next pool's sweep", lost)
	}
	if !exists(t, live, kept) {
		t.Errorf("%s of a live pool was swept", kept)
	}
}
