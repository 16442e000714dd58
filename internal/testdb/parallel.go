package testdb

import (
	"flag"
	"runtime"
	"strconv"
)

// RaiseParallel lets more parallel tests run at once than go test's
// default (-parallel = GOMAXPROCS): the database tests spend most of their
// time waiting on a server or a strata process, not on this process's CPU,
// so on a 2-core machine two at a time leaves the machine idle. It sets
// -test.parallel to perCPU × GOMAXPROCS unless the flag was given. Call it
// from TestMain before m.Run.
func RaiseParallel(perCPU int) {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "test.parallel" {
			given = true
		}
	})
	if !given {
		_ = flag.Set("test.parallel", strconv.Itoa(perCPU*runtime.GOMAXPROCS(0)))
	}
}
