package importer

import "testing"

func TestFlywayDescription(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ script, want string }{
		{"V3__more_tables.sql", "more tables"},
		{"sub/dir/U1.2__add_users.sql", "add users"},
		{"V1__x.sql", "x"},
	} {
		if got := flywayDescription(c.script); got != c.want {
			t.Errorf("flywayDescription(%q) = %q, want %q", c.script, got, c.want)
		}
	}
}

func TestLiquibaseKey(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		key, id, author, file string
		ok                    bool
	}{
		{"4::carol::changelog.sql", "4", "carol", "changelog.sql", true},
		{"a::b::db/changelog/x.sql", "a", "b", "db/changelog/x.sql", true},
		{"4::carol", "", "", "", false},
	} {
		id, author, file, ok := liquibaseKey(c.key)
		if id != c.id || author != c.author || file != c.file || ok != c.ok {
			t.Errorf("liquibaseKey(%q) = %q %q %q %v", c.key, id, author, file, ok)
		}
	}
}

func TestKeepWriterNeedsFile(t *testing.T) {
	t.Parallel()
	w := &KeepWriter{tool: Flyway}
	if _, err := w.file("3"); err == nil || !err.(*KeepFileError).NoFolder {
		t.Fatalf("no folder: %v", err)
	}
	w.UseFolder(&Conversion{Files: []File{{Version: "0030", ToolVersion: "3"}}})
	if f, err := w.file("30"); err != nil || f.ToolVersion != "3" {
		t.Fatalf("version 30: %v %v", f, err)
	}
	if _, err := w.file("40"); err == nil || err.(*KeepFileError).NoFolder {
		t.Fatalf("version 40: %v", err)
	}
}
