package strata

import (
	"context"
	"math/big"
	"slices"
	"strings"

	"github.com/strata-db/strata/source"
)

// MigrationHistory is what strata knows about one migration: its state
// and history row, and every change a human made to that row, in time
// order (strata history VERSION).
type MigrationHistory struct {
	// Status compares the folder with the history; its Record is nil
	// when the migration has no row (pending, or rolled back).
	Status MigrationStatus
	// Audit lists the resolve, baseline and down actions recorded for the
	// migration, oldest first.
	Audit []AuditEntry
}

// History returns the history row and audit trail of one migration. version
// is a version in any form ("7", "0007") or a repeatable migration's ID
// ("R__views"). A version that is neither in the folder, nor in the history,
// nor in the audit trail gives an [*UnknownVersionError]. It takes no lock and
// changes nothing.
func (m *Migrator) History(ctx context.Context, version string) (*MigrationHistory, error) {
	c, err := m.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer m.putBack(c, false)
	st, _, err := m.readStatus(ctx, c)
	if err != nil {
		return nil, err
	}
	id, err := canonicalID(version)
	if err != nil {
		return nil, err
	}
	audit, err := m.store.Audit(ctx, c, id)
	if err != nil {
		return nil, err
	}
	ms := findStatus(st, id)
	if ms == nil {
		if len(audit) == 0 {
			return nil, unknownVersion(st, version)
		}
		// Known only from the audit trail: rolled back, and its file gone.
		ms = &MigrationStatus{ID: id, State: StateMissing}
		ms.Version, _ = source.ParseVersion(id)
	}
	return &MigrationHistory{Status: *ms, Audit: auditOf(audit)}, nil
}

// canonicalID turns a version as typed into the ID the history records.
func canonicalID(version string) (string, error) {
	version = strings.TrimSpace(version)
	if strings.HasPrefix(version, "R__") {
		return version, nil
	}
	v, err := source.ParseVersion(version)
	if err != nil {
		return "", &ConfigError{Msg: err.Error()}
	}
	return v.String(), nil
}

func findStatus(st *Status, id string) *MigrationStatus {
	for i := range st.Migrations {
		if st.Migrations[i].ID == id {
			return &st.Migrations[i]
		}
	}
	return nil
}

// unknownVersion builds the error for a version nobody knows, listing the
// three known versions closest to it.
func unknownVersion(st *Status, version string) *UnknownVersionError {
	e := &UnknownVersionError{Version: version}
	want, ok := new(big.Int).SetString(strings.TrimSpace(version), 10)
	type cand struct {
		id   string
		dist *big.Int
	}
	var cs []cand
	for _, ms := range st.Migrations {
		if ms.Version.IsZero() {
			continue
		}
		d := big.NewInt(0)
		if v, vok := new(big.Int).SetString(ms.Version.String(), 10); ok && vok {
			d.Abs(d.Sub(v, want))
		}
		cs = append(cs, cand{ms.ID, d})
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.dist.Cmp(b.dist) })
	for i := 0; i < len(cs) && i < 3; i++ {
		e.Nearest = append(e.Nearest, cs[i].id)
	}
	return e
}
