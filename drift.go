package strata

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/schema"
)

// Schema reads the database's live schema from its catalogs, without
// strata's own tables, normalised (see schema.Snapshot). It returns
// ErrSchemaUnsupported when the dialect cannot.
func (m *Migrator) Schema(ctx context.Context) (*schema.Snapshot, error) {
	c, err := m.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer m.putBack(c, false)
	return m.readSchema(ctx, c)
}

// SchemaRecord describes a recorded schema snapshot.
type SchemaRecord struct {
	Version string // the highest applied version when it was taken ("" for none)
	Hash    string // SHA-256 of its canonical text
	TakenAt time.Time
	TakenBy string
	Reason  string // the run that took it ("up", "down", "redo", "baseline") or an accepted drift's reason
}

func schemaRecord(r *history.SchemaRecord) *SchemaRecord {
	if r == nil {
		return nil
	}
	return &SchemaRecord{Version: r.Version, Hash: r.Hash, TakenAt: r.TakenAt, TakenBy: r.TakenBy, Reason: r.Reason}
}

// DriftReport compares the live schema with the last recorded snapshot.
type DriftReport struct {
	// Recorded is the last snapshot, nil when none was recorded (no run
	// changed the schema since snapshots were introduced).
	Recorded *SchemaRecord
	// Current is the highest applied version now.
	Current string
	// Stale is set when the snapshot was taken at another version than
	// Current: a run stopped before recording one, or the history was
	// changed by hand. Changes then include the files' own changes.
	Stale bool
	// LiveHash is the hash of the live schema ("" when Recorded is nil).
	LiveHash string
	// Live is the live schema (nil when Recorded is nil).
	Live *schema.Snapshot
	// Changes are the objects that differ from the snapshot to the live
	// schema (nil when Recorded is nil).
	Changes []schema.Change
}

// Drift compares the live schema with the snapshot recorded after the last
// run that changed it, read-only and without the lock. When no snapshot
// was recorded it does not read the live schema (Live is nil).
func (m *Migrator) Drift(ctx context.Context) (*DriftReport, error) {
	if _, ok := m.d.(dialect.SchemaReader); !ok {
		return nil, ErrSchemaUnsupported
	}
	c, err := m.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer m.putBack(c, false)
	rec, err := m.store.LastSnapshot(ctx, c)
	if err != nil {
		return nil, err
	}
	recs, err := m.store.All(ctx, c)
	if err != nil {
		return nil, err
	}
	rep := &DriftReport{Recorded: schemaRecord(rec), Current: m.status(recs).Current.String()}
	if rec == nil {
		return rep, nil
	}
	live, err := m.readSchema(ctx, c)
	if err != nil {
		return nil, err
	}
	rep.Live, rep.LiveHash = live, live.Hash()
	rep.Stale = rec.Version != rep.Current
	rep.Changes = schema.Diff(rec.Snapshot, live)
	return rep, nil
}

// AcceptDriftResult is what AcceptDrift recorded.
type AcceptDriftResult struct {
	// Previous is the snapshot before (nil when there was none).
	Previous *SchemaRecord
	// Recorded is the new snapshot: the live schema.
	Recorded *SchemaRecord
	// Changes are the differences accepted.
	Changes []schema.Change
	// Audit is the entry written to the audit trail.
	Audit    history.AuditEntry
	LockWait time.Duration
}

// AcceptDrift records the live schema as the new snapshot, under the
// migration lock, with an audit entry giving reason (required, as for
// Resolve): after a change made by hand was reviewed and kept, Apply no
// longer refuses with a *SchemaDriftError.
func (m *Migrator) AcceptDrift(ctx context.Context, reason string) (*AcceptDriftResult, error) {
	if err := checkReason(reason, true); err != nil {
		return nil, fmt.Errorf("cannot accept the schema drift: %w", err)
	}
	if _, ok := m.d.(dialect.SchemaReader); !ok {
		return nil, ErrSchemaUnsupported
	}
	res := &AcceptDriftResult{}
	var err error
	res.LockWait, err = m.locked(ctx, func(ctx context.Context, s *session) error {
		prev, err := m.store.LastSnapshot(ctx, s.c)
		if err != nil {
			return err
		}
		rec, err := m.takeSchema(ctx, s, "accept drift: "+strings.TrimSpace(reason))
		if err != nil {
			return err
		}
		res.Previous, res.Recorded = schemaRecord(prev), schemaRecord(rec)
		oldHash := ""
		if prev != nil {
			res.Changes = schema.Diff(prev.Snapshot, rec.Snapshot)
			oldHash = prev.Hash
		}
		e := s.audit(m, history.SchemaID, history.ActionAcceptDrift, StateApplied, StateApplied, oldHash, rec.Hash, strings.TrimSpace(reason))
		var d []string
		for _, c := range res.Changes {
			d = append(d, describeChange(c))
		}
		e.Detail = fmt.Sprintf("schema snapshot at version %s accepted; %d objects differed", rec.Version, len(res.Changes))
		if len(d) > 0 {
			e.Detail += ": " + strings.Join(d, "; ")
		}
		res.Audit = e
		if err := m.store.EnsureSnapshots(ctx, s.c); err != nil {
			return err
		}
		return s.inTx(ctx, func(tx *sql.Tx) error {
			if err := m.store.AddSnapshot(ctx, tx, *rec); err != nil {
				return err
			}
			return m.store.AddAudit(ctx, tx, e)
		})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
