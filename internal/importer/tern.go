package importer

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// tern's file name rule, separator and transaction marker.
var (
	ternName      = lazyRegexp(`\A(\d+)_(.+)\.sql\z`)
	ternSeparator = lazyRegexp(`(?m)^---- create above / drop below ----\r?$`)
	ternNoTx      = lazyRegexp(`(?m)^---- tern: disable-tx ----\r?$`)
)

// convertTern converts a tern folder: NNN_name.sql files numbered from 1,
// the up part above "---- create above / drop below ----" and the down
// part below it. tern runs every file through text/template, so any {{ }}
// is a template action strata cannot reproduce.
func convertTern(src fs.FS, st *convState) error {
	names, err := rootFiles(src)
	if err != nil {
		return err
	}
	for _, name := range names {
		m := ternName().FindStringSubmatch(name)
		if m == nil || st.excluded(name) {
			continue
		}
		seq, err := strconv.ParseInt(m[1], 10, 32)
		if err != nil {
			st.problem(name, 0, Unsupported, "sequence %s does not fit tern's int4", m[1])
			continue
		}
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		text := strings.TrimPrefix(string(data), "\uFEFF")
		for _, l := range splitLines([]byte(text)) {
			if i := strings.Index(l.text, "{{"); i >= 0 {
				st.problem(name, l.no, Template, "tern template action %s", clip(l.text[i:], 60))
			}
		}
		noTx := false
		if loc := ternNoTx().FindStringIndex(text); loc != nil {
			noTx = true
			text = text[:loc[0]] + text[loc[1]:]
		}
		up, down := text, ""
		hasDown := false
		if loc := ternSeparator().FindStringIndex(text); loc != nil {
			up, down, hasDown = text[:loc[0]], text[loc[1]:], true
		}
		f := File{Source: name, ToolVersion: strconv.FormatInt(seq, 10), Version: m[1], Name: slug(m[2]), NoTransaction: noTx}
		f.Up = withNoTx(up, noTx)
		if hasDown && strings.TrimSpace(down) != "" {
			f.Down = withNoTx(down, noTx)
		}
		st.add(f)
	}
	return nil
}

// clip shortens s to n bytes for a message.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
