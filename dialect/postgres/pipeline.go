package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.Pipeliner = Dialect{}

// Pipeline sends every query in one round trip using the extended
// protocol's pipeline mode, then reads the results in order. After an
// error the server skips the remaining queries up to the sync point.
func (Dialect) Pipeline(ctx context.Context, conn *sql.Conn, queries []dialect.Query) (done int, err error) {
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("pipeline needs a pgx connection, got %T", dc)
		}
		pc := sc.Conn().PgConn()
		params := make([][][]byte, len(queries))
		for i, q := range queries {
			vals, err := encodeText(q.Args)
			if err != nil {
				return err
			}
			params[i] = vals
		}
		p := pc.StartPipeline(ctx)
		for i, q := range queries {
			p.SendQueryParams(q.SQL, params[i], nil, nil, nil)
		}
		if err := p.Sync(); err != nil {
			p.Close()
			return err
		}
		for done < len(queries) {
			res, err := p.GetResults()
			if err != nil {
				p.Close()
				return err
			}
			rr, ok := res.(*pgconn.ResultReader)
			if !ok {
				p.Close()
				return fmt.Errorf("pipeline: unexpected result %T", res)
			}
			if _, err := rr.Close(); err != nil {
				p.Close()
				return err
			}
			done++
		}
		return p.Close()
	})
	return done, err
}

// CanPipeline is true: every pgx connection can.
func (Dialect) CanPipeline(context.Context, *sql.Conn) bool { return true }

// sinceBatch is the time since the batch began: a pipeline is one
// transaction (implicit until its BEGIN), whose start time is when the
// server read the batch's first message. statement_timestamp() is when the
// server began the statement it is in (the history INSERT, after the
// file's statements ran), the same value wherever it appears in that
// statement, so finished_at and execution_ms agree to the millisecond;
// clock_timestamp(), read once per use, let them differ under load.
const sinceBatch = "(statement_timestamp() - transaction_timestamp())"

// ElapsedMS implements dialect.Pipeliner.
func (Dialect) ElapsedMS() string {
	return "CAST(floor(EXTRACT(EPOCH FROM " + sinceBatch + ") * 1000) AS bigint)"
}

// AddElapsed implements dialect.Pipeliner.
func (Dialect) AddElapsed(start string) string {
	return "(CAST(" + start + " AS timestamptz) + " + sinceBatch + ")"
}

// encodeText renders arguments in PostgreSQL's text format; the server
// infers their types from the statement.
func encodeText(args []any) ([][]byte, error) {
	out := make([][]byte, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case nil:
		case string:
			out[i] = []byte(v)
		case int:
			out[i] = strconv.AppendInt(nil, int64(v), 10)
		case int64:
			out[i] = strconv.AppendInt(nil, v, 10)
		case time.Time:
			out[i] = []byte(v.Format("2006-01-02 15:04:05.999999999Z07:00"))
		case sql.NullString:
			if v.Valid {
				out[i] = []byte(v.String)
			}
		case sql.NullTime:
			if v.Valid {
				out[i] = []byte(v.Time.Format("2006-01-02 15:04:05.999999999Z07:00"))
			}
		default:
			return nil, errors.New("pipeline: unsupported argument type " + fmt.Sprintf("%T", a))
		}
	}
	return out, nil
}
