package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// TestChecksumCache: with the checksum cache (docs/checksums.md), an
// applied file that is edited in place, keeping its size and with its
// modification time put back, is still found edited; --checksum-cache off
// writes nothing, and a bare word is refused.
func TestChecksumCache(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	f.write("0002_seed.sql", "INSERT INTO users (id, email) VALUES (2, 'ann');\n")
	want(t, f.run(db.URL, "up"), 0)
	cache := filepath.Join(t.TempDir(), "sums")

	want(t, f.run(db.URL, "check", "--checksum-cache", "off"), 0)
	// Files changed in the last 3 s are never cached, judged also by their
	// status-change time, which no program can set back: this wait is time
	// itself passing (the test runs in parallel with the others).
	time.Sleep(3200 * time.Millisecond)
	want(t, f.run(db.URL, "check", "--checksum-cache", "off"), 0)
	if _, err := os.Stat(cache); !os.IsNotExist(err) {
		t.Fatalf("--checksum-cache off wrote a cache (%v)", err)
	}
	want(t, f.run(db.URL, "check", "--checksum-cache", cache), 0)
	info, err := os.Stat(cache)
	if err != nil {
		t.Fatalf("no cache written: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("cache mode %v", info.Mode().Perm())
	}
	want(t, f.run(db.URL, "check", "--checksum-cache", cache), 0) // from the cache

	seed := filepath.Join(f.path, "0002_seed.sql")
	before, err := os.Stat(seed)
	if err != nil {
		t.Fatal(err)
	}
	f.write("0002_seed.sql", "INSERT INTO users (id, email) VALUES (2, 'bob');\n")
	if err := os.Chtimes(seed, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	r := f.run(db.URL, "check", "--checksum-cache", cache)
	want(t, r, 11, "edited")
	st := f.status(db.URL)
	if st.state("2") != "edited" {
		t.Fatalf("status (auto cache) says %s", st.state("2"))
	}

	r = f.run(db.URL, "status", "--checksum-cache", "of")
	want(t, r, 2, "give auto, off or a file path")
	if !strings.Contains(r.stderr, "--checksum-cache") {
		t.Fatalf("error does not name the flag:\n%s", r)
	}
}
