package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/strata-db/strata/schema"
)

// readIndexes reads information_schema.STATISTICS: the primary key goes to
// its table, every other index is an object of its own named
// "table.index" (index names are unique per table only).
func (r *reader) readIndexes(ctx context.Context) error {
	// MariaDB has IGNORED (10.6+) and no functional key parts; MySQL 8
	// has IS_VISIBLE and EXPRESSION.
	flag, expr := "IF(IGNORED = 'YES', 'ignored', '')", "''"
	if !r.maria {
		flag, expr = "IF(IS_VISIBLE = 'NO', 'invisible', '')", "COALESCE(EXPRESSION, '')"
	}
	type index struct {
		obj  schema.Object
		cols []string
	}
	var order []*index
	byName := map[[2]string]*index{}
	err := r.each(ctx, `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COALESCE(COLUMN_NAME, ''), SUB_PART,
	COALESCE(COLLATION, ''), INDEX_TYPE, COALESCE(INDEX_COMMENT, ''), `+flag+`, `+expr+`
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, func(rows *sql.Rows) error {
		var tbl, name, col, coll, typ, comment, flag, expr string
		var nonUnique int
		var sub sql.NullInt64
		if err := rows.Scan(&tbl, &name, &nonUnique, &col, &sub, &coll, &typ, &comment, &flag, &expr); err != nil {
			return err
		}
		if r.tables[tbl] == nil {
			return nil
		}
		part := quoteIdent(col)
		if col == "" {
			part = "(" + expr + ")"
		}
		if sub.Valid {
			part += "(" + strconv.FormatInt(sub.Int64, 10) + ")"
		}
		if coll == "D" {
			part += " DESC"
		}
		key := [2]string{tbl, name}
		ix := byName[key]
		if ix == nil {
			unique := "no"
			if nonUnique == 0 {
				unique = "yes"
			}
			attrs := []schema.Attr{{Key: "table", Value: tbl}, {Key: "unique", Value: unique}, {Key: "type", Value: typ}}
			attrs = attr(attrs, "comment", comment)
			attrs = attr(attrs, "visibility", flag)
			ix = &index{obj: schema.Object{Kind: schema.KindIndex, Name: tbl + "." + name, Attrs: attrs}}
			byName[key] = ix
			order = append(order, ix)
		}
		ix.cols = append(ix.cols, part)
		return nil
	})
	if err != nil {
		return err
	}
	for _, ix := range order {
		cols := "(" + strings.Join(ix.cols, ", ") + ")"
		if tbl := ix.obj.Attrs[0].Value; ix.obj.Name == tbl+".PRIMARY" {
			r.tables[tbl].primary = cols
			continue
		}
		ix.obj.Attrs = append(ix.obj.Attrs, schema.Attr{Key: "columns", Value: cols})
		r.objects = append(r.objects, ix.obj)
	}
	return nil
}

// readViews reads views with their definitions, from which the current
// database's qualifier is removed: the server qualifies every name it
// stores, so without this two databases built from the same files would
// never compare equal. The definer is left out.
func (r *reader) readViews(ctx context.Context) error {
	qualifier := quoteIdent(r.db) + "."
	algorithm := "''" // MySQL 8 does not say
	if r.maria {
		algorithm = "ALGORITHM"
	}
	return r.each(ctx, `SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, `+algorithm+`
FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?`, func(rows *sql.Rows) error {
		var name, def, check, security, algorithm string
		if err := rows.Scan(&name, &def, &check, &security, &algorithm); err != nil {
			return err
		}
		attrs := []schema.Attr{{Key: "definition", Value: strings.ReplaceAll(def, qualifier, "")}}
		if check != "NONE" {
			attrs = append(attrs, schema.Attr{Key: "check option", Value: check})
		}
		attrs = append(attrs, schema.Attr{Key: "security", Value: security})
		attrs = attr(attrs, "algorithm", algorithm)
		r.objects = append(r.objects, schema.Object{Kind: schema.KindView, Name: name, Attrs: attrs})
		return nil
	})
}

// readRoutines reads procedures and functions with their parameters. A
// routine's name is its identity (MySQL does not overload); the
// parameters are an attribute, so a changed signature reads as a change.
func (r *reader) readRoutines(ctx context.Context) error {
	type routine struct {
		typ, name, returns, body, deterministic, access, security, comment string
	}
	var routines []routine
	err := r.each(ctx, `SELECT ROUTINE_TYPE, ROUTINE_NAME, COALESCE(DTD_IDENTIFIER, ''), COALESCE(ROUTINE_DEFINITION, ''),
	IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE, ROUTINE_COMMENT
FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`, func(rows *sql.Rows) error {
		var x routine
		if err := rows.Scan(&x.typ, &x.name, &x.returns, &x.body, &x.deterministic, &x.access, &x.security, &x.comment); err != nil {
			return err
		}
		routines = append(routines, x)
		return nil
	})
	if err != nil || len(routines) == 0 {
		// PARAMETERS parses the body of every routine on the server
		// (MariaDB): not read for a database without routines.
		return err
	}
	params := map[[2]string][]string{}
	err = r.each(ctx, `SELECT ROUTINE_TYPE, SPECIFIC_NAME, COALESCE(PARAMETER_MODE, ''), PARAMETER_NAME, DTD_IDENTIFIER
FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = ? AND ORDINAL_POSITION > 0
ORDER BY ROUTINE_TYPE, SPECIFIC_NAME, ORDINAL_POSITION`, func(rows *sql.Rows) error {
		var typ, name, mode, param, dtd string
		if err := rows.Scan(&typ, &name, &mode, &param, &dtd); err != nil {
			return err
		}
		p := quoteIdent(param) + " " + dtd
		if typ == "PROCEDURE" {
			p = mode + " " + p
		}
		key := [2]string{typ, name}
		params[key] = append(params[key], p)
		return nil
	})
	if err != nil {
		return err
	}
	for _, x := range routines {
		kind := schema.KindProcedure
		if x.typ == "FUNCTION" {
			kind = schema.KindFunction
		}
		attrs := []schema.Attr{{Key: "parameters", Value: "(" + strings.Join(params[[2]string{x.typ, x.name}], ", ") + ")"}}
		if kind == schema.KindFunction {
			attrs = append(attrs, schema.Attr{Key: "returns", Value: x.returns})
		}
		attrs = append(attrs,
			schema.Attr{Key: "deterministic", Value: strings.ToLower(x.deterministic)},
			schema.Attr{Key: "sql data access", Value: x.access},
			schema.Attr{Key: "security", Value: x.security})
		attrs = attr(attrs, "comment", x.comment)
		attrs = append(attrs, schema.Attr{Key: "body", Value: x.body})
		r.objects = append(r.objects, schema.Object{Kind: kind, Name: x.name, Attrs: attrs})
	}
	return nil
}

// readTriggers reads triggers, leaving out those of skipped tables. The
// order is the firing order among the table's triggers for the same
// timing and event (FOLLOWS/PRECEDES), which is part of its meaning. A
// trigger lives in its table's database; the filter on the table's
// database (EVENT_OBJECT_SCHEMA) lets the server open that one database's
// trigger files instead of every database's.
func (r *reader) readTriggers(ctx context.Context) error {
	return r.each(ctx, `SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER, ACTION_STATEMENT
FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND EVENT_OBJECT_SCHEMA = ?`, func(rows *sql.Rows) error {
		var name, tbl, timing, event, stmt string
		var order int64
		if err := rows.Scan(&name, &tbl, &timing, &event, &order, &stmt); err != nil {
			return err
		}
		if r.skip(tbl) {
			return nil
		}
		r.objects = append(r.objects, schema.Object{Kind: schema.KindTrigger, Name: name, Attrs: []schema.Attr{
			{Key: "table", Value: tbl},
			{Key: "timing", Value: timing},
			{Key: "event", Value: event},
			{Key: "order", Value: strconv.FormatInt(order, 10)},
			{Key: "statement", Value: stmt},
		}})
		return nil
	})
}

// readEvents reads scheduled events: schedule, status and body. The start
// and one-time execution times are left out, since the server fills them
// with the time of creation when the statement does not name them (and a
// relative time is resolved when the event is created).
func (r *reader) readEvents(ctx context.Context) error {
	return r.each(ctx, `SELECT EVENT_NAME, EVENT_TYPE, COALESCE(INTERVAL_VALUE, ''), COALESCE(INTERVAL_FIELD, ''),
	STATUS, ON_COMPLETION, EVENT_COMMENT, EVENT_DEFINITION
FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?`, func(rows *sql.Rows) error {
		var name, typ, every, field, status, completion, comment, body string
		if err := rows.Scan(&name, &typ, &every, &field, &status, &completion, &comment, &body); err != nil {
			return err
		}
		attrs := []schema.Attr{{Key: "type", Value: typ}}
		if every != "" {
			attrs = append(attrs, schema.Attr{Key: "every", Value: every + " " + field})
		}
		attrs = append(attrs,
			schema.Attr{Key: "status", Value: status},
			schema.Attr{Key: "on completion", Value: completion})
		attrs = attr(attrs, "comment", comment)
		attrs = append(attrs, schema.Attr{Key: "body", Value: body})
		r.objects = append(r.objects, schema.Object{Kind: schema.KindEvent, Name: name, Attrs: attrs})
		return nil
	})
}

// readSequences reads each MariaDB sequence's settings from the sequence
// itself, without its next value and cycle count, which are its state.
func (r *reader) readSequences(ctx context.Context) error {
	for _, name := range r.sequences {
		var start, lo, hi, inc, cache int64
		var cycle bool
		err := r.q.QueryRowContext(ctx, "SELECT start_value, minimum_value, maximum_value, increment, cache_size, cycle_option FROM "+
			quoteIdent(r.db)+"."+quoteIdent(name)).Scan(&start, &lo, &hi, &inc, &cache, &cycle)
		if err != nil {
			return fmt.Errorf("sequence %s: %w", name, err)
		}
		cycles := "no"
		if cycle {
			cycles = "yes"
		}
		r.objects = append(r.objects, schema.Object{Kind: schema.KindSequence, Name: name, Attrs: []schema.Attr{
			{Key: "start", Value: strconv.FormatInt(start, 10)},
			{Key: "increment", Value: strconv.FormatInt(inc, 10)},
			{Key: "minimum", Value: strconv.FormatInt(lo, 10)},
			{Key: "maximum", Value: strconv.FormatInt(hi, 10)},
			{Key: "cache", Value: strconv.FormatInt(cache, 10)},
			{Key: "cycle", Value: cycles},
		}})
	}
	return nil
}
