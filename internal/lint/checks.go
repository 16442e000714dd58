package lint

import (
	"fmt"
	"slices"

	"github.com/strata-db/strata/dialect"
)

// check runs the statement-level rules on s.
func check(f *fileState, s *stmt) {
	if dialect.IsTransactionControl(s.text) {
		f.report("transaction-control", 0, s.toks[0].up+" inside a migration file")
		return
	}
	switch s.w(0) {
	case "ALTER":
		switch {
		case s.is(1, "TABLE"):
			alterTable(f, s)
		case s.is(1, "SYSTEM"):
			f.mustRunAlone("ALTER SYSTEM")
		}
	case "CREATE":
		create(f, s)
	case "DROP":
		drop(f, s)
	case "TRUNCATE":
		i := 1
		if s.is(i, "TABLE") {
			i++
		}
		if s.is(i, "ONLY") {
			i++
		}
		t, _ := s.name(i)
		if !f.l.created[t] {
			f.report("truncate", 0, "TRUNCATE "+t)
			f.strong(0, "TRUNCATE "+t)
		}
	case "DELETE", "UPDATE":
		if s.topLevel(1, len(s.toks), "WHERE") < 0 {
			f.report(map[string]string{"DELETE": "delete-without-where", "UPDATE": "update-without-where"}[s.w(0)], 0, s.w(0)+" without WHERE")
		}
	case "VACUUM":
		if s.has(1, min(len(s.toks), 4), "FULL") {
			f.report("vacuum-full", 0, "VACUUM FULL")
			f.strong(0, "VACUUM FULL")
		}
		f.mustRunAlone("VACUUM")
	case "CLUSTER":
		f.report("cluster", 0, "CLUSTER")
		f.strong(0, "CLUSTER")
	case "REINDEX":
		if s.has(1, len(s.toks), "CONCURRENTLY") {
			f.mustRunAlone("REINDEX CONCURRENTLY")
		} else {
			f.strong(0, "REINDEX")
		}
	case "LOCK":
		if !s.is(1, "TABLES") {
			f.strong(0, "LOCK TABLE")
		}
	case "RENAME":
		if s.is(1, "TABLE") {
			f.report("rename-table", 0, "RENAME TABLE")
		}
	case "USE":
		f.report("switch-database", 0, "USE switches to another database")
	case "SET":
		i := 1
		if s.is(i, "LOCAL") || s.is(i, "SESSION") {
			i++
		}
		if s.is(i, "LOCK_TIMEOUT") || s.is(i, "LOCK_WAIT_TIMEOUT") {
			f.lockTimeout = true
		}
	}
}

// mustRunAlone notes a statement that cannot run in a transaction; it is
// reported at the end of the file if the file has other statements.
func (f *fileState) mustRunAlone(what string) {
	f.alone = append(f.alone, aloneStmt{line: f.cur.line, what: what, ignore: f.ignore["must-run-alone"], first: firstLine(f.cur.text)})
}

// strong notes a statement taking a strong lock on an existing table, for
// the lock-timeout rule.
func (f *fileState) strong(i int, what string) {
	if f.ignore["lock-timeout"] || f.strongLockAt > 0 {
		return
	}
	f.strongLockAt, f.strongLock = f.cur.lineAt(i), what
}

// create handles CREATE TABLE, CREATE INDEX and the CREATE statements that
// must run alone.
func create(f *fileState, s *stmt) {
	i := 1
	if s.is(i, "OR", "REPLACE") {
		i += 2
	}
	for slices.Contains([]string{"GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED", "UNIQUE", "FULLTEXT", "SPATIAL"}, s.w(i)) {
		i++
	}
	switch s.w(i) {
	case "TABLE":
		j, guarded := s.skipIf(i + 1)
		t, _ := s.name(j)
		f.l.created[t] = true
		if !guarded && !s.has(1, i, "TEMPORARY") {
			f.report("create-if-not-exists", 0, "CREATE TABLE "+t+" without IF NOT EXISTS")
		}
	case "INDEX":
		j := i + 1
		conc := s.is(j, "CONCURRENTLY")
		if conc {
			j++
		}
		j, guarded := s.skipIf(j)
		idx := ""
		if !s.is(j, "ON") {
			idx, j = s.name(j)
		}
		if !s.is(j, "ON") {
			return
		}
		j++
		if s.is(j, "ONLY") {
			j++
		}
		t, _ := s.name(j)
		if idx != "" {
			f.l.created["index:"+idx] = f.l.created[t]
		}
		if !guarded {
			f.report("create-if-not-exists", 0, "CREATE INDEX without IF NOT EXISTS")
		}
		switch {
		case conc:
			f.mustRunAlone("CREATE INDEX CONCURRENTLY")
		case !f.l.created[t]:
			f.report("index-concurrently", 0, "CREATE INDEX on existing table "+t+" without CONCURRENTLY")
			f.strong(0, "CREATE INDEX on "+t)
		}
	case "TRIGGER":
		if on := s.find(i, len(s.toks), "ON"); on >= 0 {
			if t, _ := s.name(on + 1); !f.l.created[t] {
				f.strong(0, "CREATE TRIGGER on "+t)
			}
		}
	case "DATABASE", "TABLESPACE", "SUBSCRIPTION":
		f.mustRunAlone("CREATE " + s.w(i))
	}
}

// drop handles DROP statements.
func drop(f *fileState, s *stmt) {
	i := 1
	obj := s.w(i)
	if obj == "MATERIALIZED" {
		i++
		obj = "VIEW"
	}
	i++
	conc := s.is(i, "CONCURRENTLY")
	if conc {
		i++
	}
	i, guarded := s.skipIf(i)
	if !guarded {
		f.report("drop-if-exists", 0, "DROP "+obj+" without IF EXISTS")
	}
	names := []string{}
	for _, r := range s.split(i, len(s.toks)) {
		n, _ := s.name(r[0])
		names = append(names, n)
	}
	name := ""
	if len(names) > 0 {
		name = names[0]
	}
	switch obj {
	case "TABLE":
		for _, n := range names {
			if !f.l.created[n] {
				f.report("drop-table", 0, "DROP TABLE "+n)
				f.strong(0, "DROP TABLE "+n)
				break
			}
		}
	case "VIEW":
		f.report("drop-view", 0, "DROP VIEW "+name)
	case "INDEX":
		if conc {
			f.mustRunAlone("DROP INDEX CONCURRENTLY")
		}
		if !f.l.created["index:"+name] {
			f.report("drop-index", 0, "DROP INDEX "+name)
			if !conc {
				f.strong(0, "DROP INDEX "+name)
			}
		}
	case "SCHEMA", "DATABASE":
		f.report("drop-schema", 0, "DROP "+obj+" "+name)
		if obj == "DATABASE" {
			f.mustRunAlone("DROP DATABASE")
		}
	case "TABLESPACE":
		f.mustRunAlone("DROP TABLESPACE")
	}
}

// notColumn lists the words after ADD or DROP in ALTER TABLE that name
// something other than a column.
var notColumn = []string{"CONSTRAINT", "FOREIGN", "CHECK", "UNIQUE", "PRIMARY", "INDEX", "KEY",
	"FULLTEXT", "SPATIAL", "EXCLUDE", "PARTITION", "DEFAULT", "EXPRESSION", "IDENTITY", "NOT", "PERIOD", "SYSTEM"}

// alterTable handles each action of ALTER TABLE.
func alterTable(f *fileState, s *stmt) {
	i, _ := s.skipIf(2)
	if s.is(i, "ONLY") {
		i++
	}
	t, i := s.name(i)
	if s.p(i, "*") {
		i++
	}
	isNew := f.l.created[t]
	onlyValidate := true
	for _, a := range s.split(i, len(s.toks)) {
		from, to := a[0], a[1]
		if !s.is(from, "VALIDATE") {
			onlyValidate = false
		}
		if isNew {
			if s.is(from, "RENAME") {
				if k := s.find(from, to, "TO"); k >= 0 && (s.is(from+1, "TO") || s.is(from+1, "AS")) {
					n, _ := s.name(k + 1)
					f.l.created[n] = true
				}
			}
			continue
		}
		action(f, s, t, from, to)
	}
	if !isNew && !onlyValidate {
		f.strong(0, "ALTER TABLE "+t)
	}
}

// action checks one action of ALTER TABLE t, tokens [from, to).
func action(f *fileState, s *stmt, t string, from, to int) {
	j := from + 1
	switch s.w(from) {
	case "ADD":
		if slices.Contains(notColumn, s.w(j)) && !s.is(j, "COLUMN") {
			if (s.has(j, to, "FOREIGN", "KEY") || s.has(j, to, "CHECK")) && !s.has(j, to, "NOT", "VALID") {
				f.report("constraint-not-valid", from, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT without NOT VALID", t))
			}
			return
		}
		if s.is(j, "COLUMN") {
			j++
		}
		j, guarded := s.skipIf(j)
		col, _ := s.name(j)
		if !guarded {
			f.report("add-column-if-not-exists", from, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s without IF NOT EXISTS", t, col))
		}
		if s.has(j, to, "NOT", "NULL") && !s.has(j, to, "DEFAULT") && !s.has(j, to, "GENERATED") &&
			!s.has(j, to, "AUTO_INCREMENT") && !s.has(j, to, "AS") && !slices.Contains([]string{"SERIAL", "BIGSERIAL", "SMALLSERIAL"}, s.w(j+1)) {
			f.report("add-column-not-null", from, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s NOT NULL without a DEFAULT", t, col))
		}
	case "DROP":
		if slices.Contains(notColumn, s.w(j)) && !s.is(j, "COLUMN") {
			return
		}
		if s.is(j, "COLUMN") {
			j++
		}
		j, guarded := s.skipIf(j)
		col, _ := s.name(j)
		if !guarded {
			f.report("drop-if-exists", from, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s without IF EXISTS", t, col))
		}
		f.report("drop-column", from, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", t, col))
	case "ALTER":
		if s.is(j, "COLUMN") {
			j++
		}
		col, j := s.name(j)
		switch {
		case s.is(j, "TYPE") || s.is(j, "SET", "DATA", "TYPE"):
			f.report("change-column-type", from, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE", t, col))
			k := j + 1
			if s.is(j, "SET") {
				k = j + 3
			}
			safe := slices.Contains([]string{"TEXT", "VARCHAR"}, s.w(k)) || s.is(k, "CHARACTER", "VARYING")
			if !safe || s.has(k, to, "USING") {
				f.report("table-rewrite", from, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE rewrites the table", t, col))
			}
		case s.is(j, "SET", "NOT", "NULL"):
			f.report("set-not-null", from, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", t, col))
		}
	case "RENAME":
		switch {
		case s.is(j, "COLUMN"):
			col, _ := s.name(j + 1)
			f.report("rename-column", from, fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s", t, col))
		case s.is(j, "CONSTRAINT"), s.is(j, "INDEX"), s.is(j, "KEY"):
		case s.is(j, "TO"), s.is(j, "AS"), !s.is(j+1, "TO"):
			f.report("rename-table", from, fmt.Sprintf("ALTER TABLE %s RENAME", t))
		default: // PostgreSQL: RENAME col TO new
			col, _ := s.name(j)
			f.report("rename-column", from, fmt.Sprintf("ALTER TABLE %s RENAME %s", t, col))
		}
	case "DETACH":
		if s.has(j, to, "CONCURRENTLY") {
			f.mustRunAlone("DETACH PARTITION CONCURRENTLY")
		}
	case "MODIFY":
		if s.is(j, "COLUMN") {
			j++
		}
		col, _ := s.name(j)
		f.report("change-column-type", from, fmt.Sprintf("ALTER TABLE %s MODIFY COLUMN %s redefines the column", t, col))
	case "CHANGE":
		if s.is(j, "COLUMN") {
			j++
		}
		old, j := s.name(j)
		col, _ := s.name(j)
		if old != col {
			f.report("rename-column", from, fmt.Sprintf("ALTER TABLE %s CHANGE COLUMN %s %s renames the column", t, old, col))
		}
		f.report("change-column-type", from, fmt.Sprintf("ALTER TABLE %s CHANGE COLUMN %s redefines the column", t, old))
	}
}
