package lint

import (
	"slices"

	"github.com/strata-db/strata/sqlsplit"
)

// The rule categories.
const (
	Destructive  = "destructive"   // loses data
	BreaksDeploy = "breaks-deploy" // breaks the application version still running during a deploy
	Locks        = "locks"         // takes locks that stall traffic (PostgreSQL)
	Transactions = "transactions"  // fights strata's transaction per file
	Rerun        = "rerun"         // cannot be run again after a half-way failure (MySQL/MariaDB)
	Hygiene      = "hygiene"       // not SQL, or switches database
)

// Rule is one check.
type Rule struct {
	ID       string
	Category string
	// Severity is the default severity.
	Severity Severity
	// Dialects lists the databases the rule applies to; nil means all.
	Dialects []sqlsplit.Dialect
	// Summary says what the rule finds, for the rules table.
	Summary string
	// Risk says what can go wrong, and Fix the safe alternative; a
	// finding's message is "what was found: Risk; Fix".
	Risk, Fix string
	// Contract is set for the rules about the release still running
	// during the deploy: changes that belong in the post-deploy phase
	// (docs/phases.md). They pass in post-deploy files, and in
	// pre-deploy files their message says which phase the change
	// belongs in.
	Contract bool
}

func (r *Rule) applies(d sqlsplit.Dialect) bool {
	return r.Dialects == nil || slices.Contains(r.Dialects, d)
}

var (
	pgOnly    = []sqlsplit.Dialect{sqlsplit.Postgres}
	mysqlOnly = []sqlsplit.Dialect{sqlsplit.MySQL}
	notSQLite = []sqlsplit.Dialect{sqlsplit.Postgres, sqlsplit.MySQL}
	pgSQLite  = []sqlsplit.Dialect{sqlsplit.Postgres, sqlsplit.SQLite}
)

const ignoreHint = " (once that is done, silence it with -- strata:lint-ignore RULE reason on the line before)"

// rules is the rule table, in the order the documentation lists them.
func rules() []Rule {
	return []Rule{
		{ID: "drop-table", Contract: true, Category: Destructive, Severity: Error, Summary: "DROP TABLE",
			Risk: "the table and its data are gone for good, and the application version still running during the deploy fails on it",
			Fix:  "stop reading and writing it in one release, back it up, and drop it in a later release" + ignoreHint},
		{ID: "drop-column", Contract: true, Category: Destructive, Severity: Error, Summary: "ALTER TABLE ... DROP COLUMN",
			Risk: "the column's data is gone, and the application version still running during the deploy fails when it reads or writes the column",
			Fix:  "stop using the column in one release (and ignore it in the ORM), then drop it in a later release" + ignoreHint},
		{ID: "drop-schema", Category: Destructive, Severity: Error, Dialects: notSQLite, Summary: "DROP SCHEMA or DROP DATABASE",
			Risk: "every object in it and their data are gone for good",
			Fix:  "drop what you mean to drop one object at a time, after a backup" + ignoreHint},
		{ID: "drop-view", Contract: true, Category: Destructive, Severity: Error, Summary: "DROP VIEW or DROP MATERIALIZED VIEW",
			Risk: "queries of the application version still running during the deploy fail on the missing view",
			Fix:  "replace it in place with CREATE OR REPLACE VIEW, or drop it a release after the code stopped using it" + ignoreHint},
		{ID: "drop-index", Category: Destructive, Severity: Error, Summary: "DROP INDEX",
			Risk: "queries that used the index turn into full scans, which can take the database down under load",
			Fix:  "check that no query plan uses it (pg_stat_user_indexes.idx_scan, sys.schema_unused_indexes) before dropping it" + ignoreHint},
		{ID: "truncate", Category: Destructive, Severity: Error, Summary: "TRUNCATE",
			Risk: "every row of the table is deleted",
			Fix:  "delete the rows you mean with DELETE ... WHERE, or silence this if emptying the table is the point" + ignoreHint},
		{ID: "delete-without-where", Category: Destructive, Severity: Error, Summary: "DELETE without WHERE",
			Risk: "every row of the table is deleted",
			Fix:  "add a WHERE clause that selects the rows you mean (WHERE true if it really is all of them)"},
		{ID: "update-without-where", Category: Destructive, Severity: Error, Summary: "UPDATE without WHERE",
			Risk: "every row of the table is overwritten",
			Fix:  "add a WHERE clause that selects the rows you mean (WHERE true if it really is all of them); on a big table, update in batches"},

		{ID: "rename-table", Contract: true, Category: BreaksDeploy, Severity: Error, Summary: "renaming a table (ALTER TABLE ... RENAME TO, RENAME TABLE)",
			Risk: "the application version still running during the deploy uses the old name and fails",
			Fix:  "create the new table (or a view with the new name), write to both, move the readers, and drop the old one in a later release"},
		{ID: "rename-column", Contract: true, Category: BreaksDeploy, Severity: Error, Summary: "renaming a column (RENAME COLUMN, MySQL CHANGE old new)",
			Risk: "the application version still running during the deploy uses the old name and fails",
			Fix:  "add the new column, write to both, backfill, move the readers, and drop the old column in a later release"},
		{ID: "change-column-type", Contract: true, Category: BreaksDeploy, Severity: Error, Dialects: notSQLite, Summary: "changing a column's type (ALTER COLUMN ... TYPE, MySQL MODIFY/CHANGE)",
			Risk: "the application version still running during the deploy may write values the new type rejects or read values it does not expect",
			Fix:  "add a column of the new type, write to both, backfill, switch readers, then drop the old column"},
		{ID: "add-column-not-null", Category: BreaksDeploy, Severity: Error, Summary: "ADD COLUMN ... NOT NULL without a DEFAULT",
			Risk: "it fails on a table with rows, and inserts by the application version still running during the deploy, which does not set the column, fail",
			Fix:  "add the column with a DEFAULT, or add it nullable, backfill, and set NOT NULL in a later release"},
		{ID: "set-not-null", Contract: true, Category: BreaksDeploy, Severity: Error, Dialects: pgOnly, Summary: "ALTER COLUMN ... SET NOT NULL on an existing column",
			Risk: "inserts by the application version still running during the deploy that leave the column empty fail, and the check scans the whole table under an ACCESS EXCLUSIVE lock",
			Fix:  "deploy code that always sets the column first; then ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, and SET NOT NULL (which then skips the scan)"},

		{ID: "index-concurrently", Category: Locks, Severity: Warning, Dialects: pgOnly, Summary: "CREATE INDEX on an existing table without CONCURRENTLY",
			Risk: "it blocks every write to the table until the index is built",
			Fix:  "use CREATE INDEX CONCURRENTLY, alone in its own file (strata runs it outside a transaction)"},
		{ID: "constraint-not-valid", Category: Locks, Severity: Warning, Dialects: pgOnly, Summary: "ADD CONSTRAINT ... FOREIGN KEY or CHECK without NOT VALID",
			Risk: "it checks every existing row while holding a lock that blocks writes (for a foreign key, on both tables)",
			Fix:  "add it with NOT VALID, then run ALTER TABLE ... VALIDATE CONSTRAINT in a later statement or file, which does not block writes"},
		{ID: "table-rewrite", Category: Locks, Severity: Warning, Dialects: pgOnly, Summary: "a column type change that rewrites the table",
			Risk: "PostgreSQL rewrites the whole table and its indexes under an ACCESS EXCLUSIVE lock: no reads or writes until it is done",
			Fix:  "add a new column, backfill it in batches, and swap; only changes such as varchar(n) to text or a longer varchar avoid the rewrite"},
		{ID: "vacuum-full", Category: Locks, Severity: Warning, Dialects: pgOnly, Summary: "VACUUM FULL",
			Risk: "it rewrites the table under an ACCESS EXCLUSIVE lock: no reads or writes until it is done",
			Fix:  "use plain VACUUM, or pg_repack to reclaim space without the long lock"},
		{ID: "cluster", Category: Locks, Severity: Warning, Dialects: pgOnly, Summary: "CLUSTER",
			Risk: "it rewrites the table under an ACCESS EXCLUSIVE lock: no reads or writes until it is done",
			Fix:  "use pg_repack --order-by, or run it in a maintenance window outside migrations"},
		{ID: "lock-timeout", Category: Locks, Severity: Warning, Dialects: pgOnly, Summary: "a file taking strong locks on existing tables without a lock timeout",
			Risk: "while it waits for its lock behind a long query, every other query on the table queues behind it",
			Fix:  "add -- strata:lock-timeout 5s at the top of the file (or SET lock_timeout, or run with --lock-timeout-ddl) and --retries so a timed-out file is tried again"},

		{ID: "must-run-alone", Category: Transactions, Severity: Warning, Dialects: pgSQLite, Summary: "CONCURRENTLY, VACUUM or another statement that cannot run in a transaction, in a file with other statements",
			Risk: "the whole file then runs without a transaction, so a failure half-way leaves the earlier statements applied",
			Fix:  "put that statement alone in its own file"},
		{ID: "transaction-control", Category: Transactions, Severity: Warning, Summary: "BEGIN, COMMIT or ROLLBACK in a file",
			Risk: "it ends the transaction strata runs the file in, so the history row and the file's changes can disagree after a failure",
			Fix:  "remove it: strata runs each file in a transaction where the database allows; use -- strata:no-transaction for a file that must not run in one"},

		{ID: "create-if-not-exists", Category: Rerun, Severity: Warning, Dialects: mysqlOnly, Summary: "CREATE TABLE or CREATE INDEX without IF NOT EXISTS",
			Risk: "MySQL commits DDL at once, so after a failure later in the file the object already exists; strata up --resume skips it (it continues after the last statement that completed), but running the file again from its start (strata resolve --rolled-back, then strata up) fails here",
			Fix:  "write CREATE TABLE IF NOT EXISTS (and CREATE INDEX IF NOT EXISTS on MariaDB), or put each DDL statement in its own file"},
		{ID: "drop-if-exists", Category: Rerun, Severity: Warning, Dialects: mysqlOnly, Summary: "DROP without IF EXISTS",
			Risk: "MySQL commits DDL at once, so after a failure later in the file, running the file again fails here",
			Fix:  "write DROP ... IF EXISTS, or put each DDL statement in its own file"},
		{ID: "add-column-if-not-exists", Category: Rerun, Severity: Warning, Dialects: mysqlOnly, Summary: "ADD COLUMN without a guard",
			Risk: "MySQL commits DDL at once, so after a failure later in the file, running the file again fails here",
			Fix:  "write ADD COLUMN IF NOT EXISTS (MariaDB), or put each DDL statement in its own file"},

		{ID: "psql-meta-command", Category: Hygiene, Severity: Error, Dialects: pgOnly, Summary: "a psql meta-command such as \\set or \\i",
			Risk: "it is a psql client command, not SQL, so strata cannot run the file",
			Fix:  "write the SQL it stands for"},
		{ID: "switch-database", Category: Hygiene, Severity: Warning, Dialects: notSQLite, Summary: "USE or \\connect",
			Risk: "the following statements run in another database than the one whose history records them",
			Fix:  "remove it and choose the database with --url; qualify names if you must touch another schema"},
		{ID: "unscannable", Category: Hygiene, Severity: Error, Summary: "a file strata cannot split into statements (an unterminated quote or comment)",
			Risk: "strata refuses to run the file",
			Fix:  "fix the quoting the message points at"},
	}
}

// Rules returns every rule with its default severity.
func Rules() []Rule { return rules() }

// Lookup returns the rule with the given id, or nil.
func Lookup(id string) *Rule {
	for _, r := range rules() {
		if r.ID == id {
			return &r
		}
	}
	return nil
}

func ids() []string {
	var out []string
	for _, r := range rules() {
		out = append(out, r.ID)
	}
	return out
}
