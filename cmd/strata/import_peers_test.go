package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// peersDir is where internal/importer/testdata/install-peers.sh puts the
// other migration tools: $STRATA_PEERS, else its default cache folder.
func peersDir() string {
	if d := os.Getenv("STRATA_PEERS"); d != "" {
		return d
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "strata-peers")
}

// peer returns the path of the tool's binary. Outside CI a missing tool
// skips the test, saying how to install it; in CI it fails.
func peer(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(peersDir(), name)
	if _, err := os.Stat(p); err != nil {
		msg := name + " is not installed in " + peersDir() + ": run internal/importer/testdata/install-peers.sh (or set STRATA_PEERS)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI=true, so this fails instead of skipping")
		}
		t.Skip(msg)
	}
	return p
}

// runPeer runs a peer tool in wd and returns its combined output and
// whether it exited 0.
func runPeer(t *testing.T, wd, bin string, args ...string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = wd
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("run %s %v: %v", bin, args, err)
		}
		return string(out), false
	}
	return string(out), true
}

// peerURL is the database URL as each tool takes it.
func peerURL(tool string, db testdb.DB) string {
	kind := dbKind(db)
	name := db.Name
	switch tool + "/" + kind {
	case "goose/postgres", "migrate/postgres", "dbmate/postgres", "sql-migrate/postgres", "tern/postgres":
		return db.URL
	case "goose/mysql":
		return "root@tcp(127.0.0.1:3306)/" + name + "?parseTime=true&multiStatements=true"
	case "migrate/mysql":
		return "mysql://root@tcp(127.0.0.1:3306)/" + name + "?multiStatements=true"
	case "dbmate/mysql":
		return "mysql://root@127.0.0.1:3306/" + name
	case "sql-migrate/mysql":
		return "root@tcp(127.0.0.1:3306)/" + name + "?parseTime=true"
	case "sql-migrate/sqlite":
		return name
	case "goose/sqlite":
		return name
	case "migrate/sqlite":
		return "sqlite://" + name
	case "dbmate/sqlite":
		return "sqlite:" + name
	}
	panic("no URL for " + tool + " on " + kind)
}

func dbKind(db testdb.DB) string {
	switch db.DriverName {
	case "pgx":
		return "postgres"
	case "mysql":
		return "mysql"
	}
	return "sqlite"
}

// peerUp has the real tool apply its folder dir to db.
func peerUp(t *testing.T, tool, dir string, db testdb.DB) (string, bool) {
	t.Helper()
	url := peerURL(tool, db)
	switch tool {
	case "goose":
		driver := map[string]string{"postgres": "postgres", "mysql": "mysql", "sqlite": "sqlite3"}[dbKind(db)]
		return runPeer(t, dir, peer(t, "goose"), "-dir", dir, driver, url, "up")
	case "migrate":
		return runPeer(t, dir, peer(t, "migrate"), "-path", dir, "-database", url, "up")
	case "dbmate":
		return runPeer(t, dir, peer(t, "dbmate"), "--url", url, "--migrations-dir", dir, "--no-dump-schema", "up")
	case "tern":
		return runPeer(t, dir, peer(t, "tern"), "migrate", "--migrations", dir, "--conn-string", url)
	case "sql-migrate":
		return runPeer(t, dir, peer(t, "sql-migrate"), "up", "-config", sqlMigrateConfig(t, dir, db))
	}
	t.Fatalf("no up for %s", tool)
	return "", false
}

// peerVersion asks the real tool what it has applied.
func peerVersion(t *testing.T, tool, dir string, db testdb.DB) string {
	t.Helper()
	url := peerURL(tool, db)
	var out string
	var ok bool
	switch tool {
	case "goose":
		driver := map[string]string{"postgres": "postgres", "mysql": "mysql", "sqlite": "sqlite3"}[dbKind(db)]
		out, ok = runPeer(t, dir, peer(t, "goose"), "-dir", dir, driver, url, "version")
	case "migrate":
		out, ok = runPeer(t, dir, peer(t, "migrate"), "-path", dir, "-database", url, "version")
	case "dbmate":
		out, ok = runPeer(t, dir, peer(t, "dbmate"), "--url", url, "--migrations-dir", dir, "status")
	case "tern":
		out, ok = runPeer(t, dir, peer(t, "tern"), "status", "--migrations", dir, "--conn-string", url)
	case "sql-migrate":
		out, ok = runPeer(t, dir, peer(t, "sql-migrate"), "status", "-config", sqlMigrateConfig(t, dir, db))
	}
	if !ok {
		t.Fatalf("%s version: %s", tool, out)
	}
	out = logStamp.ReplaceAllString(strings.TrimSpace(out), "")
	if tool == "tern" {
		// "version:  3 of 4": the first number is its table's; the
		// second counts the folder's files.
		if i := strings.Index(out, "version:"); i >= 0 {
			out, _, _ = strings.Cut(out[i:], " of ")
		}
	}
	if tool == "sql-migrate" {
		// Its status table lists the folder's files and when each ran:
		// the files it says ran are what its table says.
		var ran []string
		for _, l := range strings.Split(out, "\n") {
			if cells := strings.Split(l, "|"); len(cells) == 4 && peerStamp.MatchString(cells[2]) {
				ran = append(ran, strings.TrimSpace(cells[1]))
			}
		}
		out = "applied: " + strings.Join(ran, ", ")
	}
	if tool == "dbmate" {
		// Its status lists the folder's files too; the count of applied
		// ones is what its table says.
		if i := strings.Index(out, "Applied:"); i >= 0 {
			out, _, _ = strings.Cut(out[i:], "\n")
		}
	}
	return out
}

// peerStamp is a time in sql-migrate's status table.
var peerStamp = regexp.MustCompile(`\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[^|]*`)

// logStamp is the date and time Go's log package puts before a line.
var logStamp = regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `)

// sqlMigrateConfig writes the dbconfig.yml sql-migrate reads, beside dir.
func sqlMigrateConfig(t *testing.T, dir string, db testdb.DB) string {
	t.Helper()
	dialect := map[string]string{"postgres": "postgres", "mysql": "mysql", "sqlite": "sqlite3"}[dbKind(db)]
	p := filepath.Join(filepath.Dir(dir), "dbconfig.yml")
	body := "development:\n  dialect: " + dialect + "\n  datasource: " + strconv.Quote(peerURL("sql-migrate", db)) + "\n  dir: " + strconv.Quote(dir) + "\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
