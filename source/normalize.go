package source

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
)

// bufSize is the read buffer size used for every streaming pass.
const bufSize = 32 << 10

// crlf removes the CR of every CR LF pair from a stream given in chunks;
// a lone CR is kept. A CR at the end of a chunk is held back until the
// next chunk (or the end of the stream) shows whether an LF follows.
type crlf struct {
	pendingCR bool
}

// appendNormalized appends src, normalised, to dst.
func (c *crlf) appendNormalized(dst, src []byte) []byte {
	if len(src) == 0 {
		return dst
	}
	if c.pendingCR {
		c.pendingCR = false
		if src[0] != '\n' {
			dst = append(dst, '\r')
		}
	}
	for {
		i := bytes.IndexByte(src, '\r')
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		if i == len(src)-1 {
			c.pendingCR = true
			return dst
		}
		if src[i+1] != '\n' {
			dst = append(dst, '\r')
		}
		src = src[i+1:]
	}
}

// flush appends what is held back at the end of the stream.
func (c *crlf) flush(dst []byte) []byte {
	if c.pendingCR {
		c.pendingCR = false
		dst = append(dst, '\r')
	}
	return dst
}

// Checksum returns the checksum strata records for a migration file: the
// lower-case hex SHA-256 of r's bytes with every CR LF pair replaced by LF
// (a lone CR is kept), and the number of bytes hashed. See
// docs/checksums.md; this algorithm must never change silently.
func Checksum(r io.Reader) (string, int64, error) {
	h := sha256.New()
	buf := make([]byte, bufSize)
	var out []byte
	var c crlf
	var size int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			out = c.appendNormalized(out[:0], buf[:n])
			h.Write(out)
			size += int64(len(out))
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", 0, err
		}
	}
	out = c.flush(out[:0])
	h.Write(out)
	size += int64(len(out))
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

// utf8BOM is the byte order mark an editor may put at the start of a file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// normReader streams a file with CR LF normalised to LF, exactly as
// Checksum sees it, and with a leading UTF-8 byte order mark removed
// (no database accepts one as SQL).
type normReader struct {
	rc    io.ReadCloser
	c     crlf
	buf   []byte
	obuf  []byte // backing array for out
	out   []byte // normalised bytes not yet returned
	first bool   // nothing has been read yet: strip a BOM
	last  int    // bytes the last read returned
	err   error
	sum   io.Writer // if not nil, gets the bytes the checksum covers
}

// Read implements io.Reader.
func (r *normReader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.fill()
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// minBuf is the read buffer a normReader starts with; it doubles up to
// bufSize while reads fill it, so the many tiny migration files do not
// each pay for a large buffer.
const minBuf = 1 << 10

// fill reads the next chunk into r.out.
func (r *normReader) fill() {
	switch {
	case r.buf == nil:
		r.buf = make([]byte, minBuf)
	case r.last == len(r.buf) && len(r.buf) < bufSize:
		r.buf = make([]byte, 2*len(r.buf))
	}
	n, err := r.rc.Read(r.buf)
	r.last = n
	src := r.buf[:n]
	if r.first && n > 0 {
		// A BOM split over two reads is rare; read until we know.
		for len(src) < len(utf8BOM) && bytes.HasPrefix(utf8BOM, src) && err == nil {
			var m int
			m, err = r.rc.Read(r.buf[len(src):])
			src = r.buf[:len(src)+m]
		}
		r.first = false
		if bytes.HasPrefix(src, utf8BOM) {
			// Dropped from the SQL, but part of the checksum.
			if r.sum != nil {
				r.sum.Write(utf8BOM)
			}
			src = src[len(utf8BOM):]
		}
	}
	r.out = r.c.appendNormalized(r.obuf[:0], src)
	r.obuf = r.out[:0]
	if err != nil {
		if errors.Is(err, io.EOF) {
			r.out = r.c.flush(r.out)
		}
		r.err = err
	}
	if r.sum != nil {
		r.sum.Write(r.out)
	}
}

// Close closes the underlying file.
func (r *normReader) Close() error { return r.rc.Close() }
