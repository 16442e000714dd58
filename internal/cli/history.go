package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
)

func (a *app) historyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "history VERSION",
		Short: "Show one migration's history row and its audit trail",
		Long: `Print what strata knows about one migration: its state, its history row
(checksum, when and by whom it was applied, progress, error), and every change
a human made to that row (resolve, baseline, down), oldest first, with the old
and new state and checksum, the reason, who and when. Takes no lock and changes
nothing. VERSION is a version in any form (7, 0007) or a repeatable migration's
R__name.`,
		Args: cobra.ExactArgs(1),
		RunE: a.run(func(cmd *cobra.Command, args []string) error {
			return a.history(cmd.Context(), args[0])
		}),
	}
}

// jsonAudit is one audit entry in `history --json` output.
type jsonAudit struct {
	Seq           int64  `json:"seq"`
	Action        string `json:"action"`
	OldState      string `json:"old_state"`
	NewState      string `json:"new_state"`
	OldChecksum   string `json:"old_checksum"`
	NewChecksum   string `json:"new_checksum"`
	Reason        string `json:"reason"`
	By            string `json:"by"`
	At            string `json:"at"`
	Detail        string `json:"detail"`
	StrataVersion string `json:"strata_version"`
}

// jsonHistory is `history --json` output.
type jsonHistory struct {
	Version           string      `json:"version"`
	Name              string      `json:"name"`
	File              string      `json:"file"`
	State             string      `json:"state"`
	Checksum          string      `json:"checksum"`
	RecordedChecksum  string      `json:"recorded_checksum"`
	Kind              string      `json:"kind"`
	AppliedAt         *string     `json:"applied_at"`
	AppliedBy         string      `json:"applied_by"`
	DurationMS        int64       `json:"duration_ms"`
	StatementsApplied int         `json:"statements_applied"`
	StatementsTotal   int         `json:"statements_total"`
	Error             *string     `json:"error"`
	Audit             []jsonAudit `json:"audit"`
}

func (a *app) history(ctx context.Context, version string) error {
	a.set.readOnly = true // changes nothing: SQLite opens read-only
	s, err := a.open(ctx, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	h, err := s.m.History(ctx, version)
	if err != nil {
		return err
	}
	ms := h.Status
	out := jsonHistory{Version: ms.ID, Name: ms.Name, File: ms.File, State: string(ms.State), Checksum: ms.Checksum,
		RecordedChecksum: ms.RecordedChecksum, AppliedBy: ms.AppliedBy, DurationMS: ms.Duration.Milliseconds(),
		StatementsApplied: ms.StatementsApplied, StatementsTotal: ms.StatementsTotal, Audit: []jsonAudit{}}
	if ms.Record != nil {
		out.Kind = string(ms.Record.Kind)
		at := ms.AppliedAt.UTC().Format(time.RFC3339)
		out.AppliedAt = &at
	}
	if ms.Error != "" {
		e := a.scrub(ms.Error)
		out.Error = &e
	}
	for _, e := range h.Audit {
		out.Audit = append(out.Audit, jsonAudit{Seq: e.Seq, Action: string(e.Action), OldState: e.OldState, NewState: e.NewState,
			OldChecksum: e.OldChecksum, NewChecksum: e.NewChecksum, Reason: e.Reason, By: e.By,
			At: e.At.UTC().Format(time.RFC3339), Detail: a.scrub(e.Detail), StrataVersion: e.StrataVersion})
	}
	if a.wantJSON() {
		a.result(out)
		if a.json {
			return nil
		}
	}
	if a.quiet {
		return nil
	}
	a.printHistory(ms, out)
	return nil
}

func (a *app) printHistory(ms strata.MigrationStatus, h jsonHistory) {
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v == "" {
			v = "-"
		}
		fmt.Fprintf(w, "%s\t%s\n", k, v)
	}
	row("version", h.Version)
	row("file", h.File)
	row("state", h.State)
	row("checksum", h.Checksum)
	if ms.Record == nil {
		row("history row", "none")
	} else {
		if h.RecordedChecksum != h.Checksum {
			row("recorded checksum", h.RecordedChecksum)
		}
		row("recorded as", h.Kind)
		row("applied at", *h.AppliedAt+" ("+fmtDuration(ms.Duration)+")")
		row("applied by", h.AppliedBy)
		row("statements", fmt.Sprintf("%d of %d", h.StatementsApplied, h.StatementsTotal))
		if h.Error != nil {
			row("error", *h.Error)
		}
	}
	w.Flush()
	if len(h.Audit) == 0 {
		fmt.Fprintln(a.stdout, "\naudit trail: no entries (nobody resolved, baselined or rolled it back)")
		return
	}
	n := fmt.Sprintf("%d entries", len(h.Audit))
	if len(h.Audit) == 1 {
		n = "1 entry"
	}
	fmt.Fprintf(a.stdout, "\naudit trail (%s, oldest first):\n", n)
	for _, e := range h.Audit {
		fmt.Fprintf(a.stdout, "%s  %s  %s -> %s", e.At, e.Action, e.OldState, e.NewState)
		if e.OldChecksum != e.NewChecksum {
			fmt.Fprintf(a.stdout, "  checksum %s -> %s", shortSum(e.OldChecksum), shortSum(e.NewChecksum))
		}
		fmt.Fprintf(a.stdout, "  by %s\n", e.By)
		if e.Reason != "" {
			fmt.Fprintf(a.stdout, "  reason: %s\n", e.Reason)
		}
		if e.Detail != "" {
			fmt.Fprintf(a.stdout, "  detail: %s\n", e.Detail)
		}
	}
}

func shortSum(s string) string {
	switch {
	case s == "":
		return "none"
	case len(s) > 12:
		return s[:12]
	}
	return s
}
