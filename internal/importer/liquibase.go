package importer

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// LiquibaseChecksum returns the checksum Liquibase 4.x (checksum version
// 9) records in DATABASECHANGELOG.MD5SUM for a formatted-SQL changeset
// whose SQL is sql (the changeset's lines as the parser keeps them).
//
// As liquibase-standard computes it: the change's checksum is the MD5 of
// the SQL's UTF-8 bytes with every space, tab, CR and LF removed
// (AbstractSQLChange.NormalizingStream), written "9:<hex>"; the changeset's
// checksum is the MD5 of the concatenation of its changes' checksums, each
// followed by ":" (ChangeSet.generateCheckSum), again written "9:<hex>".
// A formatted-SQL changeset has one change.
func LiquibaseChecksum(sql string) string {
	return "9:" + md5hex(liquibaseChangeChecksum(sql)+":")
}

// liquibaseChangeChecksum is the checksum of the one RawSQLChange.
func liquibaseChangeChecksum(sql string) string {
	b := make([]byte, 0, len(sql))
	for i := 0; i < len(sql); i++ {
		switch sql[i] {
		case ' ', '\t', '\r', '\n':
		default:
			b = append(b, sql[i])
		}
	}
	return "9:" + md5hex(string(b))
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// The formatted-SQL lines Liquibase reads, as its parser matches them
// (AbstractFormattedChangeLogParser, case-insensitive, whole line).
var (
	lbHeader       = lazyRegexp(`(?i)^\s*--\s*liquibase\s*formatted.*$`)
	lbChangeset    = lazyRegexp(`(?i)^\s*--[\s]*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+).*$`)
	lbRollback     = lazyRegexp(`(?i)^\s*--[\s]*rollback (.*)$`)
	lbRollbackML   = lazyRegexp(`(?i)^\s*/\*\s*liquibase\s*rollback\s*$`)
	lbComment      = lazyRegexp(`(?i)^--[\s]*comment:? (.*)$`)
	lbValidCheck   = lazyRegexp(`(?i)^--[\s]*validCheckSum:? (.*)$`)
	lbPrecondition = lazyRegexp(`(?i)^\s*--[\s]*precondition`)
	lbProperty     = lazyRegexp(`(?i)^\s*--[\s]*property\s`)
	lbInclude      = lazyRegexp(`(?i)^\s*--[\s]*include(All)?[\s:]`)
	lbIgnoreLines  = lazyRegexp(`(?i)^--[\s]*ignoreLines:(\w+)`)
	lbAttr         = lazyRegexp(`(?i)\b(runOnChange|runAlways|runInTransaction|splitStatements|endDelimiter|context|contextFilter|labels|dbms|logicalFilePath|ignore|runWith):("[^"]*"|\S*)`)
)

// changeset is one parsed formatted-SQL changeset.
type changeset struct {
	id, author, file string
	line             int
	attrs            map[string]string
	sql              []line
	rollback         []string
	sqlLine          int
	problems         []Problem // found in its lines, reported unless it is excluded
}

// convertLiquibase converts Liquibase formatted-SQL changelogs (the .sql
// files starting with "--liquibase formatted sql", at any depth): one
// strata migration per changeset in the order Liquibase runs them, its
// rollback as the down file. XML changelogs are followed for their
// include and includeAll elements, which fix the order; XML changesets
// and YAML or JSON changelogs are problems. Changelogs no other one
// includes are taken in path order.
func convertLiquibase(src fs.FS, st *convState) error {
	var paths []string
	xmlLogs := map[string]*xmlChangelog{}
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") || st.excluded(p) {
			return nil
		}
		switch strings.ToLower(path.Ext(p)) {
		case ".yaml", ".yml", ".json":
			st.problem(p, 0, Unsupported, "Liquibase %s changelog: strata reads formatted SQL changelogs and the includes of XML ones; convert it or exclude it", path.Ext(p))
		case ".xml":
			data, err := fs.ReadFile(src, p)
			if err != nil {
				return err
			}
			if !bytes.Contains(data, []byte("databaseChangeLog")) {
				return nil
			}
			x, err := parseXMLChangelog(p, data)
			if err != nil {
				st.problem(p, 0, Unsupported, "cannot read the XML changelog: %v", err)
				return nil
			}
			for _, l := range x.changeSets {
				st.problem(p, l, Unsupported, "XML changeSet: strata converts formatted SQL changesets only; rewrite it as formatted SQL or exclude the changelog")
			}
			xmlLogs[p] = x
		case ".sql":
			head, err := readHead(src, p)
			if err != nil {
				return err
			}
			if lines := splitLines([]byte(head)); len(lines) > 0 && lbHeader().MatchString(strings.TrimRight(firstNonBlank(lines), "\r")) {
				paths = append(paths, p)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the Liquibase folder: %w", err)
	}
	paths = st.liquibaseOrder(src, paths, xmlLogs)
	seq := 0
	for _, p := range paths {
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		sets := st.parseChangelog(p, splitLines(data))
		for _, cs := range sets {
			key := p + "::" + cs.id + "::" + cs.author
			if st.excluded(key) {
				continue
			}
			st.out.Problems = append(st.out.Problems, cs.problems...)
			if f, ok := st.liquibaseFile(cs, &seq); ok {
				f.Source = key
				st.add(f)
			}
		}
	}
	return nil
}

// firstNonBlank returns the first line that is not blank.
func firstNonBlank(lines []line) string {
	for _, l := range lines {
		if strings.TrimSpace(l.text) != "" {
			return l.text
		}
	}
	return ""
}

// parseChangelog cuts a formatted-SQL changelog into changesets.
func (st *convState) parseChangelog(p string, lines []line) []*changeset {
	var sets []*changeset
	var cur *changeset
	logical := p
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		text := strings.TrimRight(l.text, "\r")
		if m := lbAttr().FindAllStringSubmatch(text, -1); lbHeader().MatchString(text) && cur == nil {
			for _, a := range m {
				if strings.EqualFold(a[1], "logicalFilePath") {
					logical = a[2]
				}
			}
			continue
		}
		if m := lbIgnoreLines().FindStringSubmatch(text); m != nil {
			if m[1] == "start" {
				for i++; i < len(lines) && !strings.Contains(strings.ToLower(lines[i].text), "ignorelines:end"); i++ {
				}
			} else if n, err := strconv.Atoi(m[1]); err == nil {
				i += n
			}
			continue
		}
		if lbProperty().MatchString(text) {
			st.problem(p, l.no, Substitution, "Liquibase property definition: strata does not substitute properties")
			continue
		}
		if m := lbChangeset().FindStringSubmatch(text); m != nil {
			cur = &changeset{author: strings.Trim(m[1], `"`), id: strings.Trim(m[2], `"`), file: logical, line: l.no, attrs: map[string]string{}}
			for _, a := range lbAttr().FindAllStringSubmatch(text, -1) {
				cur.attrs[strings.ToLower(a[1])] = strings.Trim(a[2], `"`)
			}
			if lf := cur.attrs["logicalfilepath"]; lf != "" {
				cur.file = lf
			}
			sets = append(sets, cur)
			continue
		}
		if cur == nil {
			if lbInclude().MatchString(text) {
				st.problem(p, l.no, Unsupported, "Liquibase include: the included changelogs are converted in path order instead; exclude this changelog or check the order")
			}
			continue
		}
		switch {
		case lbComment().MatchString(text), lbValidCheck().MatchString(text):
		case lbRollback().MatchString(text):
			cur.rollback = append(cur.rollback, lbRollback().FindStringSubmatch(text)[1])
		case lbRollbackML().MatchString(text):
			for i++; i < len(lines); i++ {
				t := strings.TrimRight(lines[i].text, "\r")
				if j := strings.LastIndex(t, "*/"); j >= 0 && strings.TrimSpace(t[j+2:]) == "" {
					if strings.TrimSpace(t[:j]) != "" {
						cur.rollback = append(cur.rollback, t[:j])
					}
					break
				}
				cur.rollback = append(cur.rollback, t)
			}
		case lbPrecondition().MatchString(text):
			cur.problems = append(cur.problems, Problem{File: p, Line: l.no, Kind: Unsupported,
				Detail: "Liquibase precondition: strata has no preconditions; remove it or exclude the changeset"})
		default:
			if cur.sqlLine == 0 && strings.TrimSpace(text) != "" {
				cur.sqlLine = l.no
			}
			cur.sql = append(cur.sql, line{no: l.no, text: text})
			if j := strings.Index(text, "${"); j >= 0 {
				cur.problems = append(cur.problems, Problem{File: p, Line: l.no, Kind: Substitution,
					Detail: "Liquibase property " + clip(text[j:], 60)})
			}
		}
	}
	return sets
}

// liquibaseFile converts one changeset; ok is false when it is skipped or
// has a problem.
func (st *convState) liquibaseFile(cs *changeset, seq *int) (File, bool) {
	p := cs.file
	texts := make([]string, len(cs.sql))
	for i, l := range cs.sql {
		texts[i] = l.text
	}
	sql := strings.TrimSpace(strings.Join(texts, "\n"))
	if sql == "" {
		st.problem(p, cs.line, Unsupported, "changeset %s:%s has no SQL (Liquibase refuses it too)", cs.author, cs.id)
		return File{}, false
	}
	for _, k := range []string{"context", "contextfilter", "labels"} {
		if v := cs.attrs[k]; v != "" {
			st.problem(p, cs.line, Unsupported, "changeset %s:%s has %s:%s; strata has no contexts or labels: exclude it or remove the filter", cs.author, cs.id, k, v)
			return File{}, false
		}
	}
	if v := cs.attrs["dbms"]; v != "" {
		if len(st.opts.LiquibaseDBMS) == 0 {
			st.problem(p, cs.line, Unsupported, "changeset %s:%s has dbms:%s; give the target's Liquibase database name so only its changesets are converted", cs.author, cs.id, v)
			return File{}, false
		}
		if !dbmsMatches(v, st.opts.LiquibaseDBMS) {
			return File{}, false
		}
	}
	if strings.EqualFold(cs.attrs["ignore"], "true") {
		return File{}, false
	}
	if d := cs.attrs["enddelimiter"]; d != "" && d != ";" {
		st.problem(p, cs.line, Unsupported, "changeset %s:%s has endDelimiter:%s; rewrite it with ; or DELIMITER lines", cs.author, cs.id, d)
		return File{}, false
	}
	if rw := cs.attrs["runwith"]; rw != "" && !strings.EqualFold(rw, "jdbc") {
		st.problem(p, cs.line, Unsupported, "changeset %s:%s runs with %s, not JDBC", cs.author, cs.id, rw)
		return File{}, false
	}
	f := File{
		ToolVersion:  cs.id + "::" + cs.author + "::" + cs.file,
		Name:         slug(cs.id),
		ToolChecksum: LiquibaseChecksum(sql),
	}
	if f.Name == "" {
		f.Name = "changeset"
	}
	f.NoTransaction = strings.EqualFold(cs.attrs["runintransaction"], "false")
	runOnChange := strings.EqualFold(cs.attrs["runonchange"], "true")
	f.RunAlways = strings.EqualFold(cs.attrs["runalways"], "true")
	sec := section{noTx: f.NoTransaction, lines: cs.sql}
	if strings.EqualFold(cs.attrs["splitstatements"], "false") {
		sec.blocks = []block{{start: cs.sqlLine, text: sql}}
	}
	f.Up = st.checkBlocks(p, &sec)
	if runOnChange || f.RunAlways {
		f.Repeatable = true
		f.Name = slug(cs.author + "_" + cs.id)
	} else {
		*seq++
		f.Version = fmt.Sprintf("%04d", *seq)
		rb := strings.TrimSpace(strings.Join(cs.rollback, "\n"))
		low := strings.ToLower(rb)
		switch {
		case rb == "", strings.HasPrefix(low, "not required"), strings.HasPrefix(low, "empty"):
		case strings.Contains(low, "changesetid"):
			st.problem(p, cs.line, Unsupported, "changeset %s:%s rolls back by pointing at another changeset; write the rollback SQL out", cs.author, cs.id)
			return File{}, false
		default:
			f.Down = withNoTx(rb, f.NoTransaction)
		}
	}
	return f, true
}

// dbmsMatches applies Liquibase's dbms list ("postgresql,mysql",
// "!sqlite", "all", "none") to the target's Liquibase names.
func dbmsMatches(list string, names []string) bool {
	matched, anyPositive := false, false
	for _, item := range strings.Split(list, ",") {
		item = strings.ToLower(strings.TrimSpace(item))
		neg := strings.HasPrefix(item, "!")
		item = strings.TrimPrefix(item, "!")
		hit := item == "all"
		for _, n := range names {
			hit = hit || strings.EqualFold(n, item)
		}
		if item == "none" {
			return false
		}
		if neg && hit {
			return false
		}
		if !neg {
			anyPositive = true
			matched = matched || hit
		}
	}
	return matched || !anyPositive
}
