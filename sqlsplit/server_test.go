package sqlsplit

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// TestGoldenOnServers executes, statement by statement, every golden
// input whose first line is "-- exec" on a fresh database of its dialect:
// proof that the scanner's statements are what the servers accept, which
// a golden file alone cannot show.
func TestGoldenOnServers(t *testing.T) {
	byDir := map[string][]goldenInput{}
	for _, in := range goldenInputs(t) {
		if in.exec {
			byDir[in.dir] = append(byDir[in.dir], in)
		}
	}
	for _, gd := range goldenDialects {
		t.Run(gd.dir, func(t *testing.T) {
			if len(byDir[gd.dir]) == 0 {
				t.Fatalf("no executable golden inputs for %s", gd.dir)
			}
			for _, in := range byDir[gd.dir] {
				t.Run(in.name[len(gd.dir)+1:], func(t *testing.T) {
					var db testdb.DB
					switch in.d {
					case Postgres:
						db = testdb.Postgres(t)
					case MySQL:
						db = testdb.MySQL(t)
					default:
						db = testdb.SQLite(t)
					}
					execAll(t, db, in)
				})
			}
		})
	}
}

// execAll runs each statement of in on one pinned connection to db.
func execAll(t *testing.T, db testdb.DB, in goldenInput) {
	t.Helper()
	sts, _, err := scanAll(bytes.NewReader(in.src), Options{Dialect: in.d, Backslash: in.bs})
	if err != nil {
		t.Fatalf("%s: %v", in.path, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := db.Open(t).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if in.session != "" {
		if _, err := conn.ExecContext(ctx, in.session); err != nil {
			t.Fatalf("%s: %v", in.session, err)
		}
	}
	for i, st := range sts {
		if _, err := conn.ExecContext(ctx, st.Text); err != nil {
			t.Fatalf("%s:%d:%d: statement %d failed on the server: %v\n%s", in.path, st.Line, st.Col, i+1, err, st.Text)
		}
	}
}
