package importer

import (
	"fmt"
	"hash/crc32"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FlywayChecksum returns the checksum Flyway records in
// flyway_schema_history for an SQL migration, computed as Flyway's
// ChecksumCalculator does: the file is read line by line (Java's
// BufferedReader.readLine, which ends a line at LF, CR or CR LF and drops
// the terminator), a byte order mark at the start of the first line is
// dropped, and the UTF-8 bytes of every line are fed to java.util.zip.CRC32
// (the IEEE polynomial); the value is stored as a signed 32-bit integer.
// Concatenating the lines without terminators is the same as deleting every
// CR and LF byte, which is what this function does. Bytes that are not
// valid UTF-8 are replaced by U+FFFD first, as Java's decoder does.
func FlywayChecksum(data []byte) int32 {
	if !utf8.Valid(data) {
		data = []byte(strings.ToValidUTF8(string(data), "\uFFFD"))
	}
	data = []byte(strings.TrimPrefix(string(data), "\uFEFF"))
	h := crc32.NewIEEE()
	for len(data) > 0 {
		i := strings.IndexAny(string(data), "\r\n")
		if i < 0 {
			_, _ = h.Write(data)
			break
		}
		_, _ = h.Write(data[:i])
		data = data[i+1:]
	}
	return int32(h.Sum32())
}

// flywayName is Flyway's default naming: prefix V (versioned), U (undo)
// or R (repeatable, no version), "__", description, ".sql". Underscores in
// the version stand for dots.
var flywayName = lazyRegexp(`^([VUR])([0-9][0-9._]*)?__(.*)\.sql$`)

// flywayCallback matches Flyway's SQL callbacks (beforeMigrate.sql,
// afterEachMigrate__x.sql, ...): strata has no callbacks.
var flywayCallback = lazyRegexp(`^(before|after)[A-Za-z]+(__.*)?\.sql$`)

// flywayVersion is a parsed dotted version: its parts without leading zeros.
type flywayVersion []string

// parseFlywayVersion parses "1.2.3" or "1_2_3"; trailing zero parts are
// dropped, as Flyway compares 1.0 equal to 1.
func parseFlywayVersion(s string) (flywayVersion, bool) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '_' })
	if len(parts) == 0 || strings.Count(s, ".")+strings.Count(s, "_") != len(parts)-1 {
		return nil, false
	}
	for i, p := range parts {
		if !allDigits(p) {
			return nil, false
		}
		parts[i] = strings.TrimLeft(p, "0")
		if parts[i] == "" {
			parts[i] = "0"
		}
	}
	for len(parts) > 1 && parts[len(parts)-1] == "0" {
		parts = parts[:len(parts)-1]
	}
	return parts, true
}

// flywayFile is one SQL file found in a Flyway location.
type flywayFile struct {
	path, prefix, rawVersion, desc string
	version                        flywayVersion
}

// convertFlyway converts a Flyway location (searched recursively, as
// Flyway does): V files become versioned migrations through an
// order-preserving mapping of their dotted versions, U files their down
// files, R files repeatable migrations.
func convertFlyway(src fs.FS, st *convState) error {
	var files []flywayFile
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		name := d.Name()
		switch ext := path.Ext(name); {
		case ext == ".java" || ext == ".class" || ext == ".kt" || ext == ".scala":
			if flywayName().MatchString(strings.TrimSuffix(name, ext)+".sql") && !st.excluded(p) {
				st.problem(p, 0, JavaMigration, "Flyway %s migration: strata runs SQL only; port it to SQL or exclude it", ext)
			}
			return nil
		case ext != ".sql":
			return nil
		}
		if st.excluded(p) {
			return nil
		}
		if flywayCallback().MatchString(name) {
			st.problem(p, 0, Unsupported, "Flyway SQL callback: strata has no callbacks; fold it into a migration or exclude it")
			return nil
		}
		m := flywayName().FindStringSubmatch(name)
		if m == nil {
			return nil // Flyway ignores it too
		}
		f := flywayFile{path: p, prefix: m[1], rawVersion: m[2], desc: m[3]}
		if f.prefix != "R" {
			v, ok := parseFlywayVersion(m[2])
			if !ok {
				st.problem(p, 0, Unsupported, "cannot read the Flyway version %q", m[2])
				return nil
			}
			f.version = v
		} else if m[2] != "" {
			st.problem(p, 0, Unsupported, "a repeatable Flyway migration has no version")
			return nil
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the Flyway location: %w", err)
	}
	widths := flywayWidths(files)
	st.out.Mapping = flywayMapping(widths)
	undo := map[string]*flywayFile{}
	for i := range files {
		if files[i].prefix == "U" {
			undo[mapFlywayVersion(files[i].version, widths)] = &files[i]
		}
	}
	for i := range files {
		f := &files[i]
		if f.prefix == "U" {
			continue
		}
		data, err := fs.ReadFile(src, f.path)
		if err != nil {
			return fmt.Errorf("read %s: %w", f.path, err)
		}
		st.flywayPlaceholders(f.path, data)
		out := File{
			Source: f.path, Name: slug(f.desc), ToolChecksum: strconv.FormatInt(int64(FlywayChecksum(data)), 10),
			Up: flywayBody(src, f.path, data),
		}
		out.NoTransaction = strings.HasPrefix(string(out.Up), "-- strata:no-transaction")
		if f.prefix == "R" {
			out.Repeatable = true
			st.add(out)
			continue
		}
		out.ToolVersion = strings.ReplaceAll(f.rawVersion, "_", ".")
		out.Version = mapFlywayVersion(f.version, widths)
		if u := undo[out.Version]; u != nil {
			down, err := fs.ReadFile(src, u.path)
			if err != nil {
				return fmt.Errorf("read %s: %w", u.path, err)
			}
			st.flywayPlaceholders(u.path, down)
			out.Down = flywayBody(src, u.path, down)
			out.ToolDownChecksum = strconv.FormatInt(int64(FlywayChecksum(down)), 10)
			delete(undo, out.Version)
		}
		st.add(out)
	}
	for _, u := range undo {
		st.problem(u.path, 0, Unsupported, "Flyway undo migration without a versioned migration of the same version")
	}
	return nil
}

// flywayWidths returns, for each dotted position, the widest part found.
func flywayWidths(files []flywayFile) []int {
	var w []int
	for _, f := range files {
		for i, p := range f.version {
			if i == len(w) {
				w = append(w, 1)
			}
			w[i] = max(w[i], len(p))
		}
	}
	return w
}

// mapFlywayVersion writes a dotted version as strata digits: every part
// zero-padded to its position's width, missing parts as zeros. Equal
// widths make numeric order equal Flyway's part-by-part order.
func mapFlywayVersion(v flywayVersion, widths []int) string {
	var b strings.Builder
	for i, w := range widths {
		p := "0"
		if i < len(v) {
			p = v[i]
		}
		b.WriteString(strings.Repeat("0", w-len(p)))
		b.WriteString(p)
	}
	return b.String()
}

// flywayMapping documents the mapping used.
func flywayMapping(widths []int) string {
	if len(widths) == 0 {
		return ""
	}
	ws := make([]string, len(widths))
	for i, w := range widths {
		ws[i] = strconv.Itoa(w)
	}
	return fmt.Sprintf("flyway version -> strata version: the version's dotted parts (an underscore counts as a dot, "+
		"trailing .0 parts dropped as Flyway does) are each zero-padded to the widest part at that position "+
		"(widths %s) and concatenated; missing parts count as 0. Equal widths keep Flyway's order: "+
		"for example %s -> %s", strings.Join(ws, ","), exampleDotted(widths), mapFlywayVersion(exampleParts(widths), widths))
}

func exampleParts(widths []int) flywayVersion {
	v := make(flywayVersion, len(widths))
	for i := range v {
		v[i] = strconv.Itoa(i + 1)
	}
	return v
}

func exampleDotted(widths []int) string { return strings.Join(exampleParts(widths), ".") }

// flywayBody returns the migration as a strata file: with the
// no-transaction directive when its script configuration file
// (NAME.sql.conf) says executeInTransaction=false or when it holds a
// statement PostgreSQL refuses in a transaction, which Flyway detects and
// runs outside one.
func flywayBody(src fs.FS, p string, data []byte) []byte {
	body := strings.TrimPrefix(string(data), "\uFEFF")
	noTx := false
	if conf, err := fs.ReadFile(src, p+".conf"); err == nil {
		for _, l := range strings.Split(string(conf), "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(l), "=")
			if ok && strings.TrimSpace(k) == "executeInTransaction" && strings.EqualFold(strings.TrimSpace(v), "false") {
				noTx = true
			}
		}
	}
	if nonTransactional().MatchString(body) {
		noTx = true
	}
	return withNoTx(body, noTx)
}

// nonTransactional finds statements Flyway runs outside a transaction on
// PostgreSQL (it detects them and switches the migration to
// non-transactional mode).
var nonTransactional = lazyRegexp(`(?im)^\s*(CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|DROP\s+INDEX\s+CONCURRENTLY|REINDEX\s+.*CONCURRENTLY|VACUUM\b|CREATE\s+DATABASE\b|ALTER\s+SYSTEM\b)`)

// flywayPlaceholders reports Flyway placeholders (${name}), which Flyway
// replaces before running the file.
func (st *convState) flywayPlaceholders(p string, data []byte) {
	for _, l := range splitLines(data) {
		if i := strings.Index(l.text, "${"); i >= 0 {
			st.problem(p, l.no, Substitution, "Flyway placeholder %s", clip(l.text[i:], 60))
		}
	}
}
