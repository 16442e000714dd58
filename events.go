package strata

import (
	"time"

	"github.com/strata-db/strata/source"
	"github.com/strata-db/strata/sqlsplit"
)

// EventKind says what an [Event] reports.
type EventKind string

// The kinds of events a Migrator emits.
const (
	EventLockWaiting    EventKind = "lock_waiting"    // the lock is held by someone else; Holder says who
	EventLockAcquired   EventKind = "lock_acquired"   // the lock was taken after Duration
	EventMigrationStart EventKind = "migration_start" // a file starts
	EventStatementStart EventKind = "statement_start" // a statement is sent
	EventMigrationDone  EventKind = "migration_done"  // a file finished after Duration
	EventMigrationError EventKind = "migration_error" // a file failed with Err
	EventSessionReset   EventKind = "session_reset"   // session state was reset after a file
	EventMigrationRetry EventKind = "migration_retry" // a file that failed on a lock timeout runs again (Attempt) after Duration; Err is why
	EventEmptyMigration EventKind = "empty_migration" // a versioned file with no statements was recorded as applied: editing it later is refused as drift
	EventSnapshotFailed EventKind = "snapshot_failed" // the schema snapshot after a run could not be read or recorded (Err); the run's own outcome stands, and drift is compared with the previous snapshot
)

// Event is one step of a run, for progress output and logs. The library
// never prints; the CLI renders events.
type Event struct {
	Kind      EventKind
	Time      time.Time
	Migration *source.Migration   // the file, when the event concerns one
	File      string              // the file's display name
	Statement *sqlsplit.Statement // for EventStatementStart
	Index     int                 // 1-based statement number, for EventStatementStart
	// Batched is true, for EventStatementStart, when the statement is sent
	// with the rest of its file in one round trip: the events come before
	// any of them runs, so the time between them is not the statement's.
	Batched  bool
	Duration time.Duration
	Holder   string // for EventLockWaiting
	Err      error  // for EventMigrationError and EventMigrationRetry
	Attempt  int    // for EventMigrationRetry: the attempt about to start (2 for the first retry)
	// Direction is [DirectionDown] when File is the migration's down file
	// (a rollback), [DirectionUp] for every other event about a file, and
	// "" for events about no file.
	Direction Direction
}

func (m *Migrator) emit(e Event) {
	if m.cfg.observer == nil {
		return
	}
	e.Time = time.Now()
	if e.Migration != nil && e.File == "" {
		e.File = m.display(e.Migration.Path)
	}
	if e.Migration != nil {
		e.Direction = DirectionUp
		if e.Migration.DownPath != "" && e.File == m.display(e.Migration.DownPath) {
			e.Direction = DirectionDown
		}
	}
	m.cfg.observer(e)
}
