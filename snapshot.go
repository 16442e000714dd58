package strata

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/schema"
)

// ErrSchemaUnsupported is returned by Schema, Drift and AcceptDrift when
// the dialect cannot read its schema from the catalogs
// (dialect.SchemaReader). Runs then neither record snapshots nor check
// for drift.
var ErrSchemaUnsupported = errors.New("this database's dialect cannot read its schema")

// SchemaDriftError is returned by Apply (and Up) when the live schema
// differs from the snapshot recorded after the last run that changed it,
// before any file ran: the files were written and reviewed against the
// recorded schema. Nothing was changed. WithAllowDrift(true) applies
// anyway; AcceptDrift records the live schema as the new snapshot.
type SchemaDriftError struct {
	// Version is the highest applied version the snapshot was taken at.
	Version string
	// TakenAt is when the snapshot was taken.
	TakenAt time.Time
	// Changes are the objects that differ, from the snapshot to the live
	// schema.
	Changes []schema.Change
}

// Error says what drifted and what to do.
func (e *SchemaDriftError) Error() string {
	return e.Found() + "; allow drift (WithAllowDrift) to apply anyway, or accept the live schema (AcceptDrift)"
}

// Found says what drifted, without what to do: Error for front ends that
// phrase their own hint.
func (e *SchemaDriftError) Found() string {
	var b strings.Builder
	differ := fmt.Sprintf("%d objects differ", len(e.Changes))
	if len(e.Changes) == 1 {
		differ = "1 object differs"
	}
	fmt.Fprintf(&b, "refusing to migrate: the schema drifted since the snapshot taken at version %s: %s", orNoVersion(e.Version), differ)
	for i, c := range e.Changes {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Changes)-i)
			break
		}
		b.WriteString("; " + describeChange(c))
	}
	return b.String()
}

// describeChange is one change in a few words: "index public.x added",
// "table public.users changed (column email)".
func describeChange(c schema.Change) string {
	s := string(c.Kind) + " " + c.Name + " " + string(c.Op)
	if c.Op == schema.Changed {
		keys := make([]string, len(c.Attrs))
		for i, a := range c.Attrs {
			keys[i] = a.Key
		}
		s += " (" + strings.Join(keys, ", ") + ")"
	}
	return s
}

// WithAllowDrift lets Apply run when the live schema differs from the
// recorded snapshot (see SchemaDriftError).
func WithAllowDrift(allow bool) Option {
	return func(c *config) error { c.allowDrift = allow; return nil }
}

// ownTable reports whether schemaName.table is one of strata's own tables
// (history, audit, snapshot, lease), which snapshots leave out.
func (m *Migrator) ownTable(schemaName, table string) bool {
	m.mu.Lock()
	t := m.cfg.table
	m.mu.Unlock()
	own := []string{t.Name, dialect.AuditTable(t).Name, dialect.SnapshotTable(t).Name, t.Name + "_lock"}
	if !slices.Contains(own, table) {
		return false
	}
	return t.Schema == "" || schemaName == "" || schemaName == t.Schema
}

// readSchema reads the live schema on q, normalised.
func (m *Migrator) readSchema(ctx context.Context, q dialect.Execer) (*schema.Snapshot, error) {
	r, ok := m.d.(dialect.SchemaReader)
	if !ok {
		return nil, ErrSchemaUnsupported
	}
	var s *schema.Snapshot
	var err error
	if sr, ok := m.d.(dialect.ScopedSchemaReader); ok && m.cfg.tenantSchema != "" {
		s, err = sr.ReadSchemaOf(ctx, q, m.cfg.tenantSchema, m.ownTable)
	} else {
		s, err = r.ReadSchema(ctx, q, m.ownTable)
	}
	if err != nil {
		return nil, fmt.Errorf("read the schema: %w", err)
	}
	s.Normalize()
	return s, nil
}

// checkSchemaDrift compares the live schema with the last snapshot, under
// the lock before a run applies anything. It says nothing when drift is
// allowed, the dialect cannot read its schema, no snapshot was recorded,
// or the snapshot was taken at another version than the current one (a
// run stopped before it could record one, or the history was resolved by
// hand): the comparison would then report the files' own changes.
func (m *Migrator) checkSchemaDrift(ctx context.Context, s *session) error {
	if m.cfg.allowDrift {
		return nil
	}
	if _, ok := m.d.(dialect.SchemaReader); !ok {
		return nil
	}
	rec, err := m.store.LastSnapshot(ctx, s.c)
	if err != nil || rec == nil || rec.Version != s.st.Current.String() {
		return err
	}
	live, err := m.readSchema(ctx, s.c)
	if err != nil {
		return err
	}
	if changes := schema.Diff(rec.Snapshot, live); len(changes) > 0 {
		return &SchemaDriftError{Version: rec.Version, TakenAt: rec.TakenAt, Changes: changes}
	}
	return nil
}

// recordSchema reads the live schema and records it with the highest
// applied version, after a run that changed the schema (s.snapshot says
// which). A dialect that cannot read its schema records nothing.
func (m *Migrator) recordSchema(ctx context.Context, s *session, reason string) error {
	if _, ok := m.d.(dialect.SchemaReader); !ok {
		return nil
	}
	if s.dataOnly {
		carried, err := m.carrySchema(ctx, s, reason)
		if carried || err != nil {
			return err
		}
	}
	rec, err := m.takeSchema(ctx, s, reason)
	if err != nil {
		return err
	}
	if err := m.store.EnsureSnapshots(ctx, s.c); err != nil {
		return err
	}
	return m.store.AddSnapshot(ctx, s.c, *rec)
}

// takeSchema reads the live schema into a snapshot record with the
// highest applied version, without writing it.
func (m *Migrator) takeSchema(ctx context.Context, s *session, reason string) (*history.SchemaRecord, error) {
	recs, err := m.store.All(ctx, s.c)
	if err != nil {
		return nil, err
	}
	live, err := m.readSchema(ctx, s.c)
	if err != nil {
		return nil, err
	}
	rec := history.SchemaRecord{Version: m.status(recs).Current.String(), Hash: live.Hash(), Snapshot: live,
		TakenBy: s.who, Reason: reason, StrataVersion: m.cfg.version, TakenAt: time.Now()}
	return &rec, nil
}

// orNoVersion names the empty version.
func orNoVersion(v string) string {
	if v == "" {
		return "none"
	}
	return v
}

// carrySchema records the last snapshot again with the version a
// data-only run reached, without reading the catalogs (on PostgreSQL a
// new connection's first catalog read costs a few hundred milliseconds,
// more than a thousand one-INSERT files). It carries only a snapshot
// taken at the version the run started from; otherwise it reports false
// and the caller reads the schema.
func (m *Migrator) carrySchema(ctx context.Context, s *session, reason string) (bool, error) {
	last, err := m.store.LastSnapshot(ctx, s.c)
	if err != nil || last == nil || last.Version != s.from {
		return false, err
	}
	recs, err := m.store.All(ctx, s.c)
	if err != nil {
		return false, err
	}
	rec := *last
	rec.Version = m.status(recs).Current.String()
	if rec.Version == last.Version {
		return true, nil
	}
	rec.TakenBy, rec.Reason, rec.StrataVersion, rec.TakenAt = s.who, reason+" (data only: schema carried forward)", m.cfg.version, time.Now()
	return true, m.store.AddSnapshot(ctx, s.c, rec)
}
