package config

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

func TestParse(t *testing.T) {
	tests := []struct {
		url, driver, dsn, dialect, redacted string
		memory                              bool
	}{
		{"", "sqlite", "file:strata.db?" + sqlitePragmas, "sqlite", "sqlite:strata.db", false},
		{"sqlite:app.db", "sqlite", "file:app.db?" + sqlitePragmas, "sqlite", "sqlite:app.db", false},
		{"sqlite:dir/app.db", "sqlite", "file:dir/app.db?" + sqlitePragmas, "sqlite", "sqlite:dir/app.db", false},
		{"sqlite://app.db", "sqlite", "file:app.db?" + sqlitePragmas, "sqlite", "sqlite://app.db", false},
		{"sqlite:///abs/app.db", "sqlite", "file:/abs/app.db?" + sqlitePragmas, "sqlite", "sqlite:///abs/app.db", false},
		{"sqlite3:///abs/app.db", "sqlite", "file:/abs/app.db?" + sqlitePragmas, "sqlite", "sqlite3:///abs/app.db", false},
		{"sqlite::memory:", "sqlite", "file::memory:?" + sqlitePragmas, "sqlite", "sqlite::memory:", true},
		{"sqlite:app.db?_pragma=journal_mode(WAL)", "sqlite", "file:app.db?" + sqlitePragmas + "&_pragma=journal_mode(WAL)", "sqlite", "sqlite:app.db?_pragma=journal_mode(WAL)", false},
		{"sqlite:my%20app.db", "sqlite", "file:my app.db?" + sqlitePragmas, "sqlite", "sqlite:my%20app.db", false},
		{"postgres://u:pw@db:5432/app?sslmode=disable", "pgx", "postgres://u:pw@db:5432/app?sslmode=disable", "postgres", "postgres://u:xxxxx@db:5432/app?sslmode=disable", false},
		{"postgresql://u@db/app", "pgx", "postgresql://u@db/app", "postgres", "postgresql://u@db/app", false},
		{"postgres://db/app?user=u&password=pw", "pgx", "postgres://db/app?user=u&password=pw", "postgres", "postgres://db/app?user=u&password=xxxxx", false},
		{"mysql://root:pw@db:3307/app", "mysql", "", "mysql", "mysql://root:xxxxx@db:3307/app", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			tg, err := Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if tg.Driver != tt.driver || tg.Dialect.Name() != tt.dialect || tg.Redacted != tt.redacted || tg.Memory != tt.memory {
				t.Errorf("got driver %q dialect %q redacted %q memory %v; want %q %q %q %v",
					tg.Driver, tg.Dialect.Name(), tg.Redacted, tg.Memory, tt.driver, tt.dialect, tt.redacted, tt.memory)
			}
			if tt.dsn != "" && tg.DSN != tt.dsn {
				t.Errorf("DSN = %q, want %q", tg.DSN, tt.dsn)
			}
		})
	}
}

func TestParseMySQL(t *testing.T) {
	tg, err := Parse("mysql://app:p%40ss@db.example:3307/shop?tls=skip-verify&timeout=5s&sql_mode=%27ANSI%27&charset=utf8mb4")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := mysql.ParseDSN(tg.DSN)
	if err != nil {
		t.Fatalf("DSN %q does not parse: %v", tg.DSN, err)
	}
	if cfg.User != "app" || cfg.Passwd != "p@ss" || cfg.Net != "tcp" || cfg.Addr != "db.example:3307" || cfg.DBName != "shop" {
		t.Errorf("cfg = %+v", cfg)
	}
	if !cfg.ParseTime || cfg.Loc != time.UTC || !cfg.InterpolateParams || !cfg.MultiStatements {
		t.Errorf("ParseTime %v Loc %v InterpolateParams %v MultiStatements %v", cfg.ParseTime, cfg.Loc, cfg.InterpolateParams, cfg.MultiStatements)
	}
	if cfg.TLSConfig != "skip-verify" || cfg.Timeout != 5*time.Second {
		t.Errorf("TLSConfig %q Timeout %v", cfg.TLSConfig, cfg.Timeout)
	}
	if cfg.Params["sql_mode"] != "'ANSI'" {
		t.Errorf("Params = %v", cfg.Params)
	}
	if strings.Contains(tg.Redacted, "p%40ss") || strings.Contains(tg.Redacted, "p@ss") {
		t.Errorf("redacted form %q holds the password", tg.Redacted)
	}

	tg, err = Parse("mysql://root@localhost/app")
	if err != nil {
		t.Fatal(err)
	}
	if cfg, _ := mysql.ParseDSN(tg.DSN); cfg.Addr != "localhost:3306" {
		t.Errorf("default port: Addr = %q", cfg.Addr)
	}
	tg, err = Parse("mysql://root@/app")
	if err != nil {
		t.Fatal(err)
	}
	if cfg, _ := mysql.ParseDSN(tg.DSN); cfg.Addr != "127.0.0.1:3306" {
		t.Errorf("default host: Addr = %q", cfg.Addr)
	}
	tg, err = Parse("mysql://root@x/app?socket=/run/mysqld/mysqld.sock")
	if err != nil {
		t.Fatal(err)
	}
	if cfg, _ := mysql.ParseDSN(tg.DSN); cfg.Net != "unix" || cfg.Addr != "/run/mysqld/mysqld.sock" {
		t.Errorf("socket: Net %q Addr %q", cfg.Net, cfg.Addr)
	}
}

// TestParseMySQLDriverForm: the go-sql-driver address form that
// golang-migrate documents (mysql://user:pass@tcp(host:port)/db) is
// accepted and means what it says; its password is redacted like any.
func TestParseMySQLDriverForm(t *testing.T) {
	tests := []struct {
		url, net, addr, user, pass, db, redacted string
		params                                   map[string]string
	}{
		{url: "mysql://app:s3cretPW@tcp(db.example:3307)/shop?sql_mode=%27ANSI%27", net: "tcp", addr: "db.example:3307",
			user: "app", pass: "s3cretPW", db: "shop", redacted: "mysql://app:xxxxx@tcp(db.example:3307)/shop?sql_mode=%27ANSI%27",
			params: map[string]string{"sql_mode": "'ANSI'"}},
		{url: "mysql://root@tcp(127.0.0.1:3306)/app", net: "tcp", addr: "127.0.0.1:3306", user: "root", db: "app",
			redacted: "mysql://root@tcp(127.0.0.1:3306)/app"},
		{url: "mysql://u:p%40ss)w@tcp([::1]:3306)/app", net: "tcp", addr: "[::1]:3306", user: "u", pass: "p@ss)w", db: "app",
			redacted: "mysql://u:xxxxx@tcp([::1]:3306)/app"},
		{url: "mysql://u:pw@tcp(dbhost)/app", net: "tcp", addr: "dbhost:3306", user: "u", pass: "pw", db: "app",
			redacted: "mysql://u:xxxxx@tcp(dbhost)/app"},
		{url: "mysql://tcp(dbhost:3310)/app", net: "tcp", addr: "dbhost:3310", db: "app", redacted: "mysql://tcp(dbhost:3310)/app"},
		{url: "mysql://u:pw@unix(/run/mysqld/mysqld.sock)/app?timeout=5s", net: "unix", addr: "/run/mysqld/mysqld.sock",
			user: "u", pass: "pw", db: "app", redacted: "mysql://u:xxxxx@unix(/run/mysqld/mysqld.sock)/app?timeout=5s"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			tg, err := Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := mysql.ParseDSN(tg.DSN)
			if err != nil {
				t.Fatalf("DSN does not parse: %v", err)
			}
			if cfg.Net != tt.net || cfg.Addr != tt.addr || cfg.User != tt.user || cfg.Passwd != tt.pass || cfg.DBName != tt.db {
				t.Errorf("net %q addr %q user %q password ok %v db %q", cfg.Net, cfg.Addr, cfg.User, cfg.Passwd == tt.pass, cfg.DBName)
			}
			if !cfg.ParseTime || !cfg.MultiStatements || !cfg.InterpolateParams {
				t.Errorf("driver settings not the CLI's: %+v", cfg)
			}
			for k, v := range tt.params {
				if cfg.Params[k] != v {
					t.Errorf("param %s = %q, want %q", k, cfg.Params[k], v)
				}
			}
			if tg.Redacted != tt.redacted {
				t.Errorf("Redacted = %q, want %q", tg.Redacted, tt.redacted)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ url, want string }{
		{"oracle://u:s3cretPW@h/db", "unsupported database URL scheme \"oracle\""},
		{"oracle://u:s3cretPW@h/db", "postgres://"},
		{"host=x password=s3cretPW", "no scheme"},
		{"mysql://u:s3cretPW@h:3306", "needs one database name"},
		{"mysql://u:s3cretPW@h/db?multiStatements=true", "strata sets multiStatements itself"},
		{"mysql://u:s3cretPW@h/db?timeout=soon", "parameter timeout"},
		{"sqlite:", "has no file"},
		{"sqlite://", "has no file"},
		{"postgres://u:s3cretPW@h:port/db", "cannot be parsed"},
		{"mysql://u:s3cret/PW@h:port/db", "cannot be parsed"},
		{"mysql://u:s3cretPW@tcp(h:3306)/db?x-migrations-table=m", "golang-migrate setting"},
		{"mysql://u:s3cretPW@tcp(h:3306)", "needs one database name"},
		{"mysql://u:s3cretPW@tcp(h:3306/db", "no closing parenthesis"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := Parse(tt.url)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			for _, secret := range []string{"s3cretPW", "s3cret/PW"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains the password", err)
				}
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:pw@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgres://u:@h/db", "postgres://u:@h/db"},
		{"postgres://h/db", "postgres://h/db"},
		{"postgres://u:p@ss/w:rd@h:5432/db?sslmode=require", "postgres://u:xxxxx@h:5432/db?sslmode=require"},
		{"postgres://u:p%40ss@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://h/db?user=u&password=pw&sslmode=disable", "postgres://h/db?user=u&password=xxxxx&sslmode=disable"},
		{"postgres://h/db?sslpassword=pw", "postgres://h/db?sslpassword=xxxxx"},
		{"postgres://u:pw@h/db?PASSWORD=pw2", "postgres://u:xxxxx@h/db?PASSWORD=xxxxx"},
		{"mysql://u:a?b@h/db?pwd=x", "mysql://u:xxxxx@h/db?pwd=xxxxx"},
		{"sqlite:app.db", "sqlite:app.db"},
		{"sqlite::memory:", "sqlite::memory:"},
		{"not a url", "not a url"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScrubError(t *testing.T) {
	tg, err := Parse("postgres://u:s3cret%2FPW@h/db?sslpassword=k3y")
	if err != nil {
		t.Fatal(err)
	}
	inner := errors.New("login as u with s3cret/PW and s3cret%2FPW and k3y failed")
	err = tg.ScrubError(inner)
	for _, s := range []string{"s3cret", "k3y"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("scrubbed error %q still holds %q", err, s)
		}
	}
	if !errors.Is(err, inner) {
		t.Error("scrubbed error does not wrap the original")
	}
	if got := tg.Scrub("a s3cret/PW b"); got != "a xxxxx b" {
		t.Errorf("Scrub = %q", got)
	}
}

func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, _, err := Open(ctx, "postgres://postgres:s3cretPW@127.0.0.1:1/x?connect_timeout=5")
	var ce *ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T), want *ConnectError", err, err)
	}
	if strings.Contains(err.Error(), "s3cretPW") {
		t.Errorf("error %q holds the password", err)
	}
	if !strings.Contains(err.Error(), "postgres://postgres:xxxxx@127.0.0.1:1/x") {
		t.Errorf("error %q does not name the redacted URL", err)
	}
}

func TestOpenSQLiteMemory(t *testing.T) {
	db, d, err := Open(context.Background(), "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if d.Name() != "sqlite" {
		t.Errorf("dialect %q", d.Name())
	}
	if _, err := db.Exec("CREATE TABLE t (x int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	var fk int
	if err := db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v", fk, err)
	}
}
