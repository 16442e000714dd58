package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// DefaultFile is the configuration file strata reads from the working
// folder when --config is not given.
const DefaultFile = "strata.toml"

// File is a parsed configuration file: flat TOML keys named like the
// flags (url, dir, lock-timeout, session-sql = ["...", "..."]).
type File struct {
	// Path is the file as it was named (DefaultFile or --config).
	Path string
	// Values holds each key's value as flag strings: one for a scalar,
	// one per element for an array.
	Values map[string][]string
	// Lines holds the line each key is set on (1-based).
	Lines map[string]int
}

// Where names the place key is set, PATH:LINE, for messages.
func (f *File) Where(key string) string {
	if f == nil {
		return ""
	}
	if n := f.Lines[key]; n > 0 {
		return fmt.Sprintf("%s:%d", f.Path, n)
	}
	return f.Path
}

// FindFile loads the configuration file: path when given (it must exist),
// else DefaultFile in the working folder dir ("" is the process's) when
// there is one, else nil. A relative path is in dir too. known lists the
// keys a file may set (the flag names); any other key is an error naming
// the file, line and the known keys.
func FindFile(dir, path string, known []string) (*File, error) {
	if path == "" {
		if _, err := os.Stat(PathIn(dir, DefaultFile)); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		path = DefaultFile
	}
	b, err := os.ReadFile(PathIn(dir, path))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("the configuration file %s does not exist: create it or fix --config (STRATA_CONFIG)", path)
		}
		return nil, fmt.Errorf("read the configuration file: %w", err)
	}
	return ParseFile(path, b, known)
}

// ParseFile parses the TOML in b as the configuration file path.
func ParseFile(path string, b []byte, known []string) (*File, error) {
	var raw map[string]any
	if err := toml.Unmarshal(b, &raw); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("%s:%d:%d: %s: fix the TOML syntax", path, row, col, strings.TrimPrefix(de.Error(), "toml: "))
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f := &File{Path: path, Values: map[string][]string{}, Lines: keyLines(b)}
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return f.Lines[keys[i]] < f.Lines[keys[j]] })
	var errs []error
	for _, k := range keys {
		if !isKnown[k] {
			if near := closestKey(k, known); near != "" {
				errs = append(errs, fmt.Errorf("%s: unknown key %q: did you mean %q? (the keys are the global flags' names)", f.Where(k), k, near))
				continue
			}
			errs = append(errs, fmt.Errorf("%s: unknown key %q: use one of the known keys (the global flags' names): %s", f.Where(k), k, strings.Join(known, ", ")))
			continue
		}
		vs, err := flagValues(raw[k])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: key %q: %w", f.Where(k), k, err))
			continue
		}
		f.Values[k] = vs
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return f, nil
}

// flagValues turns a TOML value into the strings a flag's Set takes.
func flagValues(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case bool:
		return []string{strconv.FormatBool(x)}, nil
	case int64:
		return []string{strconv.FormatInt(x, 10)}, nil
	case float64:
		return []string{strconv.FormatFloat(x, 'f', -1, 64)}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, err := flagValues(e)
			if err != nil || len(s) != 1 {
				return nil, errors.New("an array may hold only strings, numbers or booleans")
			}
			out = append(out, s[0])
		}
		return out, nil
	case map[string]any:
		return nil, errors.New("tables are not supported: write flat keys named like the flags, such as dir = \"db/migrations\"")
	}
	return nil, fmt.Errorf("a %T value is not supported: write a string (durations such as \"30s\" too), a number, a boolean or an array of strings", v)
}

// keyRE matches the key at the start of a TOML key/value line.
var keyRE = regexp.MustCompile(`^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*[=.]`)

// keyLines finds the line of each top-level key, for messages. Keys set
// inside a [table] are recorded under the table's name.
func keyLines(b []byte) map[string]int {
	lines := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			name := strings.Trim(line, "[] \t")
			name, _, _ = strings.Cut(name, ".")
			if _, ok := lines[strings.Trim(name, `"'`)]; !ok {
				lines[strings.Trim(name, `"'`)] = n
			}
			continue
		}
		m := keyRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		k := m[1] + m[2] + m[3]
		if _, ok := lines[k]; !ok {
			lines[k] = n
		}
	}
	return lines
}

// closestKey returns the known key nearest to key (lock_timeout ->
// lock-timeout, lock-timout -> lock-timeout), or "" when none is close
// enough to be what was meant.
func closestKey(key string, known []string) string {
	norm := strings.ToLower(strings.ReplaceAll(key, "_", "-"))
	best, bestDist := "", 0
	for _, k := range known {
		d := editDistance(norm, k)
		if best == "" || d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" || bestDist > max(2, len(norm)/3) {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours cost 1.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// PathIn is the file that path names when the working folder is dir:
// path itself when it is absolute or dir is "" (the process's working
// folder), else path under dir.
func PathIn(dir, path string) string {
	if dir == "" || path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}
