package main

import "strings"

// A realistic folder for each peer tool: a table, a PostgreSQL function
// with $$ (a MySQL procedure, a SQLite trigger), a data backfill, and an
// index built outside a transaction (CONCURRENTLY on PostgreSQL).

// peerStep is one migration of the folder, per database.
type peerStep struct {
	name     string
	up, down map[string]string // by database kind; "" key for all
	noTx     bool
}

func (s peerStep) sql(m map[string]string, kind string) string {
	if v, ok := m[kind]; ok {
		return v
	}
	return m[""]
}

var peerSteps = []peerStep{
	{name: "users",
		up:   map[string]string{"": "CREATE TABLE users (id int PRIMARY KEY, email varchar(255) NOT NULL, name varchar(100));\n"},
		down: map[string]string{"": "DROP TABLE users;\n"}},
	{name: "email_rule",
		up: map[string]string{
			"postgres": "CREATE FUNCTION users_email_lower() RETURNS trigger AS $$\nBEGIN\n  NEW.email = lower(NEW.email);\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n",
			"mysql":    "CREATE PROCEDURE users_count(OUT n INT)\nBEGIN\n  SELECT COUNT(*) INTO n FROM users;\nEND;\n",
			"sqlite":   "CREATE TRIGGER users_lower AFTER INSERT ON users BEGIN\n  UPDATE users SET email = lower(NEW.email) WHERE id = NEW.id;\nEND;\n",
		},
		down: map[string]string{
			"postgres": "DROP FUNCTION users_email_lower();\n",
			"mysql":    "DROP PROCEDURE users_count;\n",
			"sqlite":   "DROP TRIGGER users_lower;\n",
		}},
	{name: "backfill",
		up:   map[string]string{"": "INSERT INTO users (id, email, name) VALUES (1, 'a@example.com', 'A'), (2, 'b@example.com', NULL);\nUPDATE users SET name = 'unknown' WHERE name IS NULL;\n"},
		down: map[string]string{"": "DELETE FROM users;\n"}},
	{name: "users_email", noTx: true,
		up: map[string]string{
			"postgres": "CREATE INDEX CONCURRENTLY users_email ON users (email);\n",
			"":         "CREATE INDEX users_email ON users (email);\n",
		},
		down: map[string]string{
			"mysql": "DROP INDEX users_email ON users;\n",
			"":      "DROP INDEX users_email;\n",
		}},
}

// block says whether step i's up SQL is one statement with semicolons
// inside it (goose and sql-migrate need StatementBegin/End around it).
func block(i int) bool { return i == 1 }

// peerFolder returns the files of the folder as tool writes them, for the
// first n steps, on a database of kind.
func peerFolder(tool, kind string, n int) map[string]string {
	return peerFiles(tool, kind, peerSteps[:n])
}

// ordersStep is the file strata applies after the import (ordersUp), as
// the old tool would have it.
var ordersStep = peerStep{name: "orders", up: map[string]string{"": ordersUp}, down: map[string]string{"": "DROP TABLE orders;\n"}}

// peerFiles returns steps as tool writes them, numbered from 1.
func peerFiles(tool, kind string, steps []peerStep) map[string]string {
	files := map[string]string{}
	for i, s := range steps {
		up, down := s.sql(s.up, kind), s.sql(s.down, kind)
		switch tool {
		case "goose":
			var b strings.Builder
			if s.noTx {
				b.WriteString("-- +goose NO TRANSACTION\n")
			}
			b.WriteString("-- +goose Up\n")
			if block(i) {
				b.WriteString("-- +goose StatementBegin\n" + up + "-- +goose StatementEnd\n")
			} else {
				b.WriteString(up)
			}
			b.WriteString("\n-- +goose Down\n" + down)
			files[pad(i+1, 5)+"_"+s.name+".sql"] = b.String()
		case "sql-migrate":
			var b strings.Builder
			b.WriteString("-- +migrate Up")
			if s.noTx {
				b.WriteString(" notransaction")
			}
			b.WriteString("\n")
			if block(i) {
				b.WriteString("-- +migrate StatementBegin\n" + up + "-- +migrate StatementEnd\n")
			} else {
				b.WriteString(up)
			}
			b.WriteString("\n-- +migrate Down\n" + down)
			files[itoa(i+1)+"_"+s.name+".sql"] = b.String()
		case "tern":
			head := ""
			if s.noTx {
				head = "---- tern: disable-tx ----\n"
			}
			files[pad(i+1, 3)+"_"+s.name+".sql"] = head + up + "\n---- create above / drop below ----\n\n" + down
		case "migrate":
			files[itoa(i+1)+"_"+s.name+".up.sql"] = up
			files[itoa(i+1)+"_"+s.name+".down.sql"] = down
		case "dbmate":
			head := "-- migrate:up\n"
			if s.noTx {
				head = "-- migrate:up transaction:false\n"
			}
			files["2024010100000"+itoa(i+1)+"_"+s.name+".sql"] = head + up + "\n-- migrate:down\n" + down
		}
	}
	return files
}

// peerNext is a strata file written after the import, in the version
// style of tool, and its version.
func peerNext(tool string) (name, version string) {
	switch tool {
	case "goose":
		return "00005_orders.sql", "5"
	case "migrate", "sql-migrate":
		return "5_orders.sql", "5"
	case "tern":
		return "005_orders.sql", "5"
	}
	return "20240101000005_orders.sql", "20240101000005"
}

const ordersUp = "CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL);\n"

func pad(n, width int) string {
	s := itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
