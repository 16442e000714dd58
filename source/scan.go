package source

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"unicode/utf8"
)

// scanResult is what one streaming pass over a file found.
type scanResult struct {
	checksum string
	size     int64
	dirs     Directives
}

// scanner reads migration files, one at a time, computing the checksum,
// validating UTF-8 and parsing directives in a single streaming pass. Its
// buffers are reused from file to file; it is not safe for concurrent use.
type scanner struct {
	h   hash.Hash
	buf []byte
	out []byte
	hdr header
	mk  markerLines
}

// newScanner returns a scanner with its buffers allocated.
func newScanner() *scanner {
	return &scanner{h: sha256.New(), buf: make([]byte, bufSize), out: make([]byte, 0, bufSize+1)}
}

// utf8Check validates UTF-8 over a stream given in chunks, carrying an
// incomplete rune from one chunk to the next.
type utf8Check struct {
	carry  [utf8.UTFMax]byte
	ncarry int
	offset int64 // file offset of the next chunk's first byte
	lines  int   // newlines before the next chunk
}

// feed validates the next chunk. On invalid input it returns the 1-based
// line and the file offset of the first bad byte and that byte's value.
func (u *utf8Check) feed(p []byte) (line int, off int64, b byte, ok bool) {
	start, startLines := u.offset, u.lines
	u.offset += int64(len(p))
	u.lines += bytes.Count(p, []byte{'\n'})
	if u.ncarry > 0 {
		k := 0
		for k < len(p) && !utf8.FullRune(u.carry[:u.ncarry]) {
			u.carry[u.ncarry] = p[k]
			u.ncarry++
			k++
		}
		if !utf8.FullRune(u.carry[:u.ncarry]) {
			return 0, 0, 0, true
		}
		r, size := utf8.DecodeRune(u.carry[:u.ncarry])
		if r == utf8.RuneError && size <= 1 {
			return startLines + 1, start - int64(u.ncarry-k), u.carry[0], false
		}
		// The carried rune ended inside p at k - (ncarry - size).
		k -= u.ncarry - size
		u.ncarry = 0
		p, start = p[k:], start+int64(k)
	}
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(p[:cut]) {
		i := 0
		for i < cut {
			r, size := utf8.DecodeRune(p[i:cut])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return startLines + bytes.Count(p[:i], []byte{'\n'}) + 1, start + int64(i), p[i], false
	}
	u.ncarry = copy(u.carry[:], p[cut:])
	return 0, 0, 0, true
}

// end reports a rune cut short by the end of the file.
func (u *utf8Check) end() (line int, off int64, b byte, ok bool) {
	if u.ncarry > 0 {
		return u.lines + 1, u.offset - int64(u.ncarry), u.carry[0], false
	}
	return 0, 0, 0, true
}

// scan reads the file at path once. It returns the problems it found as
// *FileErrors; a file with problems has no usable result. With keyed, it
// also returns the state of the file it read (of the open file, so it is
// the file that was read), when the platform and the file system report
// one.
func (s *scanner) scan(fsys fs.FS, path string, keyed bool) (scanResult, []*FileError, fileKey, bool) {
	var f rawFile
	var err error
	if r, ok := fsys.(rawFS); ok {
		f, err = r.openRaw(path)
	} else {
		var ff fs.File
		if ff, err = fsys.Open(path); err == nil {
			f = fsFile{ff}
		}
	}
	if err != nil {
		return scanResult{}, []*FileError{{Files: []string{path}, Msg: "cannot open the file: " + err.Error(), Err: err}}, fileKey{}, false
	}
	defer f.Close()
	var key fileKey
	ok := false
	if keyed {
		key, ok = f.key()
	}
	res, errs := s.read(f, path)
	if s.mk.found {
		fe, err := confirmForeign(fsys, path)
		if err != nil {
			return scanResult{}, []*FileError{{Files: []string{path}, Msg: "cannot read the file: " + err.Error(), Err: err}}, fileKey{}, false
		}
		if fe != nil {
			return scanResult{}, append([]*FileError{fe.fileError()}, errs...), fileKey{}, false
		}
	}
	return res, errs, key, ok
}

// fsFile is an fs.File as a rawFile.
type fsFile struct{ fs.File }

func (f fsFile) key() (fileKey, bool) {
	fi, err := f.Stat()
	if err != nil {
		return fileKey{}, false
	}
	return statKey(fi)
}

// read reads the open file f, named path, to its end.
func (s *scanner) read(f io.Reader, path string) (scanResult, []*FileError) {
	s.h.Reset()
	s.hdr.reset()
	s.mk.reset()
	var c crlf
	var u utf8Check
	var size int64
	for {
		n, rerr := f.Read(s.buf)
		if n > 0 {
			p := s.buf[:n]
			startLines, startOff := u.lines, u.offset
			if line, off, b, ok := u.feed(p); !ok {
				return scanResult{}, []*FileError{badUTF8(path, line, off, b)}
			}
			if i := bytes.IndexByte(p, 0); i >= 0 {
				return scanResult{}, []*FileError{nulByte(path, startLines+bytes.Count(p[:i], []byte{'\n'})+1, startOff+int64(i))}
			}
			s.hdr.feed(p)
			s.mk.feed(p)
			s.out = c.appendNormalized(s.out[:0], p)
			s.h.Write(s.out)
			size += int64(len(s.out))
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return scanResult{}, []*FileError{{Files: []string{path}, Msg: "cannot read the file: " + rerr.Error(), Err: rerr}}
		}
	}
	if line, off, b, ok := u.end(); !ok {
		return scanResult{}, []*FileError{badUTF8(path, line, off, b)}
	}
	s.hdr.end()
	s.mk.end()
	s.out = c.flush(s.out[:0])
	s.h.Write(s.out)
	size += int64(len(s.out))
	if len(s.hdr.errs) > 0 {
		errs := make([]*FileError, len(s.hdr.errs))
		for i, e := range s.hdr.errs {
			errs[i] = &FileError{Files: []string{path}, Line: e.line, Msg: e.msg}
		}
		return scanResult{}, errs
	}
	return scanResult{
		checksum: hex.EncodeToString(s.h.Sum(s.out[:0])),
		size:     size,
		dirs:     s.hdr.dirs,
	}, nil
}

// badUTF8 is the error for a file that is not valid UTF-8.
func badUTF8(path string, line int, off int64, b byte) *FileError {
	return &FileError{
		Files: []string{path},
		Line:  line,
		Msg:   fmt.Sprintf("invalid UTF-8 (byte 0x%02x at byte offset %d): save the file as UTF-8", b, off),
	}
}

// nulByte reports a NUL byte: PostgreSQL refuses it in text and SQLite
// ends a statement's text at it, so the rest of the statement would be
// dropped without a word.
func nulByte(path string, line int, off int64) *FileError {
	return &FileError{
		Files: []string{path},
		Line:  line,
		Msg:   fmt.Sprintf("a NUL byte (0x00 at byte offset %d) is not SQL text: remove it, or write it as an escape the database reads (X'00', CHAR(0))", off),
	}
}
