package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Resetting a database of the pool: what a test made is dropped, and the
// database's fingerprint must then equal a fresh one's before another
// test may have it.

// reset makes database name indistinguishable from a fresh one, or says
// why it could not.
func (p *pool) reset(ctx context.Context, name string) error {
	admin, err := p.adminDB()
	if err != nil {
		return err
	}
	// Settings first: the reset's own session must not start with what a
	// test set for the database (default_transaction_read_only, a
	// search_path).
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE "`+name+`" RESET ALL`); err != nil {
		return fmt.Errorf("reset settings of %s: %w", name, err)
	}
	if err := terminate(ctx, admin, name); err != nil {
		return err
	}
	conn, err := p.connect(ctx, name)
	if err != nil {
		return err
	}
	defer conn.Close()
	p.mu.Lock()
	want, public := p.fresh, p.public
	p.mu.Unlock()
	if _, err := conn.ExecContext(ctx, resetSQL); err != nil {
		return fmt.Errorf("reset %s: %w", name, err)
	}
	if public != "" {
		if _, err := conn.ExecContext(ctx, public); err != nil {
			return fmt.Errorf("recreate the public schema of %s: %w", name, err)
		}
	}
	got, err := fingerprintOn(ctx, conn)
	if err != nil {
		return fmt.Errorf("fingerprint %s: %w", name, err)
	}
	if got != want {
		return fmt.Errorf("%s still differs from a fresh database after the reset:\n%s", name, diffLines(want, got))
	}
	// Nothing may have connected while the reset ran: a session that did
	// could hold a lock or a setting into the next test.
	var others int
	if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2 AND backend_type = 'client backend'`, name, conn.pid).Scan(&others); err != nil {
		return fmt.Errorf("count sessions on %s: %w", name, err)
	}
	if others > 0 {
		return fmt.Errorf("%d sessions connected to %s while it was reset", others, name)
	}
	return nil
}

// terminate ends every session on database name and waits until they are
// gone: a killed strata process's backend may still be running a statement
// or holding an advisory lock.
func terminate(ctx context.Context, admin *sql.DB, name string) error {
	for {
		var left int
		err := admin.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) s`, name).Scan(&left)
		if err != nil {
			return fmt.Errorf("terminate sessions on %s: %w", name, err)
		}
		if left == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sessions on %s did not end: %w", name, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// resetConn is one session on a pool database.
type resetConn struct {
	*sql.Conn
	db  *sql.DB
	pid int
}

func (c *resetConn) Close() {
	c.Conn.Close()
	c.db.Close()
}

// connect opens one session on database name, with bounded waits.
func (p *pool) connect(ctx context.Context, name string) (*resetConn, error) {
	u, err := url.Parse(p.admin)
	if err != nil {
		return nil, fmt.Errorf("parse STRATA_TEST_POSTGRES_URL: %w", err)
	}
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", name, err)
	}
	c := &resetConn{Conn: conn, db: db}
	if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&c.pid); err != nil {
		c.Close()
		return nil, fmt.Errorf("connect to %s: %w", name, err)
	}
	if _, err := conn.ExecContext(ctx, `SET lock_timeout = '20s'; SET statement_timeout = '50s'; SET default_transaction_read_only = off; SET search_path = pg_catalog`); err != nil {
		c.Close()
		return nil, fmt.Errorf("set up the session on %s: %w", name, err)
	}
	return c, nil
}

// resetSQL drops what tests create in a database: event triggers first (an
// event trigger could act on the drops), publications, extensions, every
// schema (public included, with all it holds), large objects. Every object
// a test creates has an OID of at least 16384 (FirstNormalObjectId); what
// initdb made has smaller ones. The public schema is recreated afterwards
// as the fresh database had it (publicSQL).
const resetSQL = `DO $reset$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT evtname FROM pg_event_trigger WHERE oid >= 16384 LOOP
		EXECUTE format('DROP EVENT TRIGGER IF EXISTS %I', r.evtname);
	END LOOP;
	FOR r IN SELECT pubname FROM pg_publication WHERE oid >= 16384 LOOP
		EXECUTE format('DROP PUBLICATION IF EXISTS %I', r.pubname);
	END LOOP;
	FOR r IN SELECT extname FROM pg_extension WHERE oid >= 16384 LOOP
		EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', r.extname);
	END LOOP;
	FOR r IN SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' LOOP
		EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', r.nspname);
	END LOOP;
	PERFORM lo_unlink(oid) FROM pg_largeobject_metadata;
END
$reset$`

// publicSQL returns the statements that recreate the public schema of a
// fresh database as conn's database has it: its owner, its grants to
// others than the owner, its comment. It is empty when there is no public
// schema.
func publicSQL(ctx context.Context, conn *resetConn) (string, error) {
	rows, err := conn.QueryContext(ctx, `
SELECT 'CREATE SCHEMA public AUTHORIZATION ' || quote_ident(n.nspowner::regrole::text)
FROM pg_namespace n WHERE n.nspname = 'public'
UNION ALL
SELECT * FROM (
	SELECT 'GRANT ' || a.privilege_type || ' ON SCHEMA public TO ' ||
		CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::regrole::text) END ||
		CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END
	FROM pg_namespace n, aclexplode(n.nspacl) a
	WHERE n.nspname = 'public' AND a.grantee <> n.nspowner
	ORDER BY a.grantee, a.privilege_type) g
UNION ALL
SELECT 'COMMENT ON SCHEMA public IS ' || quote_literal(d.description)
FROM pg_namespace n JOIN pg_description d ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass
WHERE n.nspname = 'public'`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var stmts []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		stmts = append(stmts, s)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return strings.Join(stmts, ";\n"), nil
}

// inspect returns the fingerprint of database name, which describes it as
// far as a test could tell it from another (two databases with the same
// fingerprint are alike), and the statements that recreate its public
// schema.
func (p *pool) inspect(ctx context.Context, name string) (fp, public string, err error) {
	conn, err := p.connect(ctx, name)
	if err != nil {
		return "", "", err
	}
	defer conn.Close()
	if fp, err = fingerprintOn(ctx, conn); err != nil {
		return "", "", fmt.Errorf("fingerprint %s: %w", name, err)
	}
	if public, err = publicSQL(ctx, conn); err != nil {
		return "", "", fmt.Errorf("read the public schema of %s: %w", name, err)
	}
	return fp, public, nil
}

// fingerprintOn describes conn's database: the count of objects made
// after initdb in each of its catalogs, its schemas with their owners,
// grants and comments, the grants on the system's objects, the database's
// own properties and the settings kept for it. Nothing in it depends on
// OIDs or the database's name.
func fingerprintOn(ctx context.Context, conn *resetConn) (string, error) {
	rows, err := conn.QueryContext(ctx, `
SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'oid'
WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r' AND NOT c.relisshared
ORDER BY 1`)
	if err != nil {
		return "", err
	}
	var parts []string
	for rows.Next() {
		var cat string
		if err := rows.Scan(&cat); err != nil {
			rows.Close()
			return "", err
		}
		where := "oid >= 16384"
		if cat == "pg_namespace" {
			// The recreated public schema has a new OID. A session that
			// used a temporary table leaves its (emptied) temporary schemas
			// behind for the next session with its backend number; they
			// hold nothing a test could see.
			where += ` AND nspname <> 'public' AND nspname !~ '^pg_(toast_)?temp_\d+$'`
		}
		parts = append(parts, fmt.Sprintf(`SELECT '%[1]s ' || count(*) FROM pg_catalog.%[1]s WHERE %[2]s`, cat, where))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	parts = append(parts, fingerprintSQL)
	rows, err = conn.QueryContext(ctx, strings.Join(parts, "\nUNION ALL\n"))
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l sql.NullString
		if err := rows.Scan(&l); err != nil {
			return "", err
		}
		lines = append(lines, l.String)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return strings.Join(lines, "\n"), nil
}

// fingerprintSQL is the part of the fingerprint that names things.
const fingerprintSQL = `SELECT * FROM (
	SELECT 'schema ' || nspname || ' owner ' || nspowner::regrole::text ||
		' acl ' || coalesce(nspacl, acldefault('n', nspowner))::text ||
		' comment ' || coalesce(obj_description(oid, 'pg_namespace'), '')
	FROM pg_namespace WHERE nspname !~ '^pg_(toast_)?temp_' ORDER BY nspname) s
UNION ALL
SELECT 'database owner ' || datdba::regrole::text ||
	' acl ' || coalesce(datacl, acldefault('d', datdba))::text ||
	' connlimit ' || datconnlimit || ' allowconn ' || datallowconn || ' template ' || datistemplate ||
	' tablespace ' || dattablespace || ' comment ' || coalesce(shobj_description(oid, 'pg_database'), '')
FROM pg_database WHERE datname = current_database()
UNION ALL
SELECT * FROM (
	SELECT 'settings ' || CASE s.setrole WHEN 0 THEN '' ELSE s.setrole::regrole::text END || ' ' || array_to_string(s.setconfig, ',')
	FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
	WHERE d.datname = current_database() ORDER BY 1) r
UNION ALL
SELECT 'system grants ' || md5(concat(
	(SELECT string_agg(oid || relacl::text, ',' ORDER BY oid) FROM pg_class WHERE relacl IS NOT NULL AND oid < 16384),
	(SELECT string_agg(attrelid || '.' || attnum || attacl::text, ',' ORDER BY attrelid, attnum) FROM pg_attribute WHERE attacl IS NOT NULL AND attrelid < 16384),
	(SELECT string_agg(oid || proacl::text, ',' ORDER BY oid) FROM pg_proc WHERE proacl IS NOT NULL AND oid < 16384),
	(SELECT string_agg(oid || typacl::text, ',' ORDER BY oid) FROM pg_type WHERE typacl IS NOT NULL AND oid < 16384),
	(SELECT string_agg(oid || lanacl::text, ',' ORDER BY oid) FROM pg_language WHERE lanacl IS NOT NULL AND oid < 16384)))`

// diffLines lists the lines of got that want does not have and the other
// way round.
func diffLines(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
