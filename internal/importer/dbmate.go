package importer

import (
	"fmt"
	"io/fs"
	"strings"
)

// dbmate's section markers, as dbmate matches them: at the start of a
// line, options after the marker.
var (
	dbmateUp   = lazyRegexp(`(?m)^--\s*migrate:up(.*)$`)
	dbmateDown = lazyRegexp(`(?m)^--\s*migrate:down(.*)$`)
)

// dbmateNoTx reports whether marker options say transaction:false.
func dbmateNoTx(opts string) bool {
	for _, f := range strings.Fields(opts) {
		if k, v, ok := strings.Cut(f, ":"); ok && k == "transaction" && v == "false" {
			return true
		}
	}
	return false
}

// convertDbmate converts a dbmate folder: VERSION_name.sql files with
// "-- migrate:up" and "-- migrate:down" sections, each sent to the server
// whole by dbmate.
func convertDbmate(src fs.FS, st *convState) error {
	names, err := rootFiles(src)
	if err != nil {
		return err
	}
	for _, name := range names {
		if !strings.HasSuffix(name, ".sql") || st.excluded(name) {
			continue
		}
		digits, desc := numberPrefix(strings.TrimSuffix(name, ".sql"))
		if digits == "" {
			continue // dbmate ignores it too
		}
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		text := strings.TrimPrefix(string(data), "\uFEFF")
		up := dbmateUp().FindStringSubmatchIndex(text)
		if up == nil {
			st.problem(name, 0, Unsupported, "no -- migrate:up marker: dbmate refuses this file too; add the marker or exclude the file")
			continue
		}
		if head := text[:up[0]]; !commentsOnly(head) {
			st.problem(name, 1, Unsupported, "SQL before the -- migrate:up marker: dbmate refuses this file too")
			continue
		}
		f := File{Source: name, ToolVersion: digits, Version: digits, Name: slug(desc)}
		f.NoTransaction = dbmateNoTx(text[up[2]:up[3]])
		upBody := text[up[1]:]
		if down := dbmateDown().FindStringSubmatchIndex(upBody); down != nil {
			downBody := upBody[down[1]:]
			f.Down = withNoTx(downBody, dbmateNoTx(upBody[down[2]:down[3]]))
			upBody = upBody[:down[0]]
		}
		f.Up = withNoTx(upBody, f.NoTransaction)
		st.add(f)
	}
	return nil
}

// withNoTx returns body as a strata file, with the no-transaction
// directive first when noTx.
func withNoTx(body string, noTx bool) []byte {
	body = strings.TrimLeft(body, "\r\n")
	if noTx {
		body = "-- strata:no-transaction\n" + body
	}
	return trimBlankEnd([]byte(body))
}

// commentsOnly reports whether s holds only blanks and "--" comment lines.
func commentsOnly(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "--") {
			return false
		}
	}
	return true
}
