package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/fleet"
	"github.com/strata-db/strata/source"
)

// fleetTargets lists the fleet from --targets, --targets-query or
// --targets-schemas. Each target opens a Migrator built like the
// single-target one (openTarget), as b says.
func (a *app) fleetTargets(ctx context.Context, fl *fleetFlags, b *fleetBuild) ([]fleet.Target, error) {
	var (
		ts  []fleet.Target
		err error
	)
	switch {
	case fl.file != "":
		ts, err = a.targetsFile(ctx, fl.file, b)
	case fl.query != "":
		ts, err = a.targetsQuery(ctx, fl.query, b)
	default:
		ts, err = a.targetsSchemas(ctx, fl.schemas, b)
	}
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, usage(errors.New("the fleet has no targets: check the --targets file, query or pattern"))
	}
	return ts, nil
}

// fleetBuild is what every target of a fleet is opened with: the
// migrations folder, loaded once for all of them (one read, one set of
// checksums), and the options the command adds. reg collects the targets.
type fleetBuild struct {
	reg   targetRegistry
	dir   *source.Dir
	extra []strata.Option
	// parallel is the fleet's --parallel: the connections a shared pool
	// keeps open between targets.
	parallel int
	// shared are the pools targets of one server share; the run closes
	// them when every target is done.
	shared []*sharedServer
}

// Close closes the pools the fleet's targets shared.
func (b *fleetBuild) Close() error {
	var errs []error
	for _, s := range b.shared {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// targetRegistry maps a fleet target's name to its parsed URL, whose
// secrets are scrubbed from the target's errors.
type targetRegistry map[string]*config.Target

// scrubbing wraps f so that its errors never hold a target's password.
func (reg targetRegistry) scrubbing(f fleet.Func) fleet.Func {
	return func(ctx context.Context, t fleet.Target) (fleet.Report, error) {
		rep, err := f(ctx, t)
		return rep, reg[t.Name].ScrubError(err)
	}
}

// fleetTarget makes a fleet target of a parsed URL, named name, with the
// options more besides b's.
func (a *app) fleetTarget(b *fleetBuild, name string, t *config.Target, more ...strata.Option) fleet.Target {
	b.reg[name] = t
	opts := append(slices.Clip(b.extra), more...)
	return fleet.Target{Name: name, URL: t.Redacted, Open: func(ctx context.Context) (*strata.Migrator, io.Closer, error) {
		s, err := a.openTarget(ctx, t, b.dir, nil, opts...)
		if err != nil {
			return nil, nil, err
		}
		return s.m, s, nil
	}}
}

// targetsFile reads one URL a line from path: blank lines and lines
// starting with # are skipped. A target is named by its redacted URL.
func (a *app) targetsFile(ctx context.Context, path string, b *fleetBuild) ([]fleet.Target, error) {
	f, err := os.Open(a.path(path))
	if err != nil {
		return nil, usage(fmt.Errorf("--targets: %w", err))
	}
	defer f.Close()
	var raws []string
	var where []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		raws = append(raws, line)
		where = append(where, fmt.Sprintf("%s:%d", path, n))
	}
	if err := sc.Err(); err != nil {
		return nil, usage(fmt.Errorf("--targets: read %s: %w", path, err))
	}
	return a.urlTargets(ctx, raws, where, b)
}

// targetsQuery lists the targets' URLs with a query run on --url.
func (a *app) targetsQuery(ctx context.Context, q string, b *fleetBuild) ([]fleet.Target, error) {
	t, err := a.resolveTarget(ctx)
	if err != nil {
		return nil, err
	}
	db, err := t.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	raws, err := fleet.Query(ctx, db, q)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, usage(fmt.Errorf("--targets-query on %s: %w; fix the query", t.Redacted, t.ScrubError(err)))
	}
	where := make([]string, len(raws))
	for i := range raws {
		where[i] = fmt.Sprintf("--targets-query row %d", i+1)
	}
	return a.urlTargets(ctx, raws, where, b)
}

// urlTargets parses URLs, naming each mistake by where it came from, with
// the password redacted. The password flags, when given, apply to every
// target.
func (a *app) urlTargets(ctx context.Context, raws, where []string, b *fleetBuild) ([]fleet.Target, error) {
	if a.set.passwordCommand != "" {
		if err := a.commandTrusted(); err != nil {
			return nil, usage(err)
		}
	}
	in := a.passwordInput()
	pw, havePW, err := in.Password(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, usage(err)
	}
	perConn := in.PerConnection(pw)
	seen := map[string]string{}
	var out []fleet.Target
	for i, raw := range raws {
		t, err := a.parseURL(raw)
		if err != nil {
			return nil, usage(fmt.Errorf("%s: %w", where[i], err))
		}
		if err := a.checkTLS(t); err != nil {
			return nil, usage(fmt.Errorf("%s: %w", where[i], err))
		}
		switch {
		case a.set.awsIAM || t.WantsIAM():
			from, _ := in.PasswordSource()
			if err := a.awsIAM(ctx, t, from); err != nil {
				return nil, fmt.Errorf("%s: %w", where[i], err)
			}
		case havePW && in.Command != "":
			// One function for every target: the command's first answer
			// is used once, then it runs for each new connection.
			if err := t.SetPasswordFunc(perConn); err != nil {
				return nil, usage(fmt.Errorf("%s: %w", where[i], err))
			}
		case havePW:
			if err := t.SetPassword(pw); err != nil {
				return nil, usage(fmt.Errorf("%s: %w", where[i], err))
			}
		}
		if first, dup := seen[t.Redacted]; dup {
			return nil, usage(fmt.Errorf("%s: %s is listed twice (first at %s): list each database once", where[i], t.Redacted, first))
		}
		seen[t.Redacted] = where[i]
		out = append(out, a.fleetTarget(b, t.Redacted, t))
	}
	return out, nil
}

// targetsSchemas makes one target per schema (PostgreSQL) or database
// (MySQL) of --url whose name is LIKE pattern: the same connection, with
// the history table in that schema and the session pointed at it. A target
// is named by its schema.
func (a *app) targetsSchemas(ctx context.Context, pattern string, b *fleetBuild) ([]fleet.Target, error) {
	if _, err := strata.ParseTable(a.table); err != nil || strings.Contains(a.table, ".") {
		return nil, usage(fmt.Errorf("--table %q: with --targets-schemas give a bare table name; each tenant's history table goes in its own schema", a.table))
	}
	t, err := a.resolveTarget(ctx)
	if err != nil {
		return nil, err
	}
	if _, _, err := fleet.SchemaSettings(t.Dialect, "x", a.table); err != nil {
		return nil, usage(fmt.Errorf("--targets-schemas on %s: %w", t.Redacted, err))
	}
	db, err := t.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	names, err := fleet.Schemas(ctx, db, t.Dialect, pattern)
	if err != nil {
		return nil, t.ScrubError(err)
	}
	// One pool for every schema: each target's Migrator points its
	// connections at its schema with its session SQL.
	srv := &sharedServer{t: t, idle: b.parallel + 1}
	b.shared = append(b.shared, srv)
	var out []fleet.Target
	for _, name := range names {
		table, session, err := fleet.SchemaSettings(t.Dialect, name, a.table)
		if err != nil {
			return nil, usage(err)
		}
		b.reg[name] = t
		opts := append(slices.Clip(b.extra), strata.WithTable(table), strata.WithSessionSQL(session), strata.WithTenantSchema(name))
		out = append(out, fleet.Target{Name: name, URL: t.Redacted + " (schema " + name + ")",
			Open: func(ctx context.Context) (*strata.Migrator, io.Closer, error) {
				return srv.migrator(ctx, a, b.dir, opts...)
			}})
	}
	return out, nil
}
