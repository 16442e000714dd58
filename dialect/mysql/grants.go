package mysql

import (
	"context"
	"regexp"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// DDLGrants returns the SHOW GRANTS lines of the current user that allow
// DDL on every database or on database name (the current one when empty).
func (Dialect) DDLGrants(ctx context.Context, q dialect.Execer, name string) (user string, grants []string, err error) {
	return mysqlDDLGrants(ctx, q, name)
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
func mysqlDDLGrants(ctx context.Context, db dialect.Execer, name string) (user string, grants []string, err error) {
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
