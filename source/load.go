package source

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Kind says whether a migration is versioned or repeatable.
type Kind string

// The kinds of migration.
const (
	// Versioned migrations (NNNN_description.sql) run once, in version order.
	Versioned Kind = "versioned"
	// Repeatable migrations (R__description.sql) run again whenever their
	// checksum changes, after the versioned ones.
	Repeatable Kind = "repeatable"
)

// Migration is one migration file, with its down file if it has one.
type Migration struct {
	// Kind is [Versioned] or [Repeatable].
	Kind Kind
	// Version is the file's version; zero for a repeatable migration.
	Version Version
	// Description is the part of the name after "NNNN_" or "R__", without
	// .sql, .up.sql or .down.sql; it may contain dots and may be empty for
	// a versioned file named just NNNN.sql.
	Description string
	// Path is the up file's path within the FS, e.g. "0001_create_users.sql".
	Path string
	// Checksum is the up file's checksum (see Checksum).
	Checksum string
	// Size is the up file's size in bytes after CR LF normalisation.
	Size int64
	// Directives are the up file's "-- strata:" directives.
	Directives Directives
	// DownPath is the down file's path within the FS, "" when there is none.
	DownPath string
	// DownChecksum is the down file's checksum, "" when there is none.
	DownChecksum string
	// DownDirectives are the down file's "-- strata:" directives.
	DownDirectives Directives
	// Phase is when the file runs relative to the application's rollout:
	// its -- strata:phase directive, else PostDeploy for a file in the
	// post-deploy folder, else PreDeploy.
	Phase Phase
}

// ID returns the identifier the history table records: the canonical
// version for a versioned migration, "R__"+description for a repeatable one.
func (m *Migration) ID() string {
	if m.Kind == Repeatable {
		return "R__" + m.Description
	}
	return m.Version.String()
}

// Dir is a loaded migrations directory.
type Dir struct {
	// FS is the file system the migrations were loaded from.
	FS fs.FS
	// Versioned are the versioned migrations in ascending version order.
	Versioned []*Migration
	// Repeatable are the repeatable migrations in ascending description order.
	Repeatable []*Migration
}

// entry is one migration file found in the directory.
type entry struct {
	path   string
	post   bool // in the post-deploy folder
	name   fileName
	res    scanResult
	errs   []*FileError
	cached *cacheEntry // the checksum cache's entry for path, if any
	keep   *cacheEntry // what the next cache remembers for path, if anything
}

// parallelMin is the number of files from which Load scans in parallel.
const parallelMin = 32

// scanAll scans every file, in parallel when there are many: opening and
// reading small files is dominated by system calls, not by hashing. The
// results and errors stay with their entries, so the order of errors does
// not depend on scheduling.
func scanAll(fsys fs.FS, c *checksumCache, groups ...[]entry) {
	n := 0
	for _, es := range groups {
		n += len(es)
	}
	all := make([]*entry, 0, n)
	for _, es := range groups {
		for i := range es {
			all = append(all, &es[i])
		}
	}
	workers := min(runtime.GOMAXPROCS(0), 8, len(all)/parallelMin+1)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			s := newScanner()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(all) {
					return
				}
				e := all[i]
				if c != nil && c.lookup(fsys, e) {
					continue
				}
				var key fileKey
				var keyed bool
				e.res, e.errs, key, keyed = s.scan(fsys, e.path, c != nil)
				if keyed {
					c.remember(e, key)
				}
			}
		})
	}
	wg.Wait()
}

// Load reads the migrations at the root of fsys (subdirectories, hidden
// files and files not ending in .sql are ignored), checks their names,
// versions, down files, encoding and directives, and computes their
// checksums. It reports every problem it finds, joined with errors.Join;
// each is a [*FileError] (one for a file written for another tool wraps a
// [*ForeignError]). A folder without a single migration file is an error,
// a [*NoMigrationsError], unless [LoadOptions].AllowEmpty says otherwise.
//
// Load reads several files at once, so fsys must be safe for concurrent
// use, as os.DirFS, embed.FS and fstest.MapFS are.
func Load(fsys fs.FS) (*Dir, error) {
	return LoadWith(fsys, LoadOptions{})
}

// LoadOptions change how [LoadWith] reads a folder.
type LoadOptions struct {
	// CacheFile is a checksum cache file: a file whose device, inode,
	// size, modification and status-change times are those the cache
	// recorded is not read again (docs/checksums.md). The file is created
	// when missing and rewritten when the folder changed; one that cannot
	// be read, written or trusted only costs the time of reading every
	// file. "" reads every file. The cache works for file systems whose
	// Stat reports operating system file information, as os.DirFS does,
	// on Linux, macOS and the BSDs.
	CacheFile string
	// CacheKey names the folder the cache file is for, such as its
	// absolute path; a cache file written for another key is ignored and
	// replaced.
	CacheKey string
	// PostDeployDir is the sub-folder whose files are post-deploy files
	// (Migration.Phase) without a -- strata:phase directive; ""
	// is DefaultPostDeployDir. Its files share the one version sequence
	// with the files at the root.
	PostDeployDir string
	// AllowEmpty accepts a folder without migration files. Without it,
	// [LoadWith] returns a [*NoMigrationsError] ([errors.Is] [ErrNoMigrations]):
	// a folder with nothing to apply is most often the wrong folder.
	AllowEmpty bool

	now func() time.Time // the clock, for tests; nil is time.Now
}

// LoadWith is [Load] with options.
func LoadWith(fsys fs.FS, o LoadOptions) (*Dir, error) {
	if o.now == nil {
		o.now = time.Now
	}
	start := o.now()
	if fsys == nil {
		return nil, errors.New("no migrations file system given")
	}
	// Read the cache file while the directory is listed.
	cacheRead := make(chan *checksumCache, 1)
	if o.CacheFile != "" {
		go func() { cacheRead <- openCache(o.CacheFile, o.CacheKey, start) }()
	} else {
		cacheRead <- nil
	}
	des, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("cannot read the migrations directory: %w", err)
	}
	var errs []error
	nDown := 0
	for _, de := range des {
		if strings.HasSuffix(de.Name(), ".down.sql") {
			nDown++
		}
	}
	ups := make([]entry, 0, len(des)-nDown)
	downs := make([]entry, 0, nDown)
	ups, downs, errs = collect(fsys, "", des, ups, downs, errs)
	postDir, err := postDeployDir(o)
	if err != nil {
		return nil, err
	}
	if sub, err := fs.ReadDir(fsys, postDir); err == nil {
		ups, downs, errs = collect(fsys, postDir, sub, ups, downs, errs)
	} else if !errors.Is(err, fs.ErrNotExist) && !notDir(fsys, postDir) {
		return nil, fmt.Errorf("cannot read the post-deploy folder %s: %w", postDir, err)
	}

	c := <-cacheRead
	if c != nil {
		c.match(ups)
		c.match(downs)
	}
	scanAll(fsys, c, ups, downs)
	if c != nil {
		c.save(ups, downs)
	}
	for _, es := range [][]entry{ups, downs} {
		for _, e := range es {
			for _, fe := range e.errs {
				errs = append(errs, fe)
			}
		}
	}

	d := &Dir{FS: fsys}
	byKey := make(map[string]*Migration, len(ups))
	// files and downFiles list, for each migration more than one file
	// claims, every such file in directory order.
	files := make(map[*Migration][]string)
	downFiles := make(map[*Migration][]string)
	migs := make([]Migration, len(ups))
	for i := range ups {
		e := &ups[i]
		m := &migs[i]
		*m = Migration{
			Kind: e.name.kind, Version: e.name.version, Description: e.name.description,
			Path: e.path, Checksum: e.res.checksum, Size: e.res.size, Directives: e.res.dirs,
			Phase: phaseOf(e.res.dirs, e.post),
		}
		if e.post && e.res.dirs.Phase == PreDeploy {
			errs = append(errs, &FileError{Files: []string{e.path}, Msg: fmt.Sprintf(
				"the file is in the post-deploy folder %s but says -- strata:phase pre-deploy: move it out of that folder or remove the directive", postDir)})
		}
		key := m.ID()
		if prev, ok := byKey[key]; ok {
			if files[prev] == nil {
				files[prev] = []string{prev.Path}
			}
			files[prev] = append(files[prev], e.path)
			continue
		}
		byKey[key] = m
		if m.Kind == Repeatable {
			d.Repeatable = append(d.Repeatable, m)
		} else {
			if d.Versioned == nil {
				d.Versioned = make([]*Migration, 0, len(ups))
			}
			d.Versioned = append(d.Versioned, m)
		}
	}
	for i := range downs {
		e := &downs[i]
		m := byKey[e.name.version.String()]
		if m == nil {
			errs = append(errs, &FileError{Files: []string{e.path}, Msg: fmt.Sprintf(
				"down file without an up file: add %s or delete this file", upName(e.name))})
			continue
		}
		if e.name.description != m.Description {
			errs = append(errs, &FileError{Files: []string{e.path, m.Path}, Msg: fmt.Sprintf(
				"the down file's description does not match its up file: rename it to %s",
				downName(m))})
			continue
		}
		if m.DownPath != "" {
			if downFiles[m] == nil {
				downFiles[m] = []string{m.DownPath}
			}
			downFiles[m] = append(downFiles[m], e.path)
		}
		m.DownPath, m.DownChecksum, m.DownDirectives = e.path, e.res.checksum, e.res.dirs
	}
	errs = append(errs, duplicates(d.Versioned, files, "version")...)
	errs = append(errs, duplicates(d.Repeatable, files, "name")...)
	errs = append(errs, duplicates(d.Versioned, downFiles, "down version")...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(ups) == 0 && !o.AllowEmpty {
		return nil, &NoMigrationsError{Subfolders: sqlSubfolders(fsys)}
	}
	slices.SortFunc(d.Versioned, func(a, b *Migration) int { return a.Version.Compare(b.Version) })
	slices.SortFunc(d.Repeatable, func(a, b *Migration) int { return cmp.Compare(a.Description, b.Description) })
	return d, nil
}

// duplicates reports the migrations that more than one file claims.
func duplicates(ms []*Migration, files map[*Migration][]string, what string) []error {
	var errs []error
	for _, m := range ms {
		paths := files[m]
		if len(paths) < 2 {
			continue
		}
		count, fix := "two", "renumber one of them"
		if len(paths) > 2 {
			count, fix = fmt.Sprint(len(paths)), "renumber all but one of them"
		}
		var msg string
		switch what {
		case "version":
			msg = fmt.Sprintf("%s files have version %s: %s", count, m.Version, fix)
		case "down version":
			msg = fmt.Sprintf("%s down files have version %s: delete all but one of them", count, m.Version)
		default:
			msg = fmt.Sprintf("%s files are the repeatable migration %s: rename or delete all but one of them", count, m.ID())
		}
		errs = append(errs, &FileError{Files: paths, Msg: msg})
	}
	return errs
}

// upName is the up file a down file needs.
func upName(n fileName) string {
	if n.description == "" {
		return n.digits + ".sql"
	}
	return n.digits + "_" + n.description + ".sql"
}

// downName is the down file name that matches m's up file.
func downName(m *Migration) string {
	n := m.Path[:len(m.Path)-len(".sql")]
	if len(n) > 3 && n[len(n)-3:] == ".up" {
		n = n[:len(n)-3]
	}
	return n + ".down.sql"
}

// notRegular reports whether a directory entry named like a migration is
// to be skipped (a directory, or a symbolic link to one) or refused: only
// regular files, directly or through a symbolic link, are read. Opening a
// named pipe would block until a writer appears, and a device or socket
// is no migration, so those are refused with what they are, as are
// symbolic links that lead nowhere.
func notRegular(fsys fs.FS, p string, de fs.DirEntry) (skip bool, fe *FileError) {
	mode := de.Type()
	if mode&fs.ModeSymlink != 0 {
		fi, err := fs.Stat(fsys, p)
		if err != nil {
			return false, &FileError{Files: []string{p}, Err: err, Msg: fmt.Sprintf(
				"is a symbolic link that cannot be followed (%v): point it at a migration file or delete it", unwrapPath(err))}
		}
		mode = fi.Mode().Type()
	}
	switch {
	case mode.IsDir():
		return true, nil
	case mode.IsRegular():
		return false, nil
	}
	what := "not a regular file"
	switch {
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	}
	return false, &FileError{Files: []string{p}, Msg: fmt.Sprintf(
		"is %s, not a regular file: strata does not read it; remove it from the migrations folder or rename it so it does not end in .sql", what)}
}

// unwrapPath is err without the *fs.PathError wrapper, whose path the
// FileError already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Open opens the file at path within d.FS for reading, with CR LF
// normalised to LF exactly as in its checksum and a leading UTF-8 byte
// order mark removed, so statement text and lines are the same on every
// checkout. The caller must close it.
func (d *Dir) Open(name string) (io.ReadCloser, error) {
	return d.OpenSum(name, nil)
}

// OpenSum is Open that also writes to sum, as the file is read, exactly
// the bytes its checksum covers (see Checksum): CR LF normalised like the
// text read, and the leading byte order mark that the text read does not
// have. A SHA-256 of what sum received, once the reader reached the end,
// equals the checksum [Load] computed if the file did not change since.
func (d *Dir) OpenSum(name string, sum io.Writer) (io.ReadCloser, error) {
	if d.FS == nil {
		return nil, errors.New("the migrations directory has no file system")
	}
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := d.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &normReader{rc: f, first: true, sum: sum}, nil
}

// Find returns the versioned migration with version v, or nil.
func (d *Dir) Find(v Version) *Migration {
	i := sort.Search(len(d.Versioned), func(i int) bool { return d.Versioned[i].Version.Compare(v) >= 0 })
	if i < len(d.Versioned) && d.Versioned[i].Version.Compare(v) == 0 {
		return d.Versioned[i]
	}
	return nil
}

// Head returns the versioned migration with the highest version, or nil
// when there is none.
func (d *Dir) Head() *Migration {
	if len(d.Versioned) == 0 {
		return nil
	}
	return d.Versioned[len(d.Versioned)-1]
}
