//go:build linux || darwin || freebsd || netbsd || openbsd

package source

import (
	"io/fs"
	"os"
	"syscall"
)

// cacheSupported says whether this platform reports the file identities
// (device, inode, status-change time) the checksum cache needs.
const cacheSupported = true

// statKey returns the state of the regular file fi describes, as fs.Stat
// or File.Stat on an operating system file gives it.
func statKey(fi fs.FileInfo) (fileKey, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false
	}
	return keyOf(st)
}

// keyOf returns the state of a regular file.
func keyOf(st *syscall.Stat_t) (fileKey, bool) {
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return fileKey{}, false
	}
	m, c := statTimes(st)
	return fileKey{dev: uint64(st.Dev), ino: uint64(st.Ino), mode: uint32(st.Mode),
		size: int64(st.Size), mtime: m, ctime: c}, true
}

// ownedByUser reports whether the running user owns the file fi describes.
func ownedByUser(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
