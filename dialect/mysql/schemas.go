package mysql

import (
	"strings"
)

// SystemSchema reports the server's own databases: mysql,
// information_schema, performance_schema and sys (compared without case,
// as they are on servers with case-insensitive names).
func (Dialect) SystemSchema(name string) bool {
	switch strings.ToLower(name) {
	case "mysql", "information_schema", "performance_schema", "sys":
		return true
	}
	return false
}

// MaxIdentifier is 64 characters, the longest table or database name.
func (Dialect) MaxIdentifier() (int, bool) { return 64, false }
