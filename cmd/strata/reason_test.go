package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestReasonPlaceholderRefused: the hints' --reason is a placeholder;
// pasting a hint unchanged, or giving any other placeholder, is refused
// with exit 2 and changes nothing, on resolve, down and baseline.
func TestReasonPlaceholderRefused(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_a.sql", "CREATE TABLE reason_a (id int);\n")
		f.write("0001_a.down.sql", "DROP TABLE reason_a;\n")
		f.write("0002_b.sql", "CREATE TABLE reason_b (id int);\n")
		f.write("0002_b.down.sql", "DROP TABLE reason_b;\n")
		want(t, f.run(db.URL, "up"), 0)
		f.write("0001_a.sql", "-- a comment\nCREATE TABLE reason_a (id int);\n")

		// The hint, pasted as printed.
		r := f.run(db.URL, "status")
		hint := regexp.MustCompile(`(?m)strata (resolve 1 --accept-edit --reason .*)$`).FindStringSubmatch(r.stdout + r.stderr)
		if hint == nil {
			t.Fatalf("status shows no resolve hint at the end of a line:\n%s", r)
		}
		words, err := shellWords(hint[1])
		if err != nil {
			t.Fatal(err)
		}
		r = f.run(db.URL, words...)
		want(t, r, 2, "the reason is a placeholder")

		for _, reason := range []string{"...", "'...'", "…", "<why>", "  <what you checked>  ", "TODO", "-", ""} {
			r := f.run(db.URL, "resolve", "1", "--accept-edit", "--reason", reason)
			want(t, r, 2, "reason")
		}
		if st := f.status(db.URL); st.state("1") != "edited" {
			t.Fatalf("a refused resolve changed the history: 0001 is %s", st.state("1"))
		}
		if h := f.run(db.URL, "history", "1", "--json"); h.code != 0 || strings.Contains(h.stdout, "accept") {
			t.Errorf("a refused resolve left an audit entry:\n%s", h)
		}

		r = f.run(db.URL, "resolve", "1", "--accept-edit", "--reason", "added a comment, checked the diff")
		want(t, r, 0)
		if st := f.status(db.URL); st.state("1") != "applied" {
			t.Fatalf("resolve with a real reason: 0001 is %s", st.state("1"))
		}

		// down and baseline take an optional reason: a placeholder is
		// refused before anything runs.
		r = f.run(db.URL, "down", "--reason", "...")
		want(t, r, 2, "the reason is a placeholder")
		if st := f.status(db.URL); st.state("2") != "applied" {
			t.Fatalf("a refused down rolled back 0002: %s", st.state("2"))
		}
		r = f.run(db.URL, "baseline", "2", "--force", "--reason", "<why>")
		want(t, r, 2, "the reason is a placeholder")
		want(t, f.run(db.URL, "down", "--reason", "rolling back the test table"), 0)
		if st := f.status(db.URL); st.state("2") != "pending" {
			t.Fatalf("down with a real reason: 0002 is %s", st.state("2"))
		}
	})
}
