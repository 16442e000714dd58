package fleet

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard returns the targets of shard i of n, in their order: those whose
// name hashes (FNV-1a, 64 bits) to i modulo n. A target's shard depends on
// its name only, not on the list's order or the other targets, so n
// workers of a scheduler (a Kubernetes Indexed Job, an ECS service with n
// tasks) each given their index share a fleet with no coordinator, and
// together cover every target exactly once.
func Shard(targets []Target, i, n int) []Target {
	if n <= 1 {
		return targets
	}
	var out []Target
	for _, t := range targets {
		if ShardOf(t.Name, n) == i {
			out = append(out, t)
		}
	}
	return out
}

// ShardOf returns the shard (0 to n-1) of the target named name.
func ShardOf(name string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int(h.Sum64() % uint64(n))
}

// ParseShard parses "I/N" (shard I of N, 0 <= I < N).
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("shard %q: want I/N with 0 <= I < N, such as 0/4 (a Kubernetes Indexed Job passes $JOB_COMPLETION_INDEX as I)", s)
	}
	return i, n, nil
}
