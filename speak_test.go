package strata

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/sqlite"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/source"
)

// cliWords matches a strata command or a command-line flag: the library
// says what happened and what to do in Go terms, and the CLI phrases its
// own hints from the problems' kinds.
var cliWords = regexp.MustCompile(`\bstrata [a-z]|(^|[\s('"])--[a-z]`)

// TestErrorsSpeakGo walks the library's errors for every kind of problem
// and asserts that none names a strata command or a flag.
func TestErrorsSpeakGo(t *testing.T) {
	v := func(s string) source.Version {
		ver, err := source.ParseVersion(s)
		if err != nil {
			t.Fatal(err)
		}
		return ver
	}
	mig := func(id string, down bool) *source.Migration {
		m := &source.Migration{Kind: source.Versioned, Version: v(id), Description: "m" + id, Path: id + "_m.sql"}
		if down {
			m.DownPath = id + "_m.down.sql"
		}
		return m
	}
	row := func(id string, st history.Status, file string) *history.Record {
		return &history.Record{ID: id, Version: id, File: file, Status: st, StatementsApplied: 1, StatementsTotal: 3}
	}
	ms := func(id string, state State, m *source.Migration, r *history.Record) MigrationStatus {
		s := MigrationStatus{Version: v(id), ID: id, File: id + "_m.sql", Kind: string(source.Versioned), State: state,
			Checksum: "aaaaaaaaaaaaaaaa", RecordedChecksum: "bbbbbbbbbbbbbbbb", Migration: m, rec: r}
		if r != nil {
			s.Record = recordOf(r)
		}
		if r != nil {
			s.StatementsApplied, s.StatementsTotal, s.LastLine, s.NextLine = 1, 3, 2, 5
		}
		return s
	}
	interrupted := ms("6", StateInterrupted, mig("6", false), row("6", history.Running, "6_m.sql"))
	interrupted.NextMayHaveRun = true
	st := &Status{Current: v("9"), Head: v("10"), Ahead: []source.Version{v("11")}, Migrations: []MigrationStatus{
		ms("1", StateEdited, mig("1", true), row("1", history.Applied, "1_m.sql")),
		ms("2", StateMissing, nil, row("2", history.Applied, "2_m.sql")),
		ms("3", StateOutOfOrder, mig("3", false), nil),
		ms("4", StateFailed, mig("4", false), row("4", history.Failed, "4_m.sql")),
		ms("5", StatePartial, mig("5", true), row("5", history.Partial, "5_m.down.sql")),
		interrupted,
		ms("7", StateRunning, mig("7", false), row("7", history.Running, "7_m.sql")),
		ms("8", StateApplied, mig("8", false), row("8", history.Applied, "8_m.sql")),
		ms("9", StateApplied, mig("9", false), row("9", history.Applied, "9_m.sql")),
		ms("11", StateAhead, nil, row("11", history.Applied, "11_m.sql")),
	}}

	probs := st.Problems(false)
	ahead, ok := st.AheadProblem()
	if !ok {
		t.Fatal("no ahead problem")
	}
	probs = append(probs, ahead)
	remedies := map[Remedy]bool{}
	for _, p := range probs {
		remedies[p.Remedy] = true
	}
	for _, r := range []Remedy{RemedyAcceptEdit, RemedyRestoreFile, RemedyAllowOutOfOrder, RemedyWait, RemedyResume, RemedyResolveDownRow, RemedyDeployNewerRelease} {
		if !remedies[r] {
			t.Errorf("no problem carries remedy %s: %+v", r, probs)
		}
	}
	resumeRefused := probs[4]
	resumeRefused.Remedy, resumeRefused.ResumeRefused = RemedyResolveDownRow, true

	m := &Migrator{d: sqlite.New()}
	var downErrs []error
	for _, o := range []DownOptions{{To: v("0")}, {Steps: 3}} {
		_, err := m.planDown(st, o, limit{})
		downErrs = append(downErrs, err)
	}
	var dre *RefusedError
	if !errors.As(downErrs[0], &dre) || !dre.Has(ProblemIncomplete) || !dre.Has(ProblemEdited) || !dre.Has(ProblemMissing) || !dre.Has(ProblemAhead) || !dre.Has(ProblemNoDownFile) {
		t.Fatalf("down to 0: %v; want every kind of refusal", downErrs[0])
	}

	errs := []error{
		&RefusedError{Problems: probs},
		&RefusedError{Direction: DirectionUp, Problems: []Problem{resumeRefused}},
		&ResumeError{File: "4_m.sql", Index: 1, Line: 1, Applied: 1},
		&UnknownVersionError{Version: "42", Nearest: []string{"4"}},
		&BaselineRefusedError{Rows: 3},
		ErrReasonRequired,
		checkReason("<what you checked>", true),
		ErrHistoryChanged,
	}
	errs = append(errs, downErrs...)
	// Options and arguments that cannot work together.
	for _, o := range []DownOptions{{Steps: 2, To: v("1")}, {Steps: 9}, {Steps: -1}} {
		_, err := m.planDown(st, o, limit{})
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("down %+v: %v, want a ConfigError", o, err)
		}
		errs = append(errs, err)
	}
	_, err := configure(nil, mysql.New(), []Option{WithTxMode(TxAll)})
	_, rerr := (&Migrator{d: mysql.New()}).Rehearse(context.Background())
	errs = append(errs, &StillExecutingError{Version: "7", File: "7_m.sql", Conn: "connection 42", Kill: "KILL 42"},
		lockTimeout{&dialect.LockTimeoutError{Timeout: 1, Holder: "connection 42"}},
		&dialect.LockLostError{Lock: "lease 3f", Reason: "the lease was taken over"})
	errs = append(errs, err, rerr, txAllFile(Step{File: "4_m.sql", Reason: "the file says -- strata:no-transaction"}))
	for i := range st.Migrations {
		for _, a := range []ResolveAction{ResolveApplied, ResolveRolledBack, ResolveAcceptEdit} {
			if err := checkResolvable(&st.Migrations[i], a); err != nil {
				errs = append(errs, err)
			}
		}
	}
	rerun := ms("12", StatePending, mig("12", false), row("12", history.Applied, "12_m.sql"))
	pending := ms("13", StatePending, mig("13", false), nil)
	errs = append(errs, checkResolvable(&rerun, ResolveApplied), checkResolvable(&pending, ResolveApplied))
	for _, err := range errs {
		if err == nil {
			t.Fatal("a constructed problem gave no error")
		}
		if w := cliWords.FindString(err.Error()); w != "" {
			t.Errorf("%T names a strata command or flag (%q):\n%s", err, w, err)
		}
	}
}
