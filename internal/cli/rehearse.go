package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"
)

func (a *app) rehearseCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rehearse",
		Short: "Run the pending migrations in a transaction on the real database and roll it back",
		Long: `Run the pending files against the database of --url inside one transaction,
print each file's time, and roll the transaction back: it proves the files apply
to the real data and changes nothing, the history included. It holds the
migration lock meanwhile, so no one applies files during it. Files that cannot
run in a transaction (-- strata:no-transaction, CREATE INDEX CONCURRENTLY) are
listed as not rehearsed, with the reason.

PostgreSQL and SQLite only: MySQL and MariaDB commit DDL implicitly, so a
rehearsal could not be rolled back; use strata verify there. Exits 4 when a
file fails.`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			return a.rehearse(cmd.Context())
		}),
	}
}

// jsonRehearseFile is one file of `rehearse --json` output.
type jsonRehearseFile struct {
	File       string `json:"file"`
	Version    string `json:"version"`
	Rehearsed  bool   `json:"rehearsed"`
	OK         bool   `json:"ok"`
	DurationMS int64  `json:"duration_ms"`
	Reason     string `json:"reason,omitempty"`
	Error      string `json:"error,omitempty"`
}

func (a *app) rehearse(ctx context.Context) error {
	s, err := a.open(ctx, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.m.Rehearse(ctx)
	if err != nil {
		return err
	}
	out := struct {
		OK    bool               `json:"ok"`
		Files []jsonRehearseFile `json:"files"`
	}{OK: res.OK(), Files: []jsonRehearseFile{}}
	if len(res.Files) == 0 {
		a.printf("nothing to rehearse: no pending migrations\n")
	}
	for _, f := range res.Files {
		jf := jsonRehearseFile{File: f.File, Version: f.Version, Rehearsed: f.Rehearsed, OK: f.Err == nil, DurationMS: f.Duration.Milliseconds(), Reason: f.Reason}
		switch {
		case f.Err != nil:
			jf.Error = a.scrub(f.Err.Error())
			a.printf("FAIL     %s (%s)\n         %s\n", f.File, fmtDuration(f.Duration), strings.ReplaceAll(jf.Error, "\n", "\n         "))
		case !f.Rehearsed:
			a.printf("skipped  %s: %s\n", f.File, f.Reason)
		default:
			a.printf("ok       %s (%s)\n", f.File, fmtDuration(f.Duration))
		}
		out.Files = append(out.Files, jf)
	}
	a.result(out)
	if !res.OK() {
		a.printf("rehearsal failed; everything was rolled back\n")
		return &exitStatus{code: ExitMigrationFailed, printed: true, err: errors.New("rehearsal failed")}
	}
	if len(res.Files) > 0 {
		a.printf("rehearsal ok; everything was rolled back, nothing changed\n")
	}
	return nil
}
