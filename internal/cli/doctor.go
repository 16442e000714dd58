package cli

import (
	"context"
	"fmt"
	"io/fs"
	"testing/fstest"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/doctor"
	"github.com/strata-db/strata/source"
)

func (a *app) doctorCommand() *cobra.Command {
	var appURL string
	cmd := &cobra.Command{
		Use:   "doctor [--app-url URL]",
		Short: "Check the database, the history table, the lock and the users' rights",
		Long: `Check that strata can work on the database, one line per check (ok, note, warn
or fail): TLS (anything below a verified certificate is a warning, a note for a
loopback host), connectivity, the server's version, the history table (exists, layout
version, files that failed, stopped half-way or are running), the migration
lock (free, or held by whom), and that the migration user can create, alter
and drop tables in the target schema (tried in a transaction that is rolled
back on PostgreSQL and SQLite; on MySQL a uniquely named strata_doctor_ table
is created and dropped).

With --app-url (or STRATA_APP_URL), also connect as the application's user and
warn when it can change the schema, naming the grants that allow it: the
application should not be able to drop its own tables.

Exits 1 when a check fails (6 when the database cannot be reached), 0 when
every check is ok, note or warn. --json prints {"ok", "checks": [{"name", "status",
"detail", "hint"}]}.`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			return a.doctor(cmd.Context(), appURL)
		}),
	}
	cmd.Flags().StringVar(&appURL, "app-url", "", "the application's database URL, to check that its user cannot change the schema")
	return cmd
}

func (a *app) doctor(ctx context.Context, appURL string) error {
	t, err := a.resolveTarget(ctx)
	if err != nil {
		return err
	}
	table, err := strata.ParseTable(a.table)
	if err != nil {
		return usage(fmt.Errorf("--table: %w", err))
	}
	lockMode, err := strata.ParseLockMode(a.lockMode)
	if err != nil {
		return usage(fmt.Errorf("--lock-mode: %w", err))
	}
	var checks []doctor.Check
	if err := t.FileExists(); err != nil { // doctor does not create a mistyped SQLite file
		checks = append(checks, doctor.Check{Name: "connect", Status: doctor.Fail, Detail: err.Error()})
		a.renderChecks(checks)
		return &exitStatus{code: ExitUsage, err: err, printed: true}
	}
	db, err := t.DB()
	if err != nil {
		return err
	}
	defer db.Close()
	if c, ok := tlsCheck(t); ok {
		checks = append(checks, c)
	}
	if err := a.connect(ctx, t, db); err != nil {
		checks = append(checks, doctor.Check{Name: "connect", Status: doctor.Fail, Detail: a.scrub(err.Error())})
		a.renderChecks(checks)
		return &exitStatus{code: exitCode(ctx, err), err: err, printed: true}
	}
	checks = append(checks, doctor.Check{Name: "connect", Status: doctor.OK, Detail: t.Dialect.Name() + " at " + t.Redacted})
	pc, pooler := a.poolerCheck(ctx, t, db, lockMode)
	checks = append(checks, pc)

	var fsys fs.FS = fstest.MapFS{}
	allowEmpty := a.allowEmpty
	if err := a.dirExists(); err != nil {
		allowEmpty = true
		checks = append(checks, doctor.Check{Name: "folder", Status: doctor.Warn, Detail: err.Error(), Hint: "checked against an empty folder"})
	} else {
		fsys = source.DirFS(a.path(a.dir))
	}
	m, err := strata.New(db, t.Dialect, fsys, strata.WithAllowEmpty(allowEmpty),
		strata.WithTable(a.table), strata.WithSessionSQL(a.sessionSQL...), strata.WithSourceName(a.dir),
		strata.WithLockMode(lockMode), strata.WithLeaseTTL(max(a.leaseTTL, time.Second)),
		strata.WithLockTimeout(time.Millisecond), strata.WithVersion(buildVersion().Version), strata.WithPooler(pooler))
	if err != nil {
		checks = append(checks, doctor.Check{Name: "folder", Status: doctor.Fail, Detail: a.scrub(a.explainFolder(err).Error()), Hint: "fix the migration files named, or --dir"})
		m, _ = strata.New(db, t.Dialect, fstest.MapFS{}, strata.WithAllowEmpty(true), strata.WithTable(a.table), strata.WithLockTimeout(time.Millisecond))
	}
	if m != nil {
		checks = append(checks, doctor.Server(ctx, doctor.Target{DB: db, Dialect: t.Dialect, Migrator: m, Table: table})...)
		checks = append(checks, doctor.Lock(ctx, m))
		if st, err := m.Status(ctx); err == nil {
			if found, hint, err := otherTools(ctx, db, t, st.HistoryExists); err == nil && found != "" {
				checks = append(checks, doctor.Check{Name: "other tool", Status: doctor.Warn, Detail: found, Hint: hint})
			}
		}
	}
	checks = append(checks, doctor.DDL(ctx, db, t.Dialect, table.Schema))
	if appURL != "" {
		checks = append(checks, a.appUserCheck(ctx, appURL, table.Schema))
	}
	for i := range checks {
		checks[i].Detail = a.scrub(checks[i].Detail)
	}
	a.renderChecks(checks)
	failed := 0
	for _, c := range checks {
		if c.Status == doctor.Fail {
			failed++
		}
	}
	if failed > 0 {
		return &exitStatus{code: ExitFailure, err: fmt.Errorf("%d doctor checks failed", failed), printed: true}
	}
	return nil
}

// tlsCheck reports how the target's connections are protected: ok for
// verified TLS, a warning for anything less to another host, a note for
// anything less to a loopback host or Unix socket. ok is false for SQLite.
func tlsCheck(t *config.Target) (doctor.Check, bool) {
	s, ok := t.TLS()
	if !ok {
		return doctor.Check{}, false
	}
	c := doctor.Check{Name: "tls", Status: doctor.OK, Detail: s.Mode + ": the server's certificate is verified"}
	if s.Verified {
		return c, true
	}
	c.Status, c.Detail = doctor.Warn, s.Mode+": "+s.Missing
	c.Hint = "add " + s.Fix + " to the URL; --require-verified-tls refuses unverified connections"
	if s.Local {
		c.Status = doctor.Note
		c.Detail += " (a loopback host or socket, so this matters only if the host is shared)"
	}
	return c, true
}

// appUserCheck connects with the application's URL and checks its rights.
func (a *app) appUserCheck(ctx context.Context, raw, schema string) doctor.Check {
	c := doctor.Check{Name: "app user", Status: doctor.Fail}
	t, err := a.parseURL(raw)
	if err != nil {
		c.Detail = "--app-url: " + err.Error()
		return c
	}
	if t.Dialect.Name() != a.target.Dialect.Name() {
		c.Detail = fmt.Sprintf("--app-url is a %s URL but the database is %s", t.Dialect.Name(), a.target.Dialect.Name())
		return c
	}
	db, err := t.DB()
	if err != nil {
		c.Detail = t.Scrub(err.Error())
		return c
	}
	defer db.Close()
	if err := t.Ping(ctx, db); err != nil {
		c.Detail = t.Scrub(err.Error())
		return c
	}
	c = doctor.AppUser(ctx, db, t.Dialect, schema)
	c.Detail = t.Scrub(c.Detail)
	return c
}

// renderChecks prints one line per check, or the JSON document.
func (a *app) renderChecks(checks []doctor.Check) {
	ok := true
	for _, c := range checks {
		ok = ok && c.Status != doctor.Fail
	}
	if a.wantJSON() {
		a.result(map[string]any{"ok": ok, "checks": checks})
	}
	if a.json {
		return
	}
	for _, c := range checks {
		if a.quiet && c.Status == doctor.OK {
			continue
		}
		fmt.Fprintf(a.stdout, "%-4s  %-14s  %s\n", c.Status, c.Name, c.Detail)
		if c.Hint != "" {
			fmt.Fprintf(a.stdout, "      %-14s  hint: %s\n", "", c.Hint)
		}
	}
}
