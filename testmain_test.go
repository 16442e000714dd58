package strata_test

import (
	"os"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestMain runs more tests at once than GOMAXPROCS: they wait on the
// database servers far more than they compute. testdb.Main gives them
// their PostgreSQL databases from a pool and drops them at the end.
func TestMain(m *testing.M) {
	testdb.RaiseParallel(4)
	os.Exit(testdb.Main(m))
}
