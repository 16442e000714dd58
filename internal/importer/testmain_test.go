package importer_test

import (
	"os"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestMain runs the tests with the pool of PostgreSQL databases that
// testdb.Postgres draws from, and drops its databases at the end.
func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }
