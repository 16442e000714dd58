package strata

import "testing"

func TestDataOnly(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"INSERT INTO a VALUES (1)", true},
		{"insert into a values (1)", true},
		{"UPDATE a SET x = 1", true},
		{"DELETE FROM a", true},
		{"REPLACE INTO a VALUES (1)", true},
		{"SET FOREIGN_KEY_CHECKS=0", true},
		{"LOCK TABLES a WRITE", true},
		{"COMMIT", true},
		{"CREATE TABLE a (id int)", false},
		{"ALTER TABLE a ADD x int", false},
		{"SELECT create_partitions()", false},
		{"WITH x AS (SELECT 1) INSERT INTO a SELECT * FROM x", false},
		{"/*!40000 ALTER TABLE a DISABLE KEYS */", false},
		{"INSERTX INTO a", false},
		{"DO $$ BEGIN END $$", false},
	} {
		if got := dataOnly(c.text); got != c.want {
			t.Errorf("dataOnly(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
