package dialecttest_test

import (
	"testing"

	"github.com/strata-db/strata/dialect/dialecttest"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/dialect/sqlite"
	"github.com/strata-db/strata/internal/testdb"
)

func TestPostgres(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t).Open(t)
	if _, err := db.Exec(`CREATE SCHEMA "ops"`); err != nil {
		t.Fatal(err)
	}
	dialecttest.Run(t, dialecttest.Env{Dialect: postgres.New(), DB: db, Schema: "ops",
		FailingStatement: "SELECT 1/0", WantCode: "22012"})
}

func TestMySQL(t *testing.T) {
	t.Parallel()
	main, other := testdb.MySQL(t), testdb.MySQL(t)
	dialecttest.Run(t, dialecttest.Env{Dialect: mysql.New(), DB: main.Open(t), Schema: other.Name,
		FailingStatement: "SELECT * FROM no_such_table_at_all", WantCode: "1146"})
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	dialecttest.Run(t, dialecttest.Env{Dialect: sqlite.New(), DB: testdb.SQLite(t).Open(t),
		FailingStatement: "SELECT * FROM no_such_table_at_all", WantCode: "1"})
}
