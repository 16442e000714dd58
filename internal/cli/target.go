package cli

import (
	"encoding/json"
	"io"
)

// targeted is a command's JSON document with the database it ran against
// (the redacted URL) as its first field, "target".
type targeted struct {
	target string
	doc    any
}

// targetWriter inserts `"target": "..."` after the opening brace of the
// JSON object written through it: writeJSON writes every document (even a
// streamed one) as one indented object.
type targetWriter struct {
	w      io.Writer
	target string
	done   bool
}

func (tw *targetWriter) Write(p []byte) (int, error) {
	if tw.done || len(p) < 2 || p[0] != '{' || p[1] == '}' {
		tw.done = true
		return tw.w.Write(p)
	}
	tw.done = true
	q, _ := json.Marshal(tw.target)
	head := append([]byte("{\n  \"target\": "), q...)
	head = append(head, ',')
	if _, err := tw.w.Write(head); err != nil {
		return 0, err
	}
	n, err := tw.w.Write(p[1:])
	return n + 1, err
}
