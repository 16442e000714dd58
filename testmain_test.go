package strata_test

import (
	"os"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestMain runs more tests at once than GOMAXPROCS: they wait on the
// database servers far more than they compute.
func TestMain(m *testing.M) {
	testdb.RaiseParallel(4)
	os.Exit(m.Run())
}
