package history

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/schema"
)

// ActionAcceptDrift is the audit action of a drifted schema accepted as
// the new snapshot (resolve --accept-drift).
const ActionAcceptDrift Action = "resolve_accept_drift"

// SchemaID is the migration ID audit entries about the whole schema carry.
const SchemaID = "~schema"

// SchemaRecord is one row of the snapshot table: the schema strata read
// after a run that changed it, with the last applied version then.
type SchemaRecord struct {
	Seq           int64
	Version       string // the highest applied version when it was taken ("" for none)
	Hash          string // schema.Snapshot.Hash of Snapshot
	Snapshot      *schema.Snapshot
	TakenAt       time.Time
	TakenBy       string
	Reason        string // what run took it: "up", "down", "baseline", an accepted drift's reason
	StrataVersion string
}

const snapshotColumns = "version, hash, snapshot, taken_at, taken_by, reason, strata_version"

// SnapshotTable returns the schema snapshot table of this store's history
// table.
func (s *Store) SnapshotTable() dialect.Table { return dialect.SnapshotTable(s.table) }

// EnsureSnapshots creates the snapshot table if it does not exist, for
// history tables created before it was introduced. It is idempotent.
func (s *Store) EnsureSnapshots(ctx context.Context, q dialect.Execer) error {
	t := s.SnapshotTable()
	ok, err := s.d.TableExists(ctx, q, t)
	if err != nil {
		return fmt.Errorf("check snapshot table %s: %w", t, err)
	}
	if ok {
		return nil
	}
	for _, stmt := range s.d.HistoryDDL(s.table) {
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create snapshot table %s: %w", t, err)
		}
	}
	return nil
}

// AddSnapshot records r (Seq is ignored; TakenAt defaults to now), its
// snapshot stored as gzip-compressed canonical text. The table must exist
// (EnsureSnapshots).
func (s *Store) AddSnapshot(ctx context.Context, q dialect.Execer, r SchemaRecord) error {
	if r.TakenAt.IsZero() {
		r.TakenAt = time.Now()
	}
	text := r.Snapshot.Text()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.WriteString(zw, text); err != nil {
		return fmt.Errorf("compress the schema snapshot: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress the schema snapshot: %w", err)
	}
	t := s.SnapshotTable()
	_, err := q.ExecContext(ctx, "INSERT INTO "+s.d.QuoteTable(t)+" ("+snapshotColumns+") VALUES ("+s.placeholders(7)+")",
		r.Version, r.Snapshot.Hash(), buf.Bytes(), s.timeArg(r.TakenAt), r.TakenBy, r.Reason, r.StrataVersion)
	if err != nil {
		return fmt.Errorf("record the schema snapshot in %s: %w", t, err)
	}
	return nil
}

// LastSnapshot returns the most recent snapshot, or nil when none was
// recorded (or the table does not exist).
func (s *Store) LastSnapshot(ctx context.Context, q dialect.Execer) (*SchemaRecord, error) {
	t := s.SnapshotTable()
	qt := s.d.QuoteTable(t)
	row := q.QueryRowContext(ctx, "SELECT seq, "+selectList(s.d, snapshotColumns, "taken_at")+" FROM "+qt+
		" WHERE seq = (SELECT MAX(seq) FROM "+qt+")")
	var r SchemaRecord
	var blob []byte
	var at anyTime
	err := row.Scan(&r.Seq, &r.Version, &r.Hash, &blob, &at, &r.TakenBy, &r.Reason, &r.StrataVersion)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil && s.d.MissingTable(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read snapshot table %s: %w", t, err)
	}
	r.TakenAt = at.Time
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, fmt.Errorf("read snapshot %d of %s: %w", r.Seq, t, err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("read snapshot %d of %s: %w", r.Seq, t, err)
	}
	if r.Snapshot, err = schema.Parse(string(text)); err != nil {
		return nil, fmt.Errorf("read snapshot %d of %s: %w", r.Seq, t, err)
	}
	return &r, nil
}
