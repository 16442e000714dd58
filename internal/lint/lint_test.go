package lint

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

const (
	pg = sqlsplit.Postgres
	my = sqlsplit.MySQL
	sl = sqlsplit.SQLite
)

// ruleCase is one file and whether a rule fires on it, in a dialect.
type ruleCase struct {
	d    sqlsplit.Dialect
	sql  string
	fire bool
}

func pos(d sqlsplit.Dialect, sql string) ruleCase { return ruleCase{d, sql, true} }
func neg(d sqlsplit.Dialect, sql string) ruleCase { return ruleCase{d, sql, false} }

// every returns the case for each dialect.
func every(fire bool, sql string) []ruleCase {
	return []ruleCase{{pg, sql, fire}, {my, sql, fire}, {sl, sql, fire}}
}

var ruleCases = map[string][]ruleCase{
	"drop-table": append(every(true, "DROP TABLE users;"),
		append(every(false, "CREATE TABLE scratch (id int);\nDROP TABLE scratch;"),
			pos(pg, "DROP TABLE IF EXISTS audit, users CASCADE"), neg(pg, "SELECT 'DROP TABLE users'"))...),
	"drop-column": {
		pos(pg, "ALTER TABLE users DROP COLUMN email"), pos(pg, "ALTER TABLE users ADD COLUMN x int, DROP email"),
		neg(pg, "ALTER TABLE users DROP CONSTRAINT users_email_key"),
		pos(my, "ALTER TABLE users DROP email"), neg(my, "ALTER TABLE users DROP INDEX email, DROP FOREIGN KEY fk"),
		pos(sl, "ALTER TABLE users DROP COLUMN email"), neg(sl, "ALTER TABLE users ADD COLUMN email text"),
	},
	"drop-schema": {
		pos(pg, "DROP SCHEMA app CASCADE"), neg(pg, "CREATE SCHEMA app"),
		pos(my, "DROP DATABASE IF EXISTS app"), neg(my, "CREATE DATABASE app"),
	},
	"drop-view": append(every(true, "DROP VIEW active_users"), append(every(false, "CREATE VIEW active_users AS SELECT 1"),
		pos(pg, "DROP MATERIALIZED VIEW IF EXISTS stats"))...),
	"drop-index": {
		pos(pg, "DROP INDEX users_email_idx"), pos(pg, "DROP INDEX CONCURRENTLY users_email_idx"),
		neg(pg, "CREATE TABLE t (x int);\nCREATE INDEX t_x ON t (x);\nDROP INDEX t_x;"),
		pos(my, "DROP INDEX users_email_idx ON users"), neg(my, "ALTER TABLE users ADD INDEX email_idx (email)"),
		pos(sl, "DROP INDEX IF EXISTS users_email_idx"), neg(sl, "CREATE INDEX users_email_idx ON users (email)"),
	},
	"truncate": append(every(true, "TRUNCATE TABLE users"), append(every(false, "DELETE FROM users WHERE id = 1"),
		pos(pg, "truncate users, orders"))...),
	"delete-without-where": append(every(true, "DELETE FROM users"), append(every(false, "DELETE FROM users WHERE id IN (SELECT id FROM old_users)"),
		pos(pg, "DELETE FROM users USING (SELECT 1 WHERE true) x"), pos(my, "delete from users -- where id = 1"),
		pos(my, "DELETE FROM users /* WHERE id = 1 */ LIMIT 10"))...),
	"update-without-where": append(every(true, "UPDATE users SET note = 'WHERE'"), append(every(false, "UPDATE users SET active = 1 WHERE id = 1"),
		pos(pg, `UPDATE "where" SET x = $$ WHERE $$`))...),

	"rename-table": {
		pos(pg, "ALTER TABLE users RENAME TO people"), neg(pg, "ALTER TABLE users RENAME CONSTRAINT a TO b"),
		pos(my, "RENAME TABLE users TO people"), pos(my, "ALTER TABLE users RENAME people"), neg(my, "ALTER TABLE users RENAME INDEX a TO b"),
		pos(sl, "ALTER TABLE users RENAME TO people"), neg(sl, "CREATE TABLE t (x int);\nALTER TABLE t RENAME TO u;"),
	},
	"rename-column": {
		pos(pg, "ALTER TABLE users RENAME COLUMN name TO full_name"), pos(pg, "ALTER TABLE users RENAME name TO full_name"),
		neg(pg, "ALTER TABLE users RENAME TO people"),
		pos(my, "ALTER TABLE users CHANGE name full_name varchar(100)"), pos(my, "ALTER TABLE users RENAME COLUMN name TO full_name"),
		neg(my, "ALTER TABLE users CHANGE COLUMN name name varchar(200)"),
		pos(sl, "ALTER TABLE users RENAME COLUMN name TO full_name"), neg(sl, "CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;"),
	},
	"change-column-type": {
		pos(pg, "ALTER TABLE users ALTER COLUMN age TYPE bigint"), pos(pg, "ALTER TABLE users ALTER age SET DATA TYPE bigint"),
		neg(pg, "ALTER TABLE users ALTER COLUMN age SET DEFAULT 0"),
		pos(my, "ALTER TABLE users MODIFY age bigint"), pos(my, "ALTER TABLE users CHANGE age age bigint"),
		neg(my, "ALTER TABLE users ALTER COLUMN age SET DEFAULT 0"),
	},
	"add-column-not-null": append(every(true, "ALTER TABLE users ADD COLUMN age int NOT NULL"),
		append(every(false, "ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0"),
			neg(pg, "ALTER TABLE users ADD COLUMN id2 bigserial NOT NULL"),
			neg(pg, "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;"),
			neg(my, "ALTER TABLE users ADD COLUMN total int AS (a + b) NOT NULL"))...),
	"set-not-null": {
		pos(pg, "ALTER TABLE users ALTER COLUMN email SET NOT NULL"), neg(pg, "ALTER TABLE users ALTER COLUMN email DROP NOT NULL"),
	},

	"index-concurrently": {
		pos(pg, "CREATE INDEX users_email ON users (email)"), pos(pg, "CREATE UNIQUE INDEX ON public.users (email)"),
		neg(pg, "CREATE INDEX CONCURRENTLY users_email ON users (email)"),
		neg(pg, "CREATE TABLE users (email text);\nCREATE INDEX users_email ON users (email);"),
	},
	"constraint-not-valid": {
		pos(pg, "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)"),
		pos(pg, "ALTER TABLE orders ADD CHECK (total >= 0)"),
		neg(pg, "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID"),
		neg(pg, "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk"),
	},
	"table-rewrite": {
		pos(pg, "ALTER TABLE users ALTER COLUMN age TYPE bigint"), pos(pg, "ALTER TABLE users ALTER COLUMN age TYPE text USING age::text"),
		neg(pg, "ALTER TABLE users ALTER COLUMN name TYPE text"),
	},
	"vacuum-full": {
		pos(pg, "VACUUM FULL users"), pos(pg, "VACUUM (FULL, ANALYZE) users"), neg(pg, "VACUUM ANALYZE users"),
	},
	"cluster": {pos(pg, "CLUSTER users USING users_pkey"), neg(pg, "ANALYZE users")},
	"lock-timeout": {
		pos(pg, "ALTER TABLE users ADD COLUMN x int"), pos(pg, "CREATE INDEX i ON users (x)"), pos(pg, "DROP TABLE users"),
		neg(pg, "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN x int;"),
		neg(pg, "-- strata:lock-timeout 5s\nALTER TABLE users ADD COLUMN x int;"),
		neg(pg, "CREATE TABLE t (x int);\nALTER TABLE t ADD COLUMN y int;\nCREATE INDEX t_y ON t (y);"),
		neg(pg, "CREATE INDEX CONCURRENTLY i ON users (x)"),
	},

	"must-run-alone": {
		pos(pg, "CREATE INDEX CONCURRENTLY i ON t (x);\nCREATE TABLE u (id int);"), pos(pg, "VACUUM users;\nUPDATE users SET x = 1 WHERE true;"),
		neg(pg, "SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY i ON t (x);"),
		pos(sl, "VACUUM;\nCREATE TABLE u (id int);"), neg(sl, "VACUUM"),
	},
	"transaction-control": {
		pos(pg, "BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;"), neg(pg, "CREATE FUNCTION f() RETURNS void AS $$ BEGIN END $$ LANGUAGE plpgsql"),
		pos(my, "START TRANSACTION;\nINSERT INTO t VALUES (1);\nCOMMIT;"),
		neg(my, "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.x = 1; END"),
		pos(sl, "BEGIN TRANSACTION;\nCREATE TABLE t (id int);\nROLLBACK;"),
		neg(sl, "CREATE TRIGGER trg AFTER INSERT ON t BEGIN UPDATE t SET x = 1 WHERE id = NEW.id; END"),
	},

	"create-if-not-exists": {
		pos(my, "CREATE TABLE t (id int)"), pos(my, "CREATE UNIQUE INDEX i ON t (x)"),
		neg(my, "CREATE TABLE IF NOT EXISTS t (id int)"), neg(my, "CREATE TEMPORARY TABLE t (id int)"),
	},
	"drop-if-exists": {
		pos(my, "DROP TABLE t"), pos(my, "ALTER TABLE t DROP COLUMN x"),
		neg(my, "DROP TABLE IF EXISTS t"), neg(my, "ALTER TABLE t DROP COLUMN IF EXISTS x"),
	},
	"add-column-if-not-exists": {
		pos(my, "ALTER TABLE t ADD COLUMN x int"), pos(my, "ALTER TABLE t ADD x int"),
		neg(my, "ALTER TABLE t ADD COLUMN IF NOT EXISTS x int"), neg(my, "ALTER TABLE t ADD INDEX (x)"),
	},

	"psql-meta-command": {pos(pg, "\\set x 1\nSELECT 1;"), neg(pg, "SELECT E'\\\\set';")},
	"switch-database": {
		pos(pg, "\\connect other\nSELECT 1;"), neg(pg, "SELECT 1"),
		pos(my, "USE other"), neg(my, "SELECT 'USE other'"),
	},
	"unscannable": append(every(true, "SELECT 'unterminated"), every(false, "SELECT 'terminated'")...),
}

func dialects() []sqlsplit.Dialect { return []sqlsplit.Dialect{pg, my, sl} }

// TestRules runs every rule's cases: the rule fires on the positive ones
// and not on the negative ones.
func TestRules(t *testing.T) {
	for id, cases := range ruleCases {
		for i, c := range cases {
			t.Run(fmt.Sprintf("%s/%s/%d", id, c.d, i), func(t *testing.T) {
				fs, err := Lint("0001_x.sql", c.sql, Options{Dialect: c.d})
				if err != nil {
					t.Fatal(err)
				}
				got := slices.ContainsFunc(fs, func(f Finding) bool { return f.Rule == id })
				if got != c.fire {
					t.Errorf("%s on %s:\n%s\nfired=%v, want %v; findings: %v", id, c.d, c.sql, got, c.fire, fs)
				}
			})
		}
	}
}

// TestRulesCovered checks that every rule has a positive and a negative
// case for every dialect it applies to, and that its positive cases do not
// fire in the dialects it does not apply to.
func TestRulesCovered(t *testing.T) {
	for _, r := range Rules() {
		cases, ok := ruleCases[r.ID]
		if !ok {
			t.Errorf("rule %s has no cases", r.ID)
			continue
		}
		for _, d := range dialects() {
			var p, n bool
			for _, c := range cases {
				if c.d == d {
					p, n = p || c.fire, n || !c.fire
				}
			}
			if r.applies(d) && (!p || !n) {
				t.Errorf("rule %s on %s: positive case %v, negative case %v; want both", r.ID, d, p, n)
			}
			if r.applies(d) {
				continue
			}
			for _, c := range cases {
				if !c.fire {
					continue
				}
				fs, _ := Lint("x.sql", c.sql, Options{Dialect: d})
				if slices.ContainsFunc(fs, func(f Finding) bool { return f.Rule == r.ID }) {
					t.Errorf("rule %s fired on %s, which it does not apply to: %s", r.ID, d, c.sql)
				}
			}
		}
		if r.Risk == "" || r.Fix == "" || r.Summary == "" {
			t.Errorf("rule %s needs a summary, a risk and a fix", r.ID)
		}
		if want := Warning; r.Category == Destructive || r.Category == BreaksDeploy {
			want = Error
			if r.Severity != want {
				t.Errorf("rule %s: severity %s, want %s for %s", r.ID, r.Severity, want, r.Category)
			}
		}
	}
}

func TestIgnoreAndSeverity(t *testing.T) {
	sql := "-- strata:lint-ignore drop-table the table was unused since 2.3\nDROP TABLE users;\nDROP TABLE orders;\n"
	fs, err := Lint("m.sql", sql, Options{Dialect: pg})
	if err != nil {
		t.Fatal(err)
	}
	var drops []Finding
	for _, f := range fs {
		if f.Rule == "drop-table" {
			drops = append(drops, f)
		}
	}
	if len(drops) != 1 || drops[0].Line != 3 || drops[0].File != "m.sql" || drops[0].Severity != Error {
		t.Fatalf("want one drop-table error at m.sql:3, got %v", drops)
	}
	if !strings.Contains(drops[0].Message, "orders") || !strings.Contains(drops[0].Message, "later release") {
		t.Errorf("message should name the table and the alternative: %s", drops[0].Message)
	}
	if !HasErrors(fs) {
		t.Error("HasErrors = false")
	}

	fs, err = Lint("m.sql", sql, Options{Dialect: pg, Severity: map[string]Severity{"drop-table": Warning, "lock-timeout": Off}})
	if err != nil {
		t.Fatal(err)
	}
	if HasErrors(fs) || len(fs) != 1 || fs[0].Severity != Warning {
		t.Errorf("with drop-table=warning, lock-timeout=off: want one warning, got %v", fs)
	}
	if _, err := New(Options{Dialect: pg, Severity: map[string]Severity{"no-such-rule": Off}}); err == nil || !strings.Contains(err.Error(), "drop-table") {
		t.Errorf("unknown rule: got %v, want an error listing the rules", err)
	}
}

// TestLineOfAction checks that an action of a multi-line ALTER TABLE is
// reported at its own line.
func TestLineOfAction(t *testing.T) {
	sql := "-- header\n\nALTER TABLE users\n  ADD COLUMN a int,\n  DROP COLUMN b;\n"
	fs, _ := Lint("m.sql", sql, Options{Dialect: sl})
	for _, f := range fs {
		if f.Rule == "drop-column" && f.Line != 5 {
			t.Errorf("drop-column at line %d, want 5", f.Line)
		}
	}
}

// TestSetAcrossFiles checks that a table created by an earlier file of the
// set is new for later files.
func TestSetAcrossFiles(t *testing.T) {
	l, err := New(Options{Dialect: pg})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.File("0001.sql", strings.NewReader("CREATE TABLE t (x int);")); err != nil {
		t.Fatal(err)
	}
	fs, _ := l.File("0002.sql", strings.NewReader("CREATE INDEX t_x ON t (x);\nALTER TABLE t ADD COLUMN y int NOT NULL;"))
	if len(fs) != 0 {
		t.Errorf("statements on a table created earlier in the set: want no findings, got %v", fs)
	}
}

// TestTokenize: PostgreSQL has no backtick quotes (the scanner sends `c` as
// punctuation and a word), so neither does lint.
func TestTokenize(t *testing.T) {
	toks := tokenize("select \"a\"\"b\", `c`, 'd''e', $q$ x $q$, E'\\'', x::int -- c\n/* a /* b */ c */ y", sqlsplit.Options{Dialect: pg})
	var got []string
	for _, tk := range toks {
		switch tk.kind {
		case word, ident:
			got = append(got, tk.val)
		case str:
			got = append(got, "<s>")
		default:
			got = append(got, tk.up)
		}
	}
	want := "select a\"b , ` c ` , <s> , <s> , <s> , x :: int y"
	if strings.Join(got, " ") != want {
		t.Errorf("tokens:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// TestPhaseAware: the rules about the release still running during the
// deploy are errors in a pre-deploy file, saying the change belongs in the
// post-deploy phase, and pass in a post-deploy file, by directive or by
// folder; rules about data loss stay.
func TestPhaseAware(t *testing.T) {
	t.Parallel()
	const body = "ALTER TABLE users DROP COLUMN name;\nALTER TABLE t RENAME COLUMN a TO b;\nDELETE FROM users;\n"
	tests := []struct {
		name string
		sql  string
		post bool
		want []string // rule ids, in order
	}{
		{"pre-deploy", body, false, []string{"drop-column", "rename-column", "delete-without-where"}},
		{"post-deploy by directive", "-- contract step\n-- strata:phase post-deploy\n" + body, false, []string{"delete-without-where"}},
		{"post-deploy by folder", body, true, []string{"delete-without-where"}},
		{"pre-deploy directive", "-- strata:phase pre-deploy\n" + body, false, []string{"drop-column", "rename-column", "delete-without-where"}},
		{"directive after the first statement is a comment", "SELECT 1;\n-- strata:phase post-deploy\n" + body, false, []string{"drop-column", "rename-column", "delete-without-where"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := New(Options{Dialect: sqlsplit.Postgres, LockTimeout: true})
			if err != nil {
				t.Fatal(err)
			}
			fs, err := l.FileIn("m.sql", strings.NewReader(tt.sql), tt.post)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Rule)
				if f.Rule == "drop-column" && !strings.Contains(f.Message, "belongs in the post-deploy phase") {
					t.Errorf("drop-column message does not name the phase: %s", f.Message)
				}
				if f.Rule == "delete-without-where" && strings.Contains(f.Message, "post-deploy") {
					t.Errorf("delete-without-where names a phase: %s", f.Message)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("rules %v, want %v", got, tt.want)
			}
		})
	}
}
