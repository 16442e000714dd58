package mysql

import (
	"database/sql"
	"testing"
)

// TestColumnText covers both servers' ways of reporting a column: MariaDB
// 10.2+ quotes literal defaults and says NULL; MySQL 8 reports them bare
// and marks expression defaults DEFAULT_GENERATED.
func TestColumnText(t *testing.T) {
	null := sql.NullString{}
	str := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	for _, tc := range []struct {
		name  string
		maria bool
		c     column
		want  string
	}{
		{"maria string", true, column{typ: "varchar(10)", nullable: "YES", def: str("'abc'")}, "varchar(10) DEFAULT 'abc'"},
		{"maria string NULL", true, column{typ: "varchar(10)", nullable: "YES", def: str("'NULL'")}, "varchar(10) DEFAULT 'NULL'"},
		{"maria null default", true, column{typ: "int(11)", nullable: "YES", def: str("NULL")}, "int(11)"},
		{"maria no default", true, column{typ: "int(11)", nullable: "NO", def: null}, "int(11) NOT NULL"},
		{"maria expression", true, column{typ: "timestamp", nullable: "NO", def: str("current_timestamp()"), extra: "on update current_timestamp()"}, "timestamp NOT NULL DEFAULT current_timestamp() on update current_timestamp()"},
		{"mysql string", false, column{typ: "varchar(10)", nullable: "YES", def: str("it's")}, "varchar(10) DEFAULT 'it''s'"},
		{"mysql number", false, column{typ: "int", nullable: "NO", def: str("0")}, "int NOT NULL DEFAULT '0'"},
		{"mysql null", false, column{typ: "int", nullable: "YES", def: null}, "int"},
		{"mysql expression", false, column{typ: "datetime", nullable: "YES", def: str("CURRENT_TIMESTAMP"), extra: "DEFAULT_GENERATED on update CURRENT_TIMESTAMP"}, "datetime DEFAULT CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP"},
		{"generated", false, column{typ: "int", nullable: "YES", extra: "STORED GENERATED", generated: "`a` + 1"}, "int GENERATED ALWAYS AS (`a` + 1) STORED"},
		{"collation", true, column{typ: "text", nullable: "YES", charset: "latin1", collation: "latin1_bin", comment: "n'b"}, "text CHARACTER SET latin1 COLLATE latin1_bin COMMENT 'n''b'"},
		{"table's collation", true, column{typ: "text", nullable: "YES", charset: "utf8mb4", collation: "utf8mb4_general_ci"}, "text"},
	} {
		if got := tc.c.text(tc.maria, "utf8mb4_general_ci"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
