package doctor

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// AppUser checks that the application's database user (connected as db)
// cannot change the schema: it warns with the grants that would let it.
// schema is the schema (PostgreSQL) or database (MySQL) strata migrates;
// empty means the connection's current one.
func AppUser(ctx context.Context, db *sql.DB, d dialect.Dialect, schema string) Check {
	c := Check{Name: "app user"}
	g, ok := d.(dialect.Grants)
	if !ok {
		c.Status, c.Detail = OK, "SQLite has no users: nothing to check"
		return c
	}
	user, grants, err := g.DDLGrants(ctx, db, schema)
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
