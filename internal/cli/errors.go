package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/source"
)

// jsonError is the "error" object of --json output.
type jsonError struct {
	Code          string        `json:"code"`
	ExitCode      int           `json:"exit_code"`
	Message       string        `json:"message"`
	File          string        `json:"file,omitempty"`
	Line          int           `json:"line,omitempty"`
	Statement     string        `json:"statement,omitempty"`
	ServerCode    string        `json:"server_code,omitempty"`
	ServerMessage string        `json:"server_message,omitempty"`
	Outcome       string        `json:"outcome,omitempty"`
	Holder        string        `json:"holder,omitempty"`
	Problems      []jsonProblem `json:"problems,omitempty"`
}

type jsonProblem struct {
	State   string `json:"state"`
	Version string `json:"version"`
	File    string `json:"file"`
	Detail  string `json:"detail"`
	Hint    string `json:"hint"`
}

// printError writes "error: message" to stderr and, with --json, the error
// object to stdout. Every string passes through the scrubber, so no
// password is ever printed.
func (a *app) printError(err error, code int) {
	msg := a.scrub(cliErrorText(err))
	if code == ExitInterrupted || code == ExitTerminated {
		msg = "interrupted: " + msg
	}
	fmt.Fprintf(a.stderr, "error: %s\n", msg)
	if code == ExitUsage && !a.started {
		fmt.Fprintln(a.stderr, "run 'strata --help' for usage")
	}
	if !a.wantJSON() {
		return
	}
	je := jsonError{Code: errorCodes[code], ExitCode: code, Message: msg}
	var (
		refd   *strata.RefusedError
		stmt   *strata.StatementError
		file   *source.FileError
		lock   *dialect.LockTimeoutError
		frgn   *source.ForeignError
		sdrift *strata.SchemaDriftError
	)
	switch {
	case errors.As(err, &stmt):
		je.File, je.Line, je.Statement = stmt.File, stmt.Line, a.scrub(stmt.Statement)
		je.ServerCode, je.ServerMessage, je.Outcome = stmt.Code, a.scrub(stmt.Message), stmt.Outcome
	case errors.As(err, &file) && len(file.Files) > 0:
		je.File, je.Line = file.Files[0], file.Line
	case errors.As(err, &frgn):
		je.File, je.Line = filepath.Join(a.dir, filepath.FromSlash(frgn.File)), frgn.Line
	case errors.As(err, &refd):
		for _, p := range refd.Problems {
			je.Problems = append(je.Problems, jsonProblem{State: string(p.Kind), Version: p.Version, File: p.File, Detail: a.scrub(p.Detail), Hint: problemHint(p)})
		}
		if len(refd.Problems) > 0 {
			je.File = refd.Problems[0].File
		}
	case errors.As(err, &lock):
		je.Holder = lock.Holder
	case errors.As(err, &sdrift):
		for _, c := range sdrift.Changes {
			je.Problems = append(je.Problems, jsonProblem{State: "schema_" + string(c.Op), Version: sdrift.Version, File: string(c.Kind) + " " + a.scrub(c.Name),
				Detail: a.scrub(describeSchemaChange(c)), Hint: "see strata drift; keep it with strata resolve --accept-drift --reason TEXT, undo it, or pass --allow-drift"})
		}
	}
	a.result(map[string]any{"error": je})
}

func writeJSON(w io.Writer, v any) {
	if t, ok := v.(targeted); ok {
		w, v = &targetWriter{w: w, target: t.target}, t.doc
	}
	if s, ok := v.(jsonStreamer); ok {
		writeStream(w, s)
		return
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
