package mysql

import "testing"

// TestUndigest gives a digest's elided value lists placeholders that
// prepare, and leaves out a digest whose call arguments were elided.
func TestUndigest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, out string
		ok      bool
	}{
		{"INSERT INTO `users` ( ID , NAME , `email` ) VALUES (...)", "INSERT INTO `users` ( ID , NAME , `email` ) VALUES (?, ?, ?)", true},
		{"INSERT INTO `t` ( `a` , `b` ) VALUES (...) /* , ... */", "INSERT INTO `t` ( `a` , `b` ) VALUES (?, ?)", true},
		{"SELECT `id` FROM `users` WHERE `id` IN (...)", "SELECT `id` FROM `users` WHERE `id` IN (?)", true},
		{"SELECT `id` FROM `users` WHERE `id` = ?", "SELECT `id` FROM `users` WHERE `id` = ?", true},
		{"SELECT `add_tax` (...)", "", false},
	}
	for _, c := range cases {
		got, ok := undigest(c.in)
		if ok != c.ok || ok && got != c.out {
			t.Errorf("undigest(%q) = %q, %v; want %q, %v", c.in, got, ok, c.out, c.ok)
		}
	}
}
