package source

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The checksum cache lets Load skip reading files that have not changed
// since an earlier run: for each file it remembers the file's identity and
// state as the operating system reports them (device, inode, type and
// permissions, size, modification and status-change times, following
// symbolic links) and what reading it gave (checksum, size, directives). A file is read again when
// any of those differ, when it is not in the cache, or when the cache file
// is missing, foreign (another folder or format), not owned by the user,
// truncated or corrupt; every doubt means reading the file. See
// docs/checksums.md.
//
// A file whose modification or status-change time is less than cacheMinAge
// before the start of the run is never put in the cache: a second edit in
// the same timestamp tick could otherwise keep every field the same. The
// status-change time (ctime) cannot be set by programs (short of setting
// the system clock), so an edit that keeps the size and restores the
// modification time is still caught.

// cacheFormat is the version of the cache file's layout and of what it
// caches. Bump it whenever scan's result changes meaning: a new field in
// Directives, a directive parsed differently, a change to the checksum.
const cacheFormat = 3 // 2: files with another tool's markers are refused; 3: strata:phase

// cacheMinAge is how old a file's timestamps must be before its result is
// cached; it is larger than the timestamp granularity of any file system
// strata expects (2 s on FAT).
const cacheMinAge = 3 * time.Second

// cacheMagic starts every cache file.
const cacheMagic = "strata checksum cache\n"

// maxCacheName bounds a cached path; longer ones are not cached.
const maxCacheName = 1<<16 - 1

// maxCacheFile bounds the cache file read (about 110 bytes a file).
const maxCacheFile = 1 << 30

// fileKey is one state of one file: when any field differs, the file may
// have changed.
type fileKey struct {
	dev, ino     uint64
	mode         uint32 // the type and permission bits of st_mode
	size         int64  // bytes on disk, before CR LF normalisation
	mtime, ctime int64  // nanoseconds since 1970
}

// cacheEntry is what the cache remembers about one file.
type cacheEntry struct {
	name []byte // the file's path, within the cache file's bytes; nil for a new entry
	key  fileKey
	sum  [sha256.Size]byte
	size int64 // after CR LF normalisation
	dirs Directives
}

// result is the scan result the entry stands for.
func (c *cacheEntry) result() scanResult {
	return scanResult{checksum: hex.EncodeToString(c.sum[:]), size: c.size, dirs: c.dirs}
}

// fresh reports whether a file with key k may still change within the
// timestamp tick of a run that started at start.
func (k fileKey) fresh(start time.Time) bool {
	cut := start.Add(-cacheMinAge).UnixNano()
	return k.mtime >= cut || k.ctime >= cut
}

// checksumCache is one cache file, read at the start of a Load.
type checksumCache struct {
	file, key string
	start     time.Time
	entries   []cacheEntry // sorted by name, unique
}

// openCache reads the cache file for key. A cache that cannot be used is
// empty; the platform without file identities has none at all (nil).
func openCache(file, key string, start time.Time) *checksumCache {
	if !cacheSupported || file == "" {
		return nil
	}
	c := &checksumCache{file: file, key: key, start: start}
	data, ok := readOwnFile(file)
	if ok {
		c.entries, _ = decodeCache(data, key)
	}
	return c
}

// readOwnFile reads file if the current user owns it and nobody else can
// write it.
func readOwnFile(file string) ([]byte, bool) {
	f, err := os.Open(file)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o022 != 0 || !ownedByUser(fi) || fi.Size() > maxCacheFile {
		return nil, false
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, false
	}
	return data, true
}

// entrySize is the encoded size of an entry without its path.
const entrySize = 2 + 8 + 8 + 4 + 8 + 8 + 8 + sha256.Size + 8 + 1 + 8

// pathEntry is a cache entry and the path it is for.
type pathEntry struct {
	path string
	*cacheEntry
}

// encodeCache writes entries (sorted by path) for key.
func encodeCache(key string, entries []pathEntry) []byte {
	n := len(cacheMagic) + 4 + 4 + len(key) + 4 + 4
	for i := range entries {
		n += entrySize + len(entries[i].path)
	}
	b := make([]byte, 0, n)
	le := binary.LittleEndian
	b = append(b, cacheMagic...)
	b = le.AppendUint32(b, cacheFormat)
	b = le.AppendUint32(b, uint32(len(key)))
	b = append(b, key...)
	b = le.AppendUint32(b, uint32(len(entries)))
	for i := range entries {
		e := &entries[i]
		b = le.AppendUint16(b, uint16(len(e.path)))
		b = append(b, e.path...)
		b = le.AppendUint64(b, e.key.dev)
		b = le.AppendUint64(b, e.key.ino)
		b = le.AppendUint32(b, e.key.mode)
		b = le.AppendUint64(b, uint64(e.key.size))
		b = le.AppendUint64(b, uint64(e.key.mtime))
		b = le.AppendUint64(b, uint64(e.key.ctime))
		b = append(b, e.sum[:]...)
		b = le.AppendUint64(b, uint64(e.size))
		var flags byte
		if e.dirs.NoTransaction {
			flags |= 1
		}
		switch e.dirs.Phase {
		case PreDeploy:
			flags |= 2
		case PostDeploy:
			flags |= 4
		}
		b = append(b, flags)
		b = le.AppendUint64(b, uint64(e.dirs.LockTimeout))
	}
	return le.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// decodeCache parses a cache file written for key. Anything unexpected
// (another format or key, a bad checksum, unsorted or duplicate paths,
// trailing bytes) makes the whole file unusable.
func decodeCache(data []byte, key string) ([]cacheEntry, bool) {
	le := binary.LittleEndian
	if len(data) < len(cacheMagic)+4+4+4+4 || !bytes.HasPrefix(data, []byte(cacheMagic)) {
		return nil, false
	}
	body, sum := data[:len(data)-4], le.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, false
	}
	p := body[len(cacheMagic):]
	if le.Uint32(p) != cacheFormat {
		return nil, false
	}
	kl := int(le.Uint32(p[4:]))
	p = p[8:]
	if kl > len(p)-4 || string(p[:kl]) != key {
		return nil, false
	}
	p = p[kl:]
	count := int(le.Uint32(p))
	p = p[4:]
	if count > len(p)/entrySize {
		return nil, false
	}
	entries := make([]cacheEntry, count)
	pos := 0
	for i := range entries {
		if len(p)-pos < 2 {
			return nil, false
		}
		nl := int(le.Uint16(p[pos:]))
		pos += 2
		if len(p)-pos < nl+entrySize-2 {
			return nil, false
		}
		e := &entries[i]
		e.name = p[pos : pos+nl : pos+nl]
		pos += nl
		if i > 0 && bytes.Compare(entries[i-1].name, e.name) >= 0 {
			return nil, false
		}
		r := p[pos:]
		e.key = fileKey{dev: le.Uint64(r), ino: le.Uint64(r[8:]), mode: le.Uint32(r[16:]),
			size: int64(le.Uint64(r[20:])), mtime: int64(le.Uint64(r[28:])), ctime: int64(le.Uint64(r[36:]))}
		copy(e.sum[:], r[44:])
		r = r[44+sha256.Size:]
		e.size = int64(le.Uint64(r))
		flags := r[8]
		if flags&^7 != 0 || flags&6 == 6 {
			return nil, false
		}
		e.dirs = Directives{NoTransaction: flags&1 != 0, LockTimeout: time.Duration(le.Uint64(r[9:]))}
		switch {
		case flags&2 != 0:
			e.dirs.Phase = PreDeploy
		case flags&4 != 0:
			e.dirs.Phase = PostDeploy
		}
		pos += entrySize - 2
	}
	if pos != len(p) {
		return nil, false
	}
	return entries, true
}

// match gives each entry of es (sorted by path, as fs.ReadDir returns
// them) its cached entry, if any.
func (c *checksumCache) match(es []entry) {
	j := 0
	for i := range es {
		for j < len(c.entries) && string(c.entries[j].name) < es[i].path {
			j++
		}
		if j < len(c.entries) && string(c.entries[j].name) == es[i].path {
			es[i].cached = &c.entries[j]
		}
	}
}

// save writes the cache for the entries of a finished Load, if it differs
// from the cache that was read. Errors are ignored: the cache only saves
// time.
func (c *checksumCache) save(groups ...[]entry) {
	n, hits := 0, 0
	for _, es := range groups {
		for i := range es {
			if e := &es[i]; e.keep != nil {
				n++
				if e.keep == e.cached {
					hits++
				}
			}
		}
	}
	if hits == n && n == len(c.entries) {
		return // every cached file, and only those, is unchanged
	}
	out := make([]pathEntry, 0, n)
	for _, es := range groups {
		for i := range es {
			if e := &es[i]; e.keep != nil {
				out = append(out, pathEntry{e.path, e.keep})
			}
		}
	}
	slices.SortFunc(out, func(a, b pathEntry) int { return cmp.Compare(a.path, b.path) })
	data := encodeCache(c.key, out)
	dir := filepath.Dir(c.file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(c.file)+"-*")
	if err != nil {
		return
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), c.file)
	}
	if err != nil {
		os.Remove(f.Name())
	}
}

// lookup returns the cached result for the file at path when its state is
// the one cached.
func (c *checksumCache) lookup(fsys fs.FS, e *entry) bool {
	if e.cached == nil {
		return false
	}
	k, ok := stateOf(fsys, e.path)
	if !ok || k != e.cached.key || k.fresh(c.start) {
		return false
	}
	e.res, e.keep = e.cached.result(), e.cached
	return true
}

// stateOf returns the state of the file at path, following symbolic
// links.
func stateOf(fsys fs.FS, path string) (fileKey, bool) {
	if r, ok := fsys.(rawFS); ok {
		return r.statKey(path)
	}
	fi, err := fs.Stat(fsys, path)
	if err != nil {
		return fileKey{}, false
	}
	return statKey(fi)
}

// remember records what scanning e gave, when its file may be cached.
func (c *checksumCache) remember(e *entry, k fileKey) {
	if len(e.errs) > 0 || k.fresh(c.start) || len(e.path) > maxCacheName {
		return
	}
	ce := &cacheEntry{key: k, size: e.res.size, dirs: e.res.dirs}
	if n, err := hex.Decode(ce.sum[:], []byte(e.res.checksum)); err != nil || n != sha256.Size {
		return
	}
	e.keep = ce
}
