//go:build linux || darwin || freebsd || netbsd || openbsd

package source

import (
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// path is the operating system path of name, as os.DirFS joins it.
func (d *osDir) path(name string) (string, bool) {
	if d.dir == "" || !fs.ValidPath(name) || strings.IndexByte(name, 0) >= 0 {
		return "", false
	}
	if os.IsPathSeparator(d.dir[len(d.dir)-1]) {
		return d.dir + name, true
	}
	return d.dir + "/" + name, true
}

func (d *osDir) openRaw(name string) (rawFile, error) {
	p, ok := d.path(name)
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	var fd int
	err := retryEINTR(func() (err error) {
		fd, err = syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		// Named as os.DirFS names it: the path within the folder.
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &fdFile{fd: fd, path: p}, nil
}

func (d *osDir) statKey(name string) (fileKey, bool) {
	p, ok := d.path(name)
	if !ok {
		return fileKey{}, false
	}
	var st syscall.Stat_t
	if err := retryEINTR(func() error { return syscall.Stat(p, &st) }); err != nil {
		return fileKey{}, false
	}
	return keyOf(&st)
}

// fdFile is a file open for reading by its descriptor.
type fdFile struct {
	fd   int
	path string
}

func (f *fdFile) Read(p []byte) (int, error) {
	var n int
	err := retryEINTR(func() (err error) {
		n, err = syscall.Read(f.fd, p)
		return err
	})
	switch {
	case err != nil:
		return 0, &fs.PathError{Op: "read", Path: f.path, Err: err}
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}

func (f *fdFile) Close() error { return syscall.Close(f.fd) }

func (f *fdFile) key() (fileKey, bool) {
	var st syscall.Stat_t
	if err := retryEINTR(func() error { return syscall.Fstat(f.fd, &st) }); err != nil {
		return fileKey{}, false
	}
	return keyOf(&st)
}

// retryEINTR calls f until it is not interrupted by a signal.
func retryEINTR(f func() error) error {
	for {
		if err := f(); err != syscall.EINTR {
			return err
		}
	}
}
