//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package source

import "io/fs"

// cacheSupported is false: this platform does not report the file
// identities the checksum cache needs, so every file is read on every run.
const cacheSupported = false

func statKey(fs.FileInfo) (fileKey, bool) { return fileKey{}, false }

func ownedByUser(fs.FileInfo) bool { return false }
