// Package config turns what the user gave strata (flags, environment
// variables, files holding secrets) into a database connection: it parses
// database URLs into a database/sql driver name, DSN and dialect, and keeps
// the redacted form of the URL that is the only form ever printed.
package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/strata-db/strata/dialect"
	mydialect "github.com/strata-db/strata/dialect/mysql"
	pgdialect "github.com/strata-db/strata/dialect/postgres"
	litedialect "github.com/strata-db/strata/dialect/sqlite"
)

// DefaultURL is the database used when no URL is given: a SQLite file in
// the current directory.
const DefaultURL = "sqlite:strata.db"

// Supported lists the URL forms strata accepts, for messages.
const Supported = "postgres://user:pass@host:5432/db, postgresql://..., mysql://user:pass@host:3306/db, sqlite:path/to/file.db, sqlite:///abs/path.db or sqlite::memory:"

// sqlitePragmas are appended to every SQLite DSN: wait up to 10 s for a
// lock held by another process, and enforce foreign keys.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"

// Target is a parsed database URL: how to open it with database/sql, which
// dialect it speaks, and how to print it.
type Target struct {
	// Driver is the database/sql driver name: "pgx", "mysql" or "sqlite".
	Driver string
	// DSN is the data source name passed to sql.Open. It may hold a
	// password: never print it.
	DSN string
	// Dialect is strata's dialect for the database.
	Dialect dialect.Dialect
	// Redacted is the URL with every password replaced by xxxxx. It is
	// the only form of the URL that may be printed.
	Redacted string
	// Memory is true for an in-memory SQLite database, which must be used
	// through a single connection (db.SetMaxOpenConns(1)).
	Memory bool

	secrets []string
	file    string          // for SQLite, the database file ("" in memory), as the URL names it
	fileDir string          // for SQLite, the folder a relative file is in ("": the process's working folder); see InDir
	ro      bool            // ReadOnly was applied
	pg      *pgx.ConnConfig // for PostgreSQL, opened through a connector
	my      *mysql.Config   // for MySQL, opened through a connector
	sslmode string          // PostgreSQL: the URL's sslmode, "" when not given
	// PostgreSQL: set once a transaction-mode pooler was found, so new
	// connections send no named prepared statements (see DetectPooler);
	// shared by copies of the Target.
	pooled *atomic.Bool
	// PostgreSQL: set by UnnamedStatements; shared like pooled.
	unnamed *atomic.Bool
	// PostgreSQL: the URL chose default_query_exec_mode itself.
	execModeSet bool
	tlsMode     string       // MySQL: the URL's tls, "" when not given
	creds       *credentials // per-connection passwords, or nil (credentials.go)
	iam         bool         // the URL had aws_iam=true (iam.go)
}

// Parse parses a database URL. The scheme chooses the driver and dialect;
// an empty URL means DefaultURL. Errors never contain the password.
func Parse(raw string) (*Target, error) {
	if strings.TrimSpace(raw) == "" {
		raw = DefaultURL
	}
	t := &Target{Redacted: Redact(raw), secrets: secrets(raw)}
	var err error
	name, _, ok := strings.Cut(raw, ":")
	if !ok {
		// Not quoted: it may be a key=value DSN holding a password.
		return nil, fmt.Errorf("the database URL has no scheme: use one of %s", Supported)
	}
	_, parse, ok := scheme(name)
	if !ok {
		return nil, fmt.Errorf("unsupported database URL scheme %q: use one of %s", name, Supported)
	}
	raw, t.iam, err = cutIAMParam(raw)
	if err != nil {
		return nil, t.ScrubError(err)
	}
	if err = parse(t, raw); err != nil {
		return nil, t.ScrubError(err)
	}
	return t, nil
}

// DialectNamed returns the dialect a URL scheme or a --dialect flag names
// (postgres, postgresql, mysql, mariadb, sqlite, sqlite3), or false.
func DialectNamed(name string) (dialect.Dialect, bool) {
	d, _, ok := scheme(name)
	return d, ok
}

// scheme is the one place a database's name chooses its dialect and how
// its URL is parsed.
func scheme(name string) (dialect.Dialect, func(*Target, string) error, bool) {
	switch strings.ToLower(name) {
	case "postgres", "postgresql":
		return pgdialect.New(), (*Target).postgres, true
	case "mysql", "mariadb":
		return mydialect.New(), (*Target).mysql, true
	case "sqlite", "sqlite3":
		return litedialect.New(), (*Target).sqlite, true
	}
	return nil, nil, false
}

// postgres passes the URL to pgx as it is: pgx understands every libpq
// URL parameter (sslmode, search_path via options, ...).
func (t *Target) postgres(raw string) error {
	u, err := url.Parse(raw)
	if err != nil { // the parse error is not shown: it can quote the password
		return fmt.Errorf("invalid PostgreSQL URL %q: it cannot be parsed; write it as postgres://user:pass@host:5432/db (percent-encode special characters in the password)", t.Redacted)
	}
	if u.Opaque != "" {
		return fmt.Errorf("invalid PostgreSQL URL %q: write it as postgres://user:pass@host:5432/db", t.Redacted)
	}
	cfg, err := pgx.ParseConfig(raw)
	if err != nil { // pgx redacts the password in its errors; Parse scrubs them too
		return fmt.Errorf("invalid PostgreSQL URL %q: %w", t.Redacted, err)
	}
	// On Ctrl-C, ask the server to cancel the running statement instead of
	// only dropping the connection: a server busy in a statement does not
	// notice a dropped client, and would hold the migration lock until the
	// statement ends.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 5 * time.Second}
	}
	t.Driver, t.DSN, t.Dialect, t.pg = "pgx", raw, pgdialect.New(), cfg
	t.pooled, t.unnamed = new(atomic.Bool), new(atomic.Bool)
	t.execModeSet = strings.Contains(raw, "default_query_exec_mode=")
	t.sslmode = u.Query().Get("sslmode")
	return nil
}

// mysql builds a go-sql-driver/mysql DSN from a mysql:// URL, written
// as a URL or in the go-sql-driver form golang-migrate uses.
func (t *Target) mysql(raw string) error {
	std, ok := driverAddress(raw)
	if !ok {
		return fmt.Errorf("invalid MySQL URL %q: its address has no closing parenthesis; write it as mysql://user:pass@host:3306/db (or mysql://user:pass@tcp(host:3306)/db)", t.Redacted)
	}
	raw = std
	u, err := url.Parse(raw)
	if err != nil { // the parse error is not shown: it can quote the password
		return fmt.Errorf("invalid MySQL URL %q: it cannot be parsed; write it as mysql://user:pass@host:3306/db (percent-encode special characters in the password)", t.Redacted)
	}
	if u.Opaque != "" {
		return fmt.Errorf("invalid MySQL URL %q: write it as mysql://user:pass@host:3306/db", t.Redacted)
	}
	cfg := mysql.NewConfig()
	// The driver's default logger prints its own lines ("[mysql] ...
	// unexpected EOF") to stderr; strata reports every error itself.
	cfg.Logger = quietMySQLLogger{}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.Net = "tcp"
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "3306"
	}
	cfg.Addr = net.JoinHostPort(host, port)
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if cfg.DBName == "" || strings.Contains(cfg.DBName, "/") {
		return fmt.Errorf("the MySQL URL %q needs one database name: write it as mysql://user:pass@host:3306/db", t.Redacted)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true // one round trip per statement instead of prepare+exec+close
	// strata splits files itself and sends their statements one per
	// query; multi-statement queries let it send a small transactional
	// file with its history row in one round trip (dialect/mysql).
	cfg.MultiStatements = true
	var tlsParams mysqlTLS
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		if tlsParams.set(k, v) {
			continue
		}
		if err := mysqlParam(cfg, k, v); err != nil {
			return fmt.Errorf("the MySQL URL %q, parameter %s: %w", t.Redacted, k, err)
		}
	}
	tc, err := tlsParams.config(host)
	if err != nil {
		return fmt.Errorf("the MySQL URL %q: %w", t.Redacted, err)
	}
	if tc != nil {
		// Set directly on this connection's configuration, opened through
		// a connector: nothing is registered in the driver's global TLS
		// registry.
		cfg.TLS = tc
	} else {
		cfg.TLSConfig = tlsParams.mode
	}
	t.Driver, t.DSN, t.Dialect, t.my = "mysql", cfg.FormatDSN(), mydialect.New(), cfg
	t.tlsMode = tlsParams.mode
	if t.tlsMode == "true" && tlsParams.ca != "" {
		t.tlsMode = "verify-full"
	}
	return nil
}

// driverAddress rewrites a MySQL URL whose address is in the
// go-sql-driver form that golang-migrate documents,
// mysql://user:pass@tcp(host:3306)/db or mysql://user:pass@unix(/path)/db,
// into strata's form, mysql://user:pass@host:3306/db or
// mysql://user:pass@localhost/db?socket=/path. Other URLs are returned as
// they are; ok is false for a tcp( or unix( address without its closing
// parenthesis. The password is copied as written, never decoded.
func driverAddress(raw string) (string, bool) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw, true
	}
	hostStart := 0 // of rest: after the user info, if any
	if _, end, ok := userinfo(raw); ok {
		hostStart = end + 1 - len(scheme) - len("://")
	} else if at := strings.Index(rest, "@"); at >= 0 && !strings.ContainsAny(rest[:at], "/?") {
		hostStart = at + 1
	}
	host := rest[hostStart:]
	var proto string
	for _, p := range []string{"tcp(", "unix("} {
		if strings.HasPrefix(host, p) {
			proto = p
		}
	}
	if proto == "" {
		return raw, true
	}
	end := strings.Index(host, ")")
	if end < 0 {
		return "", false
	}
	addr, tail := host[len(proto):end], host[end+1:]
	if tail != "" && tail[0] != '/' && tail[0] != '?' {
		return raw, true // not an address: let the URL parser say what is wrong
	}
	head := scheme + "://" + rest[:hostStart]
	if proto == "tcp(" {
		return head + addr + tail, true
	}
	sep := "?"
	if strings.Contains(tail, "?") {
		sep = "&"
	}
	return head + "localhost" + tail + sep + "socket=" + url.QueryEscape(addr), true
}

// mysqlParam maps one URL query parameter onto the driver's Config. Names
// the driver handles as fields are mapped; the rest are passed through as
// session variables (Params), which the driver sets on connect.
func mysqlParam(cfg *mysql.Config, k, v string) error {
	dur := func(d *time.Duration) error {
		x, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("want a duration such as 10s: %w", err)
		}
		*d = x
		return nil
	}
	boolean := func(b *bool) error {
		x, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false: %w", err)
		}
		*b = x
		return nil
	}
	switch k {
	case "socket":
		cfg.Net, cfg.Addr = "unix", v
	case "timeout":
		return dur(&cfg.Timeout)
	case "readTimeout":
		return dur(&cfg.ReadTimeout)
	case "writeTimeout":
		return dur(&cfg.WriteTimeout)
	case "collation":
		cfg.Collation = v
	case "allowCleartextPasswords":
		return boolean(&cfg.AllowCleartextPasswords)
	case "allowNativePasswords":
		return boolean(&cfg.AllowNativePasswords)
	case "allowFallbackToPlaintext":
		return boolean(&cfg.AllowFallbackToPlaintext)
	case "serverPubKey":
		cfg.ServerPubKey = v
	case "maxAllowedPacket":
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("want a number of bytes: %w", err)
		}
		cfg.MaxAllowedPacket = n
	case "parseTime", "loc", "interpolateParams", "multiStatements":
		return fmt.Errorf("strata sets %s itself; remove it from the URL", k)
	default:
		if strings.HasPrefix(k, "x-") {
			// It would be sent as a session variable and refused on connect.
			return errors.New("this is a golang-migrate setting, which strata does not read; remove it from the URL (strata's own settings are flags: strata --help)")
		}
		if cfg.Params == nil {
			cfg.Params = map[string]string{}
		}
		cfg.Params[k] = v
	}
	return nil
}

// sqlite accepts sqlite:path, sqlite://path (relative), sqlite:///abs/path
// and sqlite::memory:, each with optional ?query parameters that are passed
// to the driver after strata's pragmas.
func (t *Target) sqlite(raw string) error {
	_, rest, _ := strings.Cut(raw, ":")
	path, query, _ := strings.Cut(rest, "?")
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return fmt.Errorf("the SQLite URL %q has no file: write it as sqlite:path/to/file.db, sqlite:///abs/path.db, or sqlite::memory: for a database in memory", t.Redacted)
	}
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	dsn := "file:" + path + "?" + sqlitePragmas
	if path == ":memory:" {
		t.Memory = true
	} else {
		t.file = path
	}
	if query != "" {
		dsn += "&" + query
	}
	t.Driver, t.DSN, t.Dialect = "sqlite", dsn, litedialect.New()
	return nil
}

// InDir makes the relative file name of a SQLite URL name a file under
// dir, the working folder of the run the URL belongs to, rather than under
// the process's working folder. Messages keep the file as the URL names
// it. An empty dir, an absolute file and other databases are left alone.
func (t *Target) InDir(dir string) {
	if dir == "" || t.file == "" || filepath.IsAbs(t.file) {
		return
	}
	t.DSN = "file:" + filepath.Join(dir, t.file) + strings.TrimPrefix(t.DSN, "file:"+t.file)
	t.fileDir = dir
}

// filePath is where the SQLite file is, for opening it outside the driver.
func (t *Target) filePath() string { return PathIn(t.fileDir, t.file) }

// quietMySQLLogger discards the MySQL driver's log lines.
type quietMySQLLogger struct{}

func (quietMySQLLogger) Print(...any) {}

// forceVerifiedTLS turns on verified TLS for a URL that set no TLS mode,
// and refuses one that set a mode that does not verify.
func (t *Target) forceVerifiedTLS() error {
	s, _ := t.TLS()
	if s.Verified {
		return nil
	}
	host := t.host()
	switch {
	case t.pg != nil && t.sslmode == "" && !strings.Contains(s.Mode, "PGSSLMODE"):
		tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		t.pg.TLSConfig = tc
		var fbs []*pgconn.FallbackConfig
		for _, fb := range t.pg.Fallbacks {
			if fb.TLSConfig != nil {
				c := *fb
				c.TLSConfig = &tls.Config{ServerName: fb.Host, MinVersion: tls.VersionTLS12}
				fbs = append(fbs, &c)
			}
		}
		t.pg.Fallbacks = fbs
		t.sslmode = "verify-full"
		return nil
	case t.my != nil && t.tlsMode == "":
		t.my.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		t.my.TLSConfig = ""
		t.tlsMode = "verify-full"
		return nil
	}
	return fmt.Errorf("IAM authentication sends a token that works as a password for 15 minutes, so strata sends it only over TLS that verifies the server, but %s uses %s, which %s: add %s to the URL, or remove the TLS mode and strata uses verify-full",
		t.Redacted, s.Mode, trimPlain(s.Missing), s.Fix)
}
