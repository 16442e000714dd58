package dialect

import "strings"

// ContainsFold reports whether s contains sub, ignoring ASCII case, without
// copying s: the statement may be a multi-megabyte INSERT. sub must be
// ASCII and start with a letter.
func ContainsFold(s, sub string) bool { return IndexFold(s, sub) >= 0 }

// IndexFold returns the index of the first sub in s, ignoring ASCII case,
// or -1. sub must be ASCII and start with a letter.
func IndexFold(s, sub string) int {
	if sub == "" {
		return 0
	}
	last := len(s) - len(sub) // the last index sub can start at
	lo, up := sub[0]|0x20, sub[0]&^0x20
	// next[k] is the next index at or after i of lo (k=0) or up (k=1),
	// -1 when there is none: each is searched for again only once passed.
	next := [2]int{}
	for k, c := range [2]byte{lo, up} {
		next[k] = strings.IndexByte(s, c)
	}
	for {
		i := next[0]
		if i < 0 || (next[1] >= 0 && next[1] < i) {
			i = next[1]
		}
		if i < 0 || i > last {
			return -1
		}
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
		for k, c := range [2]byte{lo, up} {
			if next[k] == i {
				if j := strings.IndexByte(s[i+1:], c); j >= 0 {
					next[k] = i + 1 + j
				} else {
					next[k] = -1
				}
			}
		}
	}
}

// Head returns at most the first n bytes of stmt, for keyword checks that
// only need a statement's start.
func Head(stmt string, n int) string {
	if len(stmt) > n {
		return stmt[:n]
	}
	return stmt
}
