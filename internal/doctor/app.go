package doctor

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// AppUser checks that the application's database user (connected as db)
// cannot change the schema: it warns with the grants that would let it.
// schema is the schema (PostgreSQL) or database (MySQL) strata migrates;
// empty means the connection's current one.
func AppUser(ctx context.Context, db *sql.DB, d dialect.Dialect, schema string) Check {
	c := Check{Name: "app user"}
	var (
		user   string
		grants []string
		err    error
	)
	switch d.Name() {
	case "postgres":
		user, grants, err = pgDDLGrants(ctx, db, schema)
	case "mysql":
		user, grants, err = mysqlDDLGrants(ctx, db, schema)
	default:
		c.Status, c.Detail = OK, "SQLite has no users: nothing to check"
		return c
	}
	if err != nil {
		c.Status, c.Detail = Fail, "cannot read the application user's privileges: "+err.Error()
		return c
	}
	if len(grants) == 0 {
		c.Status, c.Detail = OK, fmt.Sprintf("%s cannot change the schema", user)
		return c
	}
	c.Status = Warn
	c.Detail = fmt.Sprintf("%s can change the schema: %s", user, strings.Join(grants, "; "))
	c.Hint = "let only the migration user run DDL: revoke these from the application user, so a compromised or buggy application cannot drop tables"
	return c
}

// pgDDLGrants lists what lets the current PostgreSQL user run DDL in
// schema: superuser, CREATE on the schema or database, owning the schema
// or tables in it (directly or through a role it belongs to).
func pgDDLGrants(ctx context.Context, db *sql.DB, schema string) (user string, grants []string, err error) {
	var (
		super, schemaCreate, dbCreate, schemaOwner bool
		owned                                      sql.NullString
	)
	err = db.QueryRowContext(ctx, `
SELECT current_user,
       r.rolsuper,
       has_schema_privilege(current_user, s.nspname, 'CREATE'),
       has_database_privilege(current_user, current_database(), 'CREATE'),
       pg_has_role(current_user, s.nspowner, 'USAGE'),
       (SELECT string_agg(c.relname, ', ' ORDER BY c.relname)
          FROM pg_class c
         WHERE c.relnamespace = s.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           AND pg_has_role(current_user, c.relowner, 'USAGE'))
  FROM pg_namespace s, pg_roles r
 WHERE s.nspname = COALESCE(NULLIF($1, ''), current_schema()) AND r.rolname = current_user`, schema).
		Scan(&user, &super, &schemaCreate, &dbCreate, &schemaOwner, &owned)
	if err == sql.ErrNoRows {
		return "", nil, fmt.Errorf("schema %q does not exist or is not visible to the application user", schema)
	}
	if err != nil {
		return "", nil, err
	}
	if super {
		grants = append(grants, "is a superuser")
	}
	if schemaOwner {
		grants = append(grants, "owns the schema (or is a member of its owner)")
	} else if schemaCreate {
		grants = append(grants, "has CREATE on the schema")
	}
	if dbCreate {
		grants = append(grants, "has CREATE on the database (can create schemas)")
	}
	if owned.Valid && owned.String != "" {
		grants = append(grants, "owns (can alter and drop) "+truncate(owned.String, 200))
	}
	return user, grants, nil
}

// ddlPrivileges are the MySQL privileges that change the schema.
var ddlPrivileges = map[string]bool{
	"ALL": true, "ALL PRIVILEGES": true, "CREATE": true, "ALTER": true, "DROP": true,
	"INDEX": true, "CREATE VIEW": true, "CREATE ROUTINE": true, "ALTER ROUTINE": true,
	"TRIGGER": true, "SUPER": true,
}

var grantRE = regexp.MustCompile(`(?i)^GRANT (.+?) ON (\S+) TO `)

// mysqlDDLGrants returns the SHOW GRANTS lines of the current MySQL user
// that allow DDL on every database or on db (the current one when empty).
func mysqlDDLGrants(ctx context.Context, db *sql.DB, name string) (user string, grants []string, err error) {
	if err := db.QueryRowContext(ctx, "SELECT CURRENT_USER(), COALESCE(NULLIF(?, ''), DATABASE(), '')", name).Scan(&user, &name); err != nil {
		return "", nil, err
	}
	rows, err := db.QueryContext(ctx, "SHOW GRANTS")
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return "", nil, err
		}
		if grantAllowsDDL(g, name) {
			grants = append(grants, truncate(redactGrant(g), 300))
		}
	}
	return user, grants, rows.Err()
}

// grantAllowsDDL reports whether one SHOW GRANTS line gives a DDL
// privilege on every database, on database name, or on a pattern.
func grantAllowsDDL(g, name string) bool {
	m := grantRE.FindStringSubmatch(g)
	if m == nil {
		return false
	}
	ddl := false
	for _, p := range strings.Split(m[1], ",") {
		p = strings.ToUpper(strings.TrimSpace(p))
		if i := strings.Index(p, "("); i >= 0 { // column privileges
			p = strings.TrimSpace(p[:i])
		}
		if ddlPrivileges[p] {
			ddl = true
		}
	}
	if !ddl {
		return false
	}
	obj := strings.ReplaceAll(m[2], "`", "")
	dbPart, _, _ := strings.Cut(obj, ".")
	return dbPart == "*" || dbPart == name || strings.ContainsAny(dbPart, "%_") && likeMatch(dbPart, name)
}

// likeMatch matches a MySQL grant's database pattern (% and _, \ escapes).
func likeMatch(pattern, s string) bool {
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\' && i+1 < len(pattern):
			i++
			re.WriteString(regexp.QuoteMeta(string(pattern[i])))
		case c == '%':
			re.WriteString(".*")
		case c == '_':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString("$")
	ok, _ := regexp.MatchString(re.String(), s)
	return ok
}

// redactGrant removes an IDENTIFIED BY clause (a password hash) from a
// grant line.
func redactGrant(g string) string {
	if i := strings.Index(strings.ToUpper(g), " IDENTIFIED BY"); i >= 0 {
		return g[:i]
	}
	return g
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
