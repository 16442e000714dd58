package fleet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func targets(n int) []Target {
	out := make([]Target, n)
	for i := range out {
		out[i] = Target{Name: fmt.Sprintf("postgres://db%03d", i), URL: fmt.Sprintf("postgres://u:xxxxx@h/db%03d", i)}
	}
	return out
}

// failOn returns a Func that sleeps briefly and fails on the named targets.
func failOn(names ...string) Func {
	bad := map[string]bool{}
	for _, n := range names {
		bad[n] = true
	}
	return func(ctx context.Context, t Target) (Report, error) {
		time.Sleep(time.Millisecond)
		if bad[t.Name] {
			return Report{Applied: 1}, errors.New("boom")
		}
		return Report{Applied: 2}, nil
	}
}

func TestRunParallelBound(t *testing.T) {
	for _, par := range []int{0, 1, 3, 8} {
		var running, peak atomic.Int32
		f := func(ctx context.Context, _ Target) (Report, error) {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			running.Add(-1)
			return Report{}, nil
		}
		var maxRunning int
		out := Run(context.Background(), targets(40), Options{Parallel: par, Progress: func(p Progress) {
			maxRunning = max(maxRunning, p.Running)
		}}, f)
		want := max(par, 1)
		if int(peak.Load()) > want || maxRunning > want {
			t.Errorf("parallel %d: %d ran at once (progress said %d)", par, peak.Load(), maxRunning)
		}
		if par == 8 && peak.Load() < 2 {
			t.Errorf("parallel 8: never ran two at once")
		}
		if ok, failed, skipped := Count(out); ok != 40 || failed != 0 || skipped != 0 {
			t.Errorf("parallel %d: ok %d failed %d skipped %d", par, ok, failed, skipped)
		}
		for i, o := range out {
			if o.Target.Name != targets(40)[i].Name || o.Applied != 0 || o.Duration <= 0 {
				t.Fatalf("outcome %d = %+v", i, o)
			}
		}
	}
}

func TestRunContinuesByDefault(t *testing.T) {
	ts := targets(20)
	out := Run(context.Background(), ts, Options{Parallel: 4}, failOn(ts[3].Name, ts[11].Name))
	ok, failed, skipped := Count(out)
	if ok != 18 || failed != 2 || skipped != 0 {
		t.Fatalf("ok %d failed %d skipped %d", ok, failed, skipped)
	}
	if out[3].Result != Failed || out[3].Err == nil || out[3].Applied != 1 || out[4].Applied != 2 {
		t.Errorf("outcome 3 = %+v, 4 = %+v", out[3], out[4])
	}
}

func TestRunFailFast(t *testing.T) {
	ts := targets(50)
	index := map[string]int{}
	for i, tg := range ts {
		index[tg.Name] = i
	}
	var started atomic.Int32
	// Targets after 5 finish only once the run has counted 5's failure,
	// so the bound below holds however the scheduler orders the workers
	// (a loaded machine once let the other two workers finish a dozen
	// quick targets while 5 slept).
	failed5 := make(chan struct{})
	var once sync.Once
	progress := func(p Progress) {
		if p.Failed > 0 {
			once.Do(func() { close(failed5) })
		}
	}
	f := func(ctx context.Context, tg Target) (Report, error) {
		started.Add(1)
		if index[tg.Name] > 5 {
			<-failed5
		}
		return failOn(ts[5].Name)(ctx, tg)
	}
	out := Run(context.Background(), ts, Options{Parallel: 3, FailFast: true, Progress: progress}, f)
	ok, failed, skipped := Count(out)
	if failed != 1 || skipped == 0 || ok+failed+skipped != 50 || int(started.Load()) != ok+failed {
		t.Fatalf("ok %d failed %d skipped %d started %d", ok, failed, skipped, started.Load())
	}
	// 0-4 and at most one target for each of the two other workers that
	// were running when 5 failed; none starts after.
	if ok > 5+2 {
		t.Errorf("%d succeeded: fail-fast kept starting targets", ok)
	}
	for _, o := range out {
		if o.Result == Skipped && !errors.Is(o.Err, ErrFailFast) {
			t.Errorf("skipped %s: err %v", o.Target.Name, o.Err)
		}
	}
}

func TestRunCanary(t *testing.T) {
	ts := targets(30)
	var order []string
	var mu sync.Mutex
	record := func(f Func) Func {
		return func(ctx context.Context, tg Target) (Report, error) {
			mu.Lock()
			order = append(order, tg.Name)
			mu.Unlock()
			return f(ctx, tg)
		}
	}
	// A failing canary stops the run before the rest.
	out := Run(context.Background(), ts, Options{Parallel: 8, Canary: 3}, record(failOn(ts[1].Name)))
	ok, failed, skipped := Count(out)
	if ok != 2 || failed != 1 || skipped != 27 || len(order) != 3 {
		t.Fatalf("ok %d failed %d skipped %d ran %v", ok, failed, skipped, order)
	}
	for _, o := range out[3:] {
		if !errors.Is(o.Err, ErrCanaryFailed) {
			t.Errorf("%s: err %v", o.Target.Name, o.Err)
		}
	}
	// A passing canary finishes before any other target starts.
	order = nil
	var peak int
	out = Run(context.Background(), ts, Options{Parallel: 8, Canary: 2, Progress: func(p Progress) {
		if p.Done < 2 {
			peak = max(peak, p.Running)
		}
	}}, record(failOn(ts[20].Name)))
	ok, failed, skipped = Count(out)
	if ok != 29 || failed != 1 || skipped != 0 {
		t.Fatalf("ok %d failed %d skipped %d", ok, failed, skipped)
	}
	canary := map[string]bool{order[0]: true, order[1]: true}
	if !canary[ts[0].Name] || !canary[ts[1].Name] || peak > 2 {
		t.Errorf("canary ran %v, %d at once before it finished", order[:2], peak)
	}
}

func TestRunCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ts := targets(40)
	f := func(ctx context.Context, tg Target) (Report, error) {
		if tg.Name == ts[4].Name {
			cancel()
		}
		select {
		case <-ctx.Done():
			return Report{}, ctx.Err()
		case <-time.After(time.Millisecond):
			return Report{}, nil
		}
	}
	out := Run(ctx, ts, Options{Parallel: 2}, f)
	ok, failed, skipped := Count(out)
	if skipped < 30 || ok+failed > 10 {
		t.Fatalf("ok %d failed %d skipped %d", ok, failed, skipped)
	}
	last := out[len(out)-1]
	if last.Result != Skipped || !errors.Is(last.Err, context.Canceled) {
		t.Errorf("last = %+v", last)
	}
}

func TestRunPanicFails(t *testing.T) {
	out := Run(context.Background(), targets(3), Options{Parallel: 2}, func(ctx context.Context, tg Target) (Report, error) {
		if tg.Name == "postgres://db001" {
			panic("bad driver")
		}
		return Report{}, nil
	})
	if out[1].Result != Failed || out[1].Err == nil || out[0].Result != OK || out[2].Result != OK {
		t.Errorf("outcomes %+v", out)
	}
}

func TestProgressCounts(t *testing.T) {
	ts := targets(10)
	var last Progress
	starts, finishes := 0, 0
	Run(context.Background(), ts, Options{Parallel: 3, Progress: func(p Progress) {
		if p.Started != nil {
			starts++
		}
		if p.Finished != nil {
			finishes++
		}
		if p.Running < 0 || p.Running > 3 || p.Done+p.Running > p.Total {
			t.Errorf("progress %+v", p)
		}
		last = p
	}}, failOn(ts[2].Name))
	if starts != 10 || finishes != 10 || last.Done != 10 || last.Failed != 1 || last.Running != 0 || last.Total != 10 {
		t.Errorf("starts %d finishes %d last %+v", starts, finishes, last)
	}
}

func TestShard(t *testing.T) {
	ts := targets(200)
	for _, n := range []int{1, 2, 3, 7} {
		seen := map[string]int{}
		for i := range n {
			part := Shard(ts, i, n)
			if n > 1 && (len(part) == 0 || len(part) == len(ts)) {
				t.Errorf("shard %d/%d has %d of %d targets", i, n, len(part), len(ts))
			}
			for _, tg := range part {
				seen[tg.Name]++
			}
		}
		for _, tg := range ts {
			if seen[tg.Name] != 1 {
				t.Fatalf("n=%d: %s is in %d shards", n, tg.Name, seen[tg.Name])
			}
		}
	}
	// A target's shard does not depend on the order or the other targets.
	rev := make([]Target, 0, len(ts))
	for i := len(ts) - 1; i >= 0; i-- {
		if i%3 != 0 {
			rev = append(rev, ts[i])
		}
	}
	for _, tg := range Shard(rev, 1, 4) {
		if ShardOf(tg.Name, 4) != 1 {
			t.Errorf("%s moved shard", tg.Name)
		}
	}
	inFull := map[string]bool{}
	for _, tg := range Shard(ts, 1, 4) {
		inFull[tg.Name] = true
	}
	for _, tg := range rev {
		if inFull[tg.Name] != (ShardOf(tg.Name, 4) == 1) {
			t.Errorf("%s: shard differs between lists", tg.Name)
		}
	}
	// Pinned values: changing the hash reshuffles every fleet in production.
	for name, want := range map[string]int{"a": 0, "tenant_0001": 1, "postgres://h/db1": 3} {
		n := map[string]int{"a": 2, "tenant_0001": 8, "postgres://h/db1": 5}[name]
		if got := ShardOf(name, n); got != want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", name, n, got, want)
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, s := range []string{"0/1", "1/2", " 3/4 "} {
		if _, _, err := ParseShard(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "1", "2/2", "-1/2", "0/0", "a/b", "1/2/3"} {
		if _, _, err := ParseShard(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}
