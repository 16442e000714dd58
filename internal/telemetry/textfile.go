package telemetry

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// WriteTextfile writes the run's totals to path in the Prometheus text
// format, for node_exporter's textfile collector: atomically (a
// temporary file in the same folder, renamed over path), so the
// collector never reads half a file.
func WriteTextfile(path, command string, s Stats, code int, end time.Time) error {
	var b strings.Builder
	cmd := `command="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(command) + `"`
	metric := func(name, typ, help, labels string, v any) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n%s{%s} %v\n", name, help, name, typ, name, labels, v)
	}
	metric("strata_migrations_applied", "gauge", "Migration files applied by the last run.", cmd, s.Applied)
	metric("strata_migrations_failed", "gauge", "Migration files that failed in the last run.", cmd, s.Failed)
	metric("strata_migration_duration_seconds", "gauge", "Time the last run spent running migration files.", cmd, s.Duration.Seconds())
	metric("strata_lock_wait_seconds", "gauge", "Time the last run waited for the migration lock.", cmd, s.LockWait.Seconds())
	metric("strata_last_run_exit_code", "gauge", "Exit code of the last run (0: success).", cmd, code)
	metric("strata_last_run_timestamp_seconds", "gauge", "When the last run ended, in Unix seconds.", cmd, end.Unix())
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write --metrics-file: %w", err)
	}
	defer os.Remove(f.Name()) // after a successful rename, there is nothing to remove
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("write --metrics-file: %w", err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("write --metrics-file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write --metrics-file: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write --metrics-file: %w", err)
	}
	return nil
}
