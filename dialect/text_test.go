package dialect

import (
	"strings"
	"testing"
)

func TestContainsFold(t *testing.T) {
	big := strings.Repeat("insert into s values ('sss', 'Set'); ", 50000)
	for _, tc := range []struct {
		s, sub string
		want   bool
	}{
		{"select set_config('a', 'b', false)", "SET_CONFIG", true},
		{"SELECT SET_CONFIG('a')", "SET_CONFIG", true},
		{"select Set_Config('a')", "SET_CONFIG", true},
		{"select set_confi", "SET_CONFIG", false},
		{"", "SET", false},
		{"abc", "", true},
		{"sssset role x", "SET ROLE", true},
		{big, "SET_CONFIG", false},
		{big + "set_config", "SET_CONFIG", true},
		{"set_config" + big, "SET_CONFIG", true},
		{strings.Repeat("S", 100000), "SET_CONFIG", false},
		{strings.Repeat("s", 100000) + "Set_config", "SET_CONFIG", true},
		{"xSET_CONFIG", "SET_CONFIG", true},
		{"SET_CONFI", "SET_CONFIG", false},
	} {
		if got := ContainsFold(tc.s, tc.sub); got != tc.want {
			t.Errorf("ContainsFold(%.40q, %q) = %v, want %v", tc.s, tc.sub, got, tc.want)
		}
	}
}

func BenchmarkContainsFold(b *testing.B) {
	s := strings.Repeat("INSERT INTO d VALUES (1, 'name-1', 'the quick brown fox jumps over the lazy dog 1'), ", 10000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if ContainsFold(s, "SET_CONFIG") {
			b.Fatal("found")
		}
	}
}
