package strataurl_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/strataurl"
)

// TestOpen: from a URL to a working Migrator on every database, twice (an
// app's second deploy reads the history the first wrote), with the
// database usable through DB and closed by Close.
func TestOpen(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		fsys := fstest.MapFS{
			"0001_t.sql": {Data: []byte("CREATE TABLE t (id int);\n")},
			"0002_r.sql": {Data: []byte("INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n")},
		}
		for run, want := range []int{2, 0} {
			m, err := strataurl.Open(ctx, db.URL, fsys)
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			res, err := m.Up(ctx, strata.PlanOptions{})
			if err != nil || len(res.Applied) != want {
				t.Fatalf("run %d: up = %+v, %v; want %d applied", run, res, err, want)
			}
			st, err := m.Status(ctx)
			if err != nil || st.Current.String() != "2" || st.Pending != 0 {
				t.Fatalf("run %d: status = %+v, %v", run, st, err)
			}
			var n int
			if err := m.DB().QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 2 {
				t.Fatalf("run %d: %d rows, %v", run, n, err)
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if err := m.DB().PingContext(ctx); err == nil {
				t.Fatal("the database still answers after Close")
			}
		}
	})
}

// TestOpenErrors: a bad URL or an unreachable server is an error that
// names the URL without its password.
func TestOpenErrors(t *testing.T) {
	fsys := fstest.MapFS{"0001_t.sql": {Data: []byte("SELECT 1;\n")}}
	for _, url := range []string{
		"oracle://scott:s3cretpw@host/db",
		"mysql://root:s3cretpw@127.0.0.1:1/db",
		"postgres://postgres:s3cretpw@127.0.0.1:1/db?connect_timeout=2",
		"mysql://root:s3cretpw@127.0.0.1:3306/",
	} {
		_, err := strataurl.Open(context.Background(), url, fsys)
		if err == nil {
			t.Errorf("Open(%s) succeeded", url)
			continue
		}
		if strings.Contains(err.Error(), "s3cretpw") {
			t.Errorf("Open(%s): error shows the password: %v", url, err)
		}
	}
}
