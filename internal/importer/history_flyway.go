package importer

// Flyway's and Liquibase's history tables: they cannot be installed here,
// so these readers follow the layouts the tools document (Flyway's
// flyway_schema_history, Liquibase's DATABASECHANGELOG).

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// readFlyway reads flyway_schema_history: one row per run, in
// installed_rank order. type SQL is a versioned or (version NULL)
// repeatable script, BASELINE marks every version up to it as applied,
// UNDO_SQL undoes a version, DELETE (flyway repair) forgets one, SCHEMA is
// the row for schemas Flyway created. success false stops the import.
func readFlyway(ctx context.Context, q dialect.Execer, d dialect.Dialect, h *History) error {
	var rank int64
	var version, script, typ sql.NullString
	var checksum sql.NullInt64
	var success flexBool
	var at flexTime
	index := map[string]int{}
	err := query(ctx, q, "SELECT installed_rank, version, type, script, checksum, installed_on, success FROM "+
		d.QuoteTable(h.Table)+" ORDER BY installed_rank", []any{&rank, &version, &typ, &script, &checksum, &at, &success}, func() error {
		h.Rows++
		r := strconv.FormatInt(rank, 10)
		if !success.v {
			return &HistoryError{Tool: h.Tool, Table: h.Table.String(), Kind: "failed", Key: version.String, File: script.String,
				What:  fmt.Sprintf("installed_rank %s says success = false: Flyway stopped in this script", r),
				Check: "check which of its statements ran (on a database without transactional DDL some did), undo or finish them by hand, remove the failed row with Flyway's repair command, and import again"}
		}
		key := version.String
		if !version.Valid {
			key = "R:" + script.String // repeatable: matched by script name
		}
		switch strings.ToUpper(typ.String) {
		case "SCHEMA":
			return nil
		case "DELETE", "UNDO_SQL", "UNDO_JDBC", "UNDO_SPRING_JDBC":
			if i, ok := index[key]; ok {
				h.Applied[i].Key = ""
				delete(index, key)
			}
			return nil
		}
		a := Applied{Key: key, Rank: r, AppliedAt: at.t, Upto: strings.EqualFold(typ.String, "BASELINE")}
		if checksum.Valid {
			a.Checksum = strconv.FormatInt(checksum.Int64, 10)
		}
		if i, ok := index[key]; ok && !version.Valid {
			h.Applied[i] = a // a repeatable run again: its last checksum counts
			return nil
		}
		index[key] = len(h.Applied)
		h.Applied = append(h.Applied, a)
		return nil
	})
	h.Applied = dropEmpty(h.Applied)
	return err
}

// readLiquibase reads DATABASECHANGELOG: one row per changeset, ID,
// AUTHOR and FILENAME its key, EXECTYPE EXECUTED, RERAN or MARK_RAN
// applied, SKIPPED not, FAILED stops the import; MD5SUM the "9:..."
// checksum.
func readLiquibase(ctx context.Context, q dialect.Execer, d dialect.Dialect, h *History) error {
	var id, author, file, exec, sum sql.NullString
	var order sql.NullInt64
	var at flexTime
	index := map[string]int{}
	return query(ctx, q, "SELECT ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE, MD5SUM FROM "+
		d.QuoteTable(h.Table)+" ORDER BY DATEEXECUTED, ORDEREXECUTED", []any{&id, &author, &file, &at, &order, &exec, &sum}, func() error {
		h.Rows++
		key := id.String + "::" + author.String + "::" + file.String
		switch strings.ToUpper(exec.String) {
		case "FAILED":
			return &HistoryError{Tool: h.Tool, Table: h.Table.String(), Kind: "failed", Key: key, File: file.String,
				What:  fmt.Sprintf("changeset %s by %s has EXECTYPE FAILED", id.String, author.String),
				Check: "check which of its statements ran, finish or undo them by hand, fix the row with Liquibase, and import again"}
		case "SKIPPED":
			return nil
		}
		a := Applied{Key: key, Rank: strconv.FormatInt(order.Int64, 10), AppliedAt: at.t, Checksum: sum.String}
		if i, ok := index[key]; ok {
			h.Applied[i] = a // RERAN: the last run counts
			return nil
		}
		index[key] = len(h.Applied)
		h.Applied = append(h.Applied, a)
		return nil
	})
}
