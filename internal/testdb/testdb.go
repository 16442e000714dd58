// Package testdb gives each test a fresh, randomly named database on the
// local PostgreSQL and MariaDB servers (or a temporary SQLite file) and drops
// it when the test ends, so tests can run in parallel and leave nothing
// behind. PostgreSQL databases come from a pool that each test binary's
// Main owns: a database is reset to the state of a fresh one between tests
// and dropped when the binary ends (see Main and Postgres).
//
// The admin connections come from STRATA_TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) and
// STRATA_TEST_MYSQL_URL (default root@tcp(127.0.0.1:3306)/, a
// go-sql-driver DSN). When a server cannot be reached the test is skipped
// with a message saying so, except when CI is set, where it fails: CI must
// never pass by skipping a database.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// DB is a fresh database created for one test.
type DB struct {
	// URL is the strata URL of the database (postgres://, mysql://, sqlite:).
	URL string
	// DriverName and DSN open it with database/sql.
	DriverName, DSN string
	// Name is the database name (file path for SQLite).
	Name string
}

// Open opens the database with database/sql and closes it when the test ends.
func (d DB) Open(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open(d.DriverName, d.DSN)
	if err != nil {
		t.Fatalf("testdb: open %s: %v", d.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func randomName() string {
	return "strata_test_" + randomHex(6)
}

// randomHex returns n random bytes in hexadecimal.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// unavailable skips the test outside CI and fails it in CI.
func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("testdb: %s is unreachable and CI is set, so this fails instead of skipping: %v", what, err)
	}
	t.Skipf("testdb: skipping: %s is unreachable (%v); start it or set CI=1 to make this a failure", what, err)
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// Postgres gives the test a database on the local PostgreSQL server that
// no other running test holds, from the pool of the test binary's Main:
// a reused one, reset to be indistinguishable from a fresh one, or a new
// one. When the test ends the database is reset and goes back to the pool,
// or is dropped if it cannot be reset, while the next tests run; Main
// drops the pool's databases when the tests end, and fails the run if one
// cannot be dropped. A test that drops or renames its database must use
// PostgresFresh instead.
func Postgres(t testing.TB) DB {
	t.Helper()
	p := running.get()
	if p == nil {
		t.Fatalf("testdb: Postgres needs the pool of testdb.Main, which drops its databases when the tests end: " +
			"this package's TestMain must be func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) } (or call testdb.Main where it calls m.Run)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name, unreachable, err := p.take(ctx)
	if unreachable {
		unavailable(t, "PostgreSQL", err)
	}
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() { p.release(name) })
	u, err := url.Parse(p.admin)
	if err != nil {
		t.Fatalf("testdb: parse STRATA_TEST_POSTGRES_URL: %v", err)
	}
	u.Path = "/" + name
	return DB{URL: u.String(), DriverName: "pgx", DSN: u.String(), Name: name}
}

// PostgresFresh creates a database on the local PostgreSQL server for this
// test alone and drops it when the test ends, outside the pool Postgres
// draws from. It is for the few tests that drop or rename their database,
// or must see one no test has used; it costs a CREATE and a DROP DATABASE
// (the DROP waits for a checkpoint), where Postgres usually costs neither.
func PostgresFresh(t testing.TB) DB {
	t.Helper()
	admin := env("STRATA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		unavailable(t, "PostgreSQL", err)
	}
	name := randomName()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
		defer cancel()
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("testdb: %v", err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			t.Errorf("testdb: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	u.Path = "/" + name
	return DB{URL: u.String(), DriverName: "pgx", DSN: u.String(), Name: name}
}

// dropTimeout bounds dropping a test's database. PostgreSQL's DROP
// DATABASE waits for a checkpoint, and when many parallel tests drop
// theirs at once on a busy 2-core machine the checkpoints queue: 30
// seconds was seen to run out, failing a test that had passed.
const dropTimeout = 3 * time.Minute

// MySQL creates a fresh database on the local MySQL/MariaDB server.
func MySQL(t testing.TB) DB {
	t.Helper()
	adminDSN := env("STRATA_TEST_MYSQL_URL", "root@tcp(127.0.0.1:3306)/")
	cfg, err := mysql.ParseDSN(adminDSN)
	if err != nil {
		t.Fatalf("testdb: STRATA_TEST_MYSQL_URL: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("mysql", adminDSN)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		unavailable(t, "MySQL/MariaDB", err)
	}
	name := randomName()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
		defer cancel()
		db, err := sql.Open("mysql", adminDSN)
		if err != nil {
			t.Errorf("testdb: %v", err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			t.Errorf("testdb: drop database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	// As the CLI opens MySQL (internal/config): parsed times, one round
	// trip per statement with arguments, multi-statement queries for
	// pipelined files.
	cfg.ParseTime = true
	cfg.InterpolateParams = true
	cfg.MultiStatements = true
	u := url.URL{Scheme: "mysql", Host: cfg.Addr, Path: "/" + name}
	if cfg.Passwd != "" {
		u.User = url.UserPassword(cfg.User, cfg.Passwd)
	} else {
		u.User = url.User(cfg.User)
	}
	return DB{URL: u.String(), DriverName: "mysql", DSN: cfg.FormatDSN(), Name: name}
}

// SQLite creates a database file in a temporary folder removed after the test.
func SQLite(t testing.TB) DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), randomName()+".db")
	// An empty file is an empty SQLite database. It exists, as a server's
	// fresh database does, so read-only commands (which never create a
	// file) can run on it first.
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatalf("testdb: create %s: %v", path, err)
	}
	return DB{URL: "sqlite:" + path, DriverName: "sqlite", DSN: "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)", Name: path}
}

// ForEach runs f as a parallel subtest for each database kind: postgres,
// mysql and sqlite, each with a fresh database.
func ForEach(t *testing.T, f func(t *testing.T, db DB)) {
	t.Helper()
	for _, kind := range []string{"postgres", "mysql", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f(t, New(t, kind))
		})
	}
}

// New creates a fresh database of the named kind: postgres, mysql or sqlite.
func New(t testing.TB, kind string) DB {
	t.Helper()
	switch strings.ToLower(kind) {
	case "postgres":
		return Postgres(t)
	case "mysql":
		return MySQL(t)
	case "sqlite":
		return SQLite(t)
	}
	panic(fmt.Sprintf("testdb: unknown kind %q", kind))
}
