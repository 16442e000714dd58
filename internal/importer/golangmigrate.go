package importer

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// golangMigrateName is golang-migrate's file name rule.
var golangMigrateName = lazyRegexp(`^([0-9]+)_(.*)\.(down|up)\.(.*)$`)

// convertGolangMigrate converts a golang-migrate folder: VERSION_name.up.sql
// and VERSION_name.down.sql pairs, copied as they are.
func convertGolangMigrate(src fs.FS, st *convState) error {
	names, err := rootFiles(src)
	if err != nil {
		return err
	}
	type pair struct {
		f        File
		up, down string
	}
	byVersion := map[string]*pair{}
	var order []string
	for _, name := range names {
		m := golangMigrateName().FindStringSubmatch(name)
		if m == nil || m[4] != "sql" || st.excluded(name) {
			continue
		}
		v, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil {
			st.problem(name, 0, Unsupported, "version %s does not fit golang-migrate's uint64", m[1])
			continue
		}
		key := strconv.FormatUint(v, 10)
		p := byVersion[key]
		if p == nil {
			p = &pair{f: File{ToolVersion: key, Version: m[1], Name: slug(m[2])}}
			byVersion[key] = p
			order = append(order, key)
		}
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		data = []byte(strings.TrimPrefix(string(data), "\uFEFF"))
		if m[3] == "up" {
			if p.up != "" {
				st.problem(name, 0, Unsupported, "second up file for version %s (also %s)", key, p.up)
				continue
			}
			p.up, p.f.Up, p.f.Source = name, data, name
		} else {
			if p.down != "" {
				st.problem(name, 0, Unsupported, "second down file for version %s (also %s)", key, p.down)
				continue
			}
			p.down, p.f.Down = name, data
		}
	}
	for _, key := range order {
		p := byVersion[key]
		if p.up == "" {
			st.problem(p.down, 0, Unsupported, "down file without an up file")
			continue
		}
		if p.f.Down == nil && p.down != "" {
			p.f.Down = []byte{}
		}
		st.add(p.f)
	}
	return nil
}
