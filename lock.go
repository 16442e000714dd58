package strata

import (
	"context"
	"sync"
)

// Lock takes the migration lock and holds it until release is called, for
// work that must not overlap a migration (and for tests). It waits up to the
// configured lock timeout; release is safe to call more than once.
func (m *Migrator) Lock(ctx context.Context) (release func(), err error) {
	c, err := m.conn(ctx)
	if err != nil {
		return nil, err
	}
	l, _, err := m.lock(ctx, c, func(error) {})
	if err != nil {
		m.putBack(c, false)
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = l.Release(context.WithoutCancel(ctx))
			m.putBack(c, false)
		})
	}, nil
}
