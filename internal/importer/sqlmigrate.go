package importer

import (
	"fmt"
	"io/fs"
	"strings"
)

// sqlMigrateGrammar reads "-- +migrate COMMAND [OPTIONS]" lines as
// sql-migrate's sqlparse does: the prefix must start the line; unknown
// commands are ignored by sql-migrate and dropped here.
var sqlMigrateGrammar = annotated{tool: "sql-migrate", parse: func(text string) (marker, bool, error) {
	const prefix = "-- +migrate "
	if !strings.HasPrefix(text, "-- +") {
		return marker{}, false, nil
	}
	if !strings.HasPrefix(text, prefix) {
		return marker{kind: 0}, true, nil // sql-migrate drops every "-- +" line
	}
	fields := strings.Fields(text[len(prefix):])
	if len(fields) == 0 {
		return marker{}, false, fmt.Errorf("incomplete sql-migrate command %q", strings.TrimSpace(text))
	}
	noTx := false
	for _, o := range fields[1:] {
		if o == "notransaction" {
			noTx = true
		}
	}
	switch fields[0] {
	case "Up":
		return marker{kind: mUp, noTx: noTx}, true, nil
	case "Down":
		return marker{kind: mDown, noTx: noTx}, true, nil
	case "StatementBegin":
		return marker{kind: mBegin}, true, nil
	case "StatementEnd":
		return marker{kind: mEnd}, true, nil
	}
	return marker{kind: 0}, true, nil
}}

// numberPrefix splits a name into its leading digits and the rest, without
// the separators that follow the digits.
func numberPrefix(base string) (digits, rest string) {
	n := 0
	for n < len(base) && base[n] >= '0' && base[n] <= '9' {
		n++
	}
	return base[:n], strings.TrimLeft(base[n:], "_-.")
}

// convertSQLMigrate converts a sql-migrate folder: files with
// "-- +migrate Up" and "-- +migrate Down" sections, ordered by their
// numeric prefix; the history key is the file name.
func convertSQLMigrate(src fs.FS, st *convState) error {
	names, err := rootFiles(src)
	if err != nil {
		return err
	}
	for _, name := range names {
		if !strings.HasSuffix(name, ".sql") || st.excluded(name) {
			continue
		}
		digits, desc := numberPrefix(strings.TrimSuffix(name, ".sql"))
		if digits == "" {
			st.problem(name, 0, Unsupported, "the name has no numeric prefix, so it has no strata version; rename it NNNN_name.sql before importing or exclude it")
			continue
		}
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		p, err := parseAnnotated(sqlMigrateGrammar, name, data)
		if err != nil {
			st.reportParse(name, err)
			continue
		}
		f := File{Source: name, ToolVersion: name, Version: digits, Name: slug(desc), NoTransaction: p.up.noTx}
		f.Up = st.checkBlocks(name, &p.up)
		if p.down.present {
			f.Down = st.checkBlocks(name, &p.down)
		}
		st.add(f)
	}
	return nil
}
