package sqlsplit

import (
	"errors"
	"reflect"
	"testing"
)

// TestRules states the expected Texts of short inputs in code, one rule
// per row; the golden files cover the same ground with real-world input.
func TestRules(t *testing.T) {
	tests := []struct {
		name string
		d    Dialect
		src  string
		want []string
		err  string // expected *Error text, if any
	}{
		// the table in peer-study §11
		{"dollar tag body ends in $", Postgres, "SELECT $a$x$$a$; SELECT 2;", []string{"SELECT $a$x$$a$", "SELECT 2"}, ""},
		{"invalid utf-8 keeps every byte", Postgres, "SELECT 1; SELECT '\xff'; SELECT 2; SELECT 3;", []string{"SELECT 1", "SELECT '\xff'", "SELECT 2", "SELECT 3"}, ""},
		{"U+FFFD in a string", Postgres, "SELECT 'a\uFFFDb'; SELECT 2;", []string{"SELECT 'a\uFFFDb'", "SELECT 2"}, ""},
		{"backslash ends no comment", Postgres, "SELECT 1 -- note \\\n; SELECT 2;", []string{"SELECT 1", "SELECT 2"}, ""},
		{"E string escaped quote", Postgres, "SELECT E'it\\'s; x'; SELECT 2;", []string{"SELECT E'it\\'s; x'", "SELECT 2"}, ""},
		{"nested comment", Postgres, "SELECT 1 /* a /* b */ ; */; SELECT 2;", []string{"SELECT 1", "SELECT 2"}, ""},
		{"comment at eof with quote", Postgres, "SELECT 1; -- it's", []string{"SELECT 1"}, ""},
		{"plpgsql body", Postgres, "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;", []string{"CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql"}, ""},
		{"newline in string", Postgres, "INSERT INTO t VALUES ('a;\nb');", []string{"INSERT INTO t VALUES ('a;\nb')"}, ""},
		{"two on a line", Postgres, "SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}, ""},
		{"delimiter //", MySQL, "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //\nDELIMITER ;\n", []string{"CREATE PROCEDURE p() BEGIN SELECT 1; END"}, ""},
		{"procedure without delimiter", MySQL, "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END;", []string{"CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END"}, ""},
		// PostgreSQL
		{"E only as its own token", Postgres, "SELECT somenamE'a\\'; SELECT 2;", []string{"SELECT somenamE'a\\'", "SELECT 2"}, ""},
		{"$1 is a parameter", Postgres, "SELECT $1; SELECT $2$;", []string{"SELECT $1", "SELECT $2$"}, ""},
		{"begin atomic with case", Postgres, "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT 3;",
			[]string{"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END", "SELECT 3"}, ""},
		{"begin is a statement", Postgres, "BEGIN; SELECT 1; COMMIT;", []string{"BEGIN", "SELECT 1", "COMMIT"}, ""},
		{"meta-command", Postgres, "\\c db\nSELECT 1;", nil, "line 1:1: psql meta-command \\c is a psql client command, not SQL; strata sends SQL to the server: remove it (use --url to choose the database)"},
		{"unterminated dollar", Postgres, "SELECT 1;\n  SELECT $body$ x", []string{"SELECT 1"}, "line 2:10: unterminated dollar-quoted string $body$ opened here; close it with $body$"},
		// MySQL
		{"dash dash needs a space", MySQL, "SELECT 1--1; SELECT 2 -- c\n;", []string{"SELECT 1--1", "SELECT 2"}, ""},
		{"executable comment is code", MySQL, "/*!50001 SELECT 1; */; SELECT 2;", []string{"/*!50001 SELECT 1; */", "SELECT 2"}, ""},
		{"backslash escapes", MySQL, `SELECT 'a\';', "b\";"; SELECT 2;`, []string{`SELECT 'a\';', "b\";"`, "SELECT 2"}, ""},
		{"end if and end case", MySQL, "CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT CASE WHEN 1 THEN 2 END; END IF; CASE 1 WHEN 1 THEN SELECT 1; END CASE; END; SELECT 9;",
			[]string{"CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT CASE WHEN 1 THEN 2 END; END IF; CASE 1 WHEN 1 THEN SELECT 1; END CASE; END", "SELECT 9"}, ""},
		{"labels and loops", MySQL, "CREATE PROCEDURE p() l: BEGIN x: LOOP LEAVE x; END LOOP x; WHILE 0 DO SELECT 1; END WHILE; REPEAT SELECT 1; UNTIL 1 END REPEAT; END l; SELECT 9;",
			[]string{"CREATE PROCEDURE p() l: BEGIN x: LOOP LEAVE x; END LOOP x; WHILE 0 DO SELECT 1; END WHILE; REPEAT SELECT 1; UNTIL 1 END REPEAT; END l", "SELECT 9"}, ""},
		{"handler block", MySQL, "CREATE PROCEDURE p() BEGIN DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN SELECT 1; END; SELECT 2; END; SELECT 9;",
			[]string{"CREATE PROCEDURE p() BEGIN DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN SELECT 1; END; SELECT 2; END", "SELECT 9"}, ""},
		{"function without begin", MySQL, "CREATE FUNCTION f() RETURNS INT RETURN 1; SELECT f();", []string{"CREATE FUNCTION f() RETURNS INT RETURN 1", "SELECT f()"}, ""},
		{"begin not atomic", MySQL, "BEGIN NOT ATOMIC SELECT 1; END; BEGIN; BEGIN WORK; START TRANSACTION;",
			[]string{"BEGIN NOT ATOMIC SELECT 1; END", "BEGIN", "BEGIN WORK", "START TRANSACTION"}, ""},
		{"delimiter ;; and $$", MySQL, "delimiter ;;\nSELECT 1; SELECT 2;;\nDELIMITER $$\nSELECT 3$$\nDelimiter ;\nSELECT 4;",
			[]string{"SELECT 1; SELECT 2", "SELECT 3", "SELECT 4"}, ""},
		{"unterminated body", MySQL, "SELECT 0;\nCREATE PROCEDURE p() BEGIN SELECT 1;", []string{"SELECT 0"},
			"line 2:22: unterminated BEGIN ... END block opened here; close it with END, or wrap the routine in DELIMITER // ... // and DELIMITER ;"},
		// SQLite
		{"trigger body", SQLite, "CREATE TEMP TRIGGER t AFTER INSERT ON x BEGIN SELECT CASE WHEN 1 THEN 2 END; SELECT 3; END; BEGIN TRANSACTION;",
			[]string{"CREATE TEMP TRIGGER t AFTER INSERT ON x BEGIN SELECT CASE WHEN 1 THEN 2 END; SELECT 3; END", "BEGIN TRANSACTION"}, ""},
		{"brackets and backticks", SQLite, "SELECT [a;b], `c;d`, \"e;f\"; SELECT 2;", []string{"SELECT [a;b], `c;d`, \"e;f\"", "SELECT 2"}, ""},
		{"comments do not nest", SQLite, "/* a /* b */ SELECT 1;", []string{"SELECT 1"}, ""},
		{"only comments", SQLite, "-- a\n/* b */\n;;\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.d.String()+"/"+tt.name, func(t *testing.T) {
			sts, err := Split(tt.src, Options{Dialect: tt.d})
			var got []string
			for _, st := range sts {
				got = append(got, st.Text)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Texts\n got %q\nwant %q", got, tt.want)
			}
			var serr *Error
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.err != "" && (!errors.As(err, &serr) || err.Error() != tt.err):
				t.Errorf("error\n got %v\nwant %s", err, tt.err)
			}
		})
	}
}
