package importer

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// gooseGrammar reads "-- +goose ANNOTATION" lines as goose v3 does: a
// line that starts with "--" and contains "+goose"; the annotation is what
// is left without the dashes and "+goose", compared case-insensitively.
var gooseGrammar = annotated{tool: "goose", parse: func(text string) (marker, bool, error) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "--") || !strings.Contains(t, "+goose") {
		return marker{}, false, nil
	}
	cmd := strings.ReplaceAll(t, "--", "")
	cmd = strings.TrimSpace(strings.Replace(cmd, "+goose", "", 1))
	switch strings.ToLower(cmd) {
	case "up":
		return marker{kind: mUp}, true, nil
	case "down":
		return marker{kind: mDown}, true, nil
	case "statementbegin":
		return marker{kind: mBegin}, true, nil
	case "statementend":
		return marker{kind: mEnd}, true, nil
	case "no transaction":
		return marker{kind: mNoTx}, true, nil
	case "envsub on":
		return marker{kind: mEnvsubOn}, true, nil
	case "envsub off":
		return marker{kind: mEnvsubOff}, true, nil
	}
	return marker{}, false, fmt.Errorf("unknown goose annotation %q", cmd)
}}

// gooseVersion parses goose's version: the digits before the first "_"
// of the name, a positive int64.
func gooseVersion(name string) (digits string, v int64, desc string, ok bool) {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".sql"), ".go")
	digits, desc, found := strings.Cut(base, "_")
	if !found || !allDigits(digits) {
		return "", 0, "", false
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || v < 1 {
		return "", 0, "", false
	}
	return digits, v, desc, true
}

// convertGoose converts a goose folder: NNN_name.sql files with
// "-- +goose Up" and optional "-- +goose Down" sections.
func convertGoose(src fs.FS, st *convState) error {
	names, err := rootFiles(src)
	if err != nil {
		return err
	}
	for _, name := range names {
		isGo := strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
		if !strings.HasSuffix(name, ".sql") && !isGo {
			continue
		}
		digits, v, desc, ok := gooseVersion(name)
		if !ok || st.excluded(name) {
			continue
		}
		if isGo {
			st.problem(name, 0, GoMigration, "goose Go migration: strata runs SQL only; port it to SQL or exclude it")
			continue
		}
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		p, err := parseAnnotated(gooseGrammar, name, data)
		if err != nil {
			st.reportParse(name, err)
			continue
		}
		for _, l := range p.envsub {
			st.problem(name, l.no, Substitution, "goose ENVSUB ${VAR} substitution: %s", strings.TrimSpace(l.text))
		}
		f := File{
			Source: name, ToolVersion: strconv.FormatInt(v, 10),
			Version: digits, Name: slug(desc), NoTransaction: p.up.noTx,
		}
		f.Up = st.checkBlocks(name, &p.up)
		if p.down.present {
			f.Down = st.checkBlocks(name, &p.down)
		}
		st.add(f)
	}
	return nil
}
