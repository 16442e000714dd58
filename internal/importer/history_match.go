package importer

// Matching the old tool's history with the converted files.

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// Row is one converted file and what the old tool's history says of it.
type Row struct {
	File      File
	Applied   bool
	AppliedAt time.Time // zero when the tool does not record it
	Rank      string    // the tool's row number, when it numbers rows
	// Why says where the state comes from, for the mapping the user
	// reviews: "goose_db_version id 3", "schema_migrations version 5
	// (every file up to it)", "not in flyway_schema_history".
	Why string
}

// Match is the converted folder beside the old tool's history.
type Match struct {
	Tool  Tool
	Table string
	Rows  []Row // in strata order
}

// Applied returns the rows the old tool applied.
func (m *Match) Applied() []Row {
	var out []Row
	for _, r := range m.Rows {
		if r.Applied {
			out = append(out, r)
		}
	}
	return out
}

// MatchHistory pairs each converted file with h. It returns a
// *HistoryError when an applied migration has no file in the folder, when
// a file is not applied although a later one is (a gap: the old tool
// skipped it or it was added later), or when the tool's checksum of a
// file differs from the checksum it recorded (Flyway, Liquibase).
// Repeatable files are never recorded as applied: strata runs them on the
// next up.
func MatchHistory(c *Conversion, h *History) (*Match, error) {
	m := &Match{Tool: c.Tool, Table: h.Table.String(), Rows: make([]Row, len(c.Files))}
	byKey := map[string]int{}
	byScript := map[string]int{}
	for i, f := range c.Files {
		m.Rows[i] = Row{File: f, Why: "not in " + m.Table + ": " + string(c.Tool) + " has not applied it"}
		if f.Repeatable {
			byScript["R:"+path.Base(f.Source)] = i
			m.Rows[i].Why = "repeatable: strata runs it on the next up"
			continue
		}
		if f.ToolVersion != "" {
			byKey[f.ToolVersion] = i
		}
	}
	last := -1
	for _, a := range h.Applied {
		if strings.HasPrefix(a.Key, "R:") {
			continue // repeatables run again on strata's first up
		}
		i, ok := lookup(byKey, a.Key, c.Tool)
		if !ok {
			return nil, &HistoryError{Tool: c.Tool, Table: m.Table, Kind: "missing-file", Key: a.Key,
				What:  "the table records " + a.Key + " as applied, but no file in the folder has it",
				Check: "restore the file (it was deleted or renamed), or exclude nothing and import from the folder the database was migrated from"}
		}
		f := c.Files[i]
		if !a.Upto && a.Checksum != "" && f.ToolChecksum != "" && a.Checksum != f.ToolChecksum {
			return nil, &HistoryError{Tool: c.Tool, Table: m.Table, Kind: "checksum", Key: a.Key, File: f.Source,
				What:  fmt.Sprintf("the file's checksum is %s but %s recorded %s when it applied it", f.ToolChecksum, c.Tool, a.Checksum),
				Check: "the file was edited after it ran: restore the applied text, or check that the edit changes nothing in the database and update the tool's checksum (its repair command) before importing"}
		}
		if a.Upto {
			for j := 0; j <= i; j++ {
				if !c.Files[j].Repeatable && !m.Rows[j].Applied {
					m.Rows[j].Applied = true
					m.Rows[j].Why = fmt.Sprintf("%s records version %s: every file up to it is applied", m.Table, a.Key)
				}
			}
		}
		m.Rows[i].Applied, m.Rows[i].AppliedAt, m.Rows[i].Rank = true, a.AppliedAt, a.Rank
		m.Rows[i].Why = m.Table + " " + rowName(c.Tool, a)
		last = max(last, i)
	}
	for i := 0; i < last; i++ {
		if r := m.Rows[i]; !r.Applied && !r.File.Repeatable {
			return nil, &HistoryError{Tool: c.Tool, Table: m.Table, Kind: "gap", Key: r.File.ToolVersion, File: r.File.Source,
				What:  "not applied, although later files are",
				Check: "check whether its changes are in the database: apply it with " + string(c.Tool) + " first, or exclude it if it must never run"}
		}
	}
	return m, nil
}

// lookup finds key among the files; Liquibase changesets are matched on
// id and author alone when the changelog path differs (the tool records
// the path it was given on its command line).
func lookup(byKey map[string]int, key string, tool Tool) (int, bool) {
	if i, ok := byKey[key]; ok {
		return i, true
	}
	if tool != "liquibase" {
		return 0, false
	}
	id, rest, _ := strings.Cut(key, "::")
	author, _, _ := strings.Cut(rest, "::")
	found, n := 0, 0
	for k, i := range byKey {
		if strings.HasPrefix(k, id+"::"+author+"::") {
			found, n = i, n+1
		}
	}
	return found, n == 1
}

// rowName names the row that recorded a, as the tool labels it.
func rowName(tool Tool, a Applied) string {
	switch {
	case a.Upto:
		return "version " + a.Key
	case tool == "goose":
		return "id " + a.Rank + " (version_id " + a.Key + ")"
	case tool == "flyway":
		return "installed_rank " + a.Rank + " (version " + a.Key + ")"
	case tool == "liquibase":
		return "ORDEREXECUTED " + a.Rank + " (" + a.Key + ")"
	}
	return "row " + a.Key
}
