package testdb

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Many creates n fresh databases of the named kind at the same time, and
// drops them at the same time when the test ends. On a busy PostgreSQL
// server each CREATE and DROP DATABASE waits its turn (a DROP waits for a
// checkpoint); run together, their waits overlap, and n databases cost
// little more than one.
func Many(t testing.TB, kind string, n int) []DB {
	t.Helper()
	dbs := make([]DB, n)
	rec := &recorder{TB: t}
	var wg sync.WaitGroup
	for i := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i] = New(rec, kind)
		}()
	}
	wg.Wait()
	t.Cleanup(rec.cleanup)
	if len(rec.fatal) > 0 {
		t.Fatalf("testdb: %d of %d %s databases not created: %s", len(rec.fatal), n, kind, strings.Join(rec.fatal, "; "))
	}
	if len(rec.skip) > 0 {
		t.Skip(rec.skip[0])
	}
	return dbs
}

// recorder is the testing.TB New is given in Many's goroutines: it
// collects what would end the test, for Many to report from the test's
// own goroutine, and the cleanups, for Many to run together.
type recorder struct {
	testing.TB
	mu          sync.Mutex
	fatal, skip []string
	cleanups    []func()
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.fatal = append(r.fatal, fmt.Sprintf(format, args...))
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skip = append(r.skip, fmt.Sprintf(format, args...))
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

// cleanup runs the collected cleanups at the same time.
func (r *recorder) cleanup() {
	var wg sync.WaitGroup
	for _, f := range r.cleanups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	wg.Wait()
}
