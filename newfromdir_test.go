package strata_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/source"
)

// TestNewFromDirSharedByManyDatabases: one loaded folder serves several
// Migrators at once, each applying it to its own database, and the folder
// is the same afterwards (nothing in a Dir is changed by using it).
func TestNewFromDirSharedByManyDatabases(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, first testdb.DB) {
		ctx := context.Background()
		folder := t.TempDir()
		for name, text := range map[string]string{
			"0001_table.sql": "CREATE TABLE notes (id int, body varchar(20));\n",
			"0002_row.sql":   "INSERT INTO notes VALUES (1, 'a;b');\nINSERT INTO notes VALUES (2, 'c');\n",
			"0003_more.sql":  "-- licence; header\nINSERT INTO notes VALUES (3, 'd');\n",
		} {
			if err := os.WriteFile(filepath.Join(folder, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		dir, err := source.Load(source.DirFS(folder))
		if err != nil {
			t.Fatal(err)
		}
		sums := checksums(dir)
		kind := map[string]string{"pgx": "postgres", "mysql": "mysql", "sqlite": "sqlite"}[first.DriverName]
		dbs := []testdb.DB{first, testdb.New(t, kind), testdb.New(t, kind)}
		var wg sync.WaitGroup
		errs := make([]error, len(dbs))
		for i, db := range dbs {
			sqlDB := db.Open(t)
			wg.Go(func() {
				m, err := strata.NewFromDir(sqlDB, dialectFor(t, db), dir)
				if err != nil {
					errs[i] = err
					return
				}
				_, errs[i] = m.Up(ctx, strata.PlanOptions{})
			})
		}
		wg.Wait()
		for i, db := range dbs {
			if errs[i] != nil {
				t.Fatalf("database %d: %v", i, errs[i])
			}
			var n int
			if err := db.Open(t).QueryRow("SELECT count(*) FROM notes").Scan(&n); err != nil || n != 3 {
				t.Errorf("database %d: %d rows, %v; want 3", i, n, err)
			}
			m, err := strata.NewFromDir(db.Open(t), dialectFor(t, db), dir)
			if err != nil {
				t.Fatal(err)
			}
			st, err := m.Status(ctx)
			if err != nil || st.Current.String() != "3" || st.Pending != 0 {
				t.Errorf("database %d: status %+v, %v; want version 3, nothing pending", i, st, err)
			}
		}
		if got := checksums(dir); got != sums {
			t.Errorf("the loaded folder changed: %s, was %s", got, sums)
		}
	})
}

func checksums(d *source.Dir) string {
	var b strings.Builder
	for _, m := range d.Versioned {
		b.WriteString(m.Path + "=" + m.Checksum + " ")
	}
	return b.String()
}

// TestNewFromDirEditAfterLoad: a file edited after the folder was loaded
// is refused when it would run, not applied with the checksum of what was
// loaded.
func TestNewFromDirEditAfterLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.SQLite(t)
	folder := t.TempDir()
	path := filepath.Join(folder, "0001_table.sql")
	if err := os.WriteFile(path, []byte("CREATE TABLE a (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, err := source.Load(source.DirFS(folder))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("CREATE TABLE b (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := strata.NewFromDir(db.Open(t), dialectFor(t, db), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Up(ctx, strata.PlanOptions{})
	var fe *source.FileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "changed while strata was running") {
		t.Fatalf("up: %v, want the edited file refused", err)
	}
	var n int
	if err := db.Open(t).QueryRow("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d tables created, %v; want none", n, err)
	}
}

func TestNewFromDirNeedsAFolder(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	_, err := strata.NewFromDir(db.Open(t), dialectFor(t, db), nil)
	var ce *strata.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("NewFromDir(nil dir): %v, want a *ConfigError", err)
	}
}

// TestWithChecksumCache: strata.New keeps the folder's checksums in the
// cache file the option names, and a file edited since is still read
// again. (Files younger than 3 s are never cached, hence the wait.)
func TestWithChecksumCache(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	folder := t.TempDir()
	path := filepath.Join(folder, "0001_a.sql")
	if err := os.WriteFile(path, []byte("CREATE TABLE a (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3100 * time.Millisecond)
	cache := filepath.Join(t.TempDir(), "sums")
	open := func() *strata.Migrator {
		m, err := strata.New(db.Open(t), dialectFor(t, db), source.DirFS(folder), strata.WithChecksumCache(cache, folder))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	before := open().Dir().Versioned[0].Checksum
	if fi, err := os.Stat(cache); err != nil || fi.Size() < 100 {
		t.Fatalf("cache file %s: %v (want one holding the file's entry)", cache, err)
	}
	if err := os.WriteFile(path, []byte("CREATE TABLE b (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if after := open().Dir().Versioned[0].Checksum; after == before {
		t.Fatal("the cache hid an edit of the same size")
	}
}
