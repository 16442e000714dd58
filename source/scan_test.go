package source

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"testing/iotest"
	"time"
)

// goldenInput and goldenChecksum are the worked example in
// docs/checksums.md. If this test fails, the checksum algorithm changed and
// every recorded history row would look edited: do not update the constant
// without a migration plan for existing databases.
const (
	goldenInput    = "-- strata example\r\nSELECT 1;\r\n"
	goldenChecksum = "9c9891a23e878c6d337a57dc9d739721c777b4be7708795cd91aaf099eb9fbc1"
	goldenSize     = 28
)

func TestChecksumGolden(t *testing.T) {
	sum, size, err := Checksum(strings.NewReader(goldenInput))
	if err != nil || sum != goldenChecksum || size != goldenSize {
		t.Fatalf("Checksum(golden) = %s, %d, %v; want %s, %d", sum, size, err, goldenChecksum, goldenSize)
	}
	d, err := Load(mapFS(map[string]string{"0001_golden.sql": goldenInput}))
	if err != nil {
		t.Fatal(err)
	}
	if m := d.Head(); m.Checksum != goldenChecksum || m.Size != goldenSize {
		t.Errorf("Load checksum = %s, %d; want %s, %d", m.Checksum, m.Size, goldenChecksum, goldenSize)
	}
	empty, _, _ := Checksum(strings.NewReader(""))
	if empty != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("empty checksum = %s", empty)
	}
}

// oneByteFS serves every file one byte per Read, to exercise every
// buffer boundary.
type oneByteFS struct{ fstest.MapFS }

type oneByteFile struct {
	fs.File
	r io.Reader
}

func (f oneByteFile) Read(p []byte) (int, error) { return f.r.Read(p) }

func (o oneByteFS) Open(name string) (fs.File, error) {
	f, err := o.MapFS.Open(name)
	if err != nil || name == "." {
		return f, err
	}
	return oneByteFile{File: f, r: iotest.OneByteReader(f)}, nil
}

func TestNormalisation(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\r\nb\r\n", "a\nb\n"},
		{"a\rb\r", "a\rb\r"}, // lone CRs stay
		{"\r\r\n\r", "\r\n\r"},
		{"\r\n\r\n", "\n\n"},
		{"no newline", "no newline"},
		{"", ""},
		{"x\n\r", "x\n\r"},
		{strings.Repeat("ab\r\n", bufSize/3) + "\r", strings.Repeat("ab\n", bufSize/3) + "\r"},
	}
	for _, tt := range tests {
		raw := sha256.Sum256([]byte(tt.want))
		wantSum := hex.EncodeToString(raw[:])
		// Checksum normalises, whether read whole or one byte at a time.
		for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in)),
			iotest.HalfReader(strings.NewReader(tt.in))} {
			sum, size, err := Checksum(r)
			if err != nil || size != int64(len(tt.want)) || sum != wantSum {
				t.Errorf("Checksum(%.20q) = %s, %d, %v; want %s, %d", tt.in, sum, size, err, wantSum, len(tt.want))
			}
		}
		// Open normalises the same way.
		for _, fsys := range []fs.FS{mapFS(map[string]string{"f.sql": tt.in}), oneByteFS{mapFS(map[string]string{"f.sql": tt.in})}} {
			rc, err := (&Dir{FS: fsys}).Open("f.sql")
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			if err != nil || string(got) != tt.want {
				t.Errorf("Open(%.20q) read %.20q, %v; want %.20q", tt.in, got, err, tt.want)
			}
			if err := rc.Close(); err != nil {
				t.Error(err)
			}
		}
	}
}

func TestOpen(t *testing.T) {
	d := &Dir{FS: mapFS(map[string]string{"bom.sql": "\uFEFFSELECT 1;\r\n", "bomonly.sql": "\uFEFF", "x.sql": "\uFEFF"[:2]})}
	for name, want := range map[string]string{"bom.sql": "SELECT 1;\n", "bomonly.sql": "", "x.sql": "\uFEFF"[:2]} {
		for _, dd := range []*Dir{d, {FS: oneByteFS{d.FS.(fstest.MapFS)}}} {
			rc, err := dd.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(iotest.OneByteReader(rc))
			rc.Close()
			if err != nil || string(got) != want {
				t.Errorf("Open(%s) = %q, %v; want %q", name, got, err, want)
			}
		}
	}
	if _, err := d.Open("missing.sql"); err == nil {
		t.Error("Open of a missing file succeeded")
	}
	if _, err := d.Open("../etc/passwd"); err == nil {
		t.Error("Open of an invalid path succeeded")
	}
	if _, err := (&Dir{}).Open("x.sql"); err == nil {
		t.Error("Open without an FS succeeded")
	}
}

func TestUTF8(t *testing.T) {
	long := strings.Repeat("é", bufSize) // two-byte runes straddle every buffer boundary
	tests := []struct {
		name, in string
		wantErr  string // "" for valid
	}{
		{"ascii", "SELECT 1;\n", ""},
		{"multibyte", "SELECT 'héllo wörld 日本 🎉';\n", ""},
		{"bom", "\uFEFFSELECT 1;", ""},
		{"long", long, ""},
		{"long plus emoji", "x" + strings.Repeat("🎉", bufSize/2), ""},
		{"bad byte line 3", "a\nb\nc\xffd\n", "0001_f.sql:3: invalid UTF-8 (byte 0xff at byte offset 5)"},
		{"latin1", "SELECT 'caf\xe9';", "0001_f.sql:1: invalid UTF-8 (byte 0xe9 at byte offset 11)"},
		{"truncated at end", "ok\n\xe6\x97", "0001_f.sql:2: invalid UTF-8 (byte 0xe6 at byte offset 3)"},
		{"surrogate", "\xed\xa0\x80", "0001_f.sql:1: invalid UTF-8 (byte 0xed at byte offset 0)"},
		{"overlong", "\n\n\xc0\xaf", "0001_f.sql:3: invalid UTF-8 (byte 0xc0 at byte offset 2)"},
		{"bad after boundary", long + "\n\x80", "0001_f.sql:2: invalid UTF-8 (byte 0x80 at byte offset 65537)"},
		{"cut rune then ascii", strings.Repeat("a", bufSize-1) + "\xe6A", "0001_f.sql:1: invalid UTF-8 (byte 0xe6 at byte offset 32767)"},
	}
	for _, tt := range tests {
		files := map[string]string{"0001_f.sql": tt.in}
		for _, fsys := range []fs.FS{mapFS(files), oneByteFS{mapFS(files)}} {
			_, err := Load(fsys)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("%s: %v", tt.name, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), "save the file as UTF-8"):
				t.Errorf("%s: error %v does not say what to do", tt.name, err)
			}
		}
	}
}

func TestDirectives(t *testing.T) {
	tests := []struct {
		name, in string
		want     Directives
		wantErr  string
	}{
		{"none", "CREATE TABLE t (id int);", Directives{}, ""},
		{"no-transaction", "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (id);", Directives{NoTransaction: true}, ""},
		{"both after licence", "/* Licence: a; b; 'c'\n   more; */\n-- hello\n\n# mysql comment\r\n--strata:lock-timeout 5s\r\n  -- STRATA:no-transaction  \r\nSELECT 1;",
			Directives{NoTransaction: true, LockTimeout: 5 * time.Second}, ""},
		{"bom", "\uFEFF-- strata:no-transaction\nSELECT 1;", Directives{NoTransaction: true}, ""},
		{"block comment then directive on same line", "/* x */ -- strata:lock-timeout 1m30s\nSELECT 1;", Directives{LockTimeout: 90 * time.Second}, ""},
		{"after first SQL is a comment", "SELECT 1;\n-- strata:no-transaction\n-- strata:bogus\n", Directives{}, ""},
		{"after SQL on the first line", "SELECT 1; -- strata:no-transaction\n", Directives{}, ""},
		{"mysql executable comment is SQL", "/*!40101 SET NAMES utf8 */;\n-- strata:no-transaction\n", Directives{}, ""},
		{"lint-ignore anywhere", "-- strata:lint-ignore\n-- strata:lint-ignore destructive\nSELECT 1; -- strata:lint-ignore\n", Directives{}, ""},
		{"last line without newline", "-- strata:no-transaction", Directives{NoTransaction: true}, ""},
		{"directive inside block comment is ignored", "/*\n-- strata:bogus\n*/\nSELECT 1;", Directives{}, ""},
		{"unknown", "-- a\n-- strata:no-transacton\nSELECT 1;", Directives{},
			"0001_f.sql:2: unknown directive \"strata:no-transacton\": the known directives are strata:no-transaction, strata:lock-timeout DURATION (such as 5s), strata:phase pre-deploy|post-deploy, strata:lint-ignore"},
		{"bad duration", "-- strata:lock-timeout soon\n", Directives{}, "0001_f.sql:1: strata:lock-timeout needs a positive duration such as 5s or 1m30s, got \"soon\""},
		{"missing duration", "-- strata:lock-timeout\n", Directives{}, "0001_f.sql:1: strata:lock-timeout needs a positive duration"},
		{"negative duration", "-- strata:lock-timeout -5s\n", Directives{}, "positive duration"},
		{"argument to no-transaction", "-- strata:no-transaction please\n", Directives{}, "0001_f.sql:1: strata:no-transaction takes no argument"},
		{"repeated", "-- strata:no-transaction\n-- strata:no-transaction\n", Directives{}, "0001_f.sql:2: directive strata:no-transaction is repeated (first on line 1)"},
		{"empty name", "-- strata: no-transaction\n", Directives{}, "unknown directive \"strata:\""},
	}
	for _, tt := range tests {
		files := map[string]string{"0001_f.sql": tt.in, "0001_f.down.sql": tt.in}
		for _, fsys := range []fs.FS{mapFS(files), oneByteFS{mapFS(files)}} {
			d, err := Load(fsys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
				} else if n := len(fileErrors(t, err)); n != 2 {
					t.Errorf("%s: %d errors, want one for each file: %v", tt.name, n, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			if m := d.Head(); m.Directives != tt.want || m.DownDirectives != tt.want {
				t.Errorf("%s: directives %+v / %+v, want %+v", tt.name, m.Directives, m.DownDirectives, tt.want)
			}
		}
	}
}

func TestLongHeaderLine(t *testing.T) {
	in := "-- " + strings.Repeat("x", maxHeaderLine) + "\n-- strata:bogus\n"
	if _, err := Load(mapFS(map[string]string{"0001_f.sql": in})); err != nil {
		t.Errorf("a directive after a huge line should be ignored: %v", err)
	}
	var b bytes.Buffer
	b.WriteString("-- strata:no-transaction\n")
	for b.Len() < 3*bufSize {
		b.WriteString("-- licence line; with 'quotes'\n")
	}
	b.WriteString("-- strata:lock-timeout 2s\nSELECT 1;\n")
	d, err := Load(mapFS(map[string]string{"0001_f.sql": b.String()}))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Head().Directives; got != (Directives{NoTransaction: true, LockTimeout: 2 * time.Second}) {
		t.Errorf("directives across buffers = %+v", got)
	}
}

// TestOpenSumMatchesChecksum checks that what OpenSum hands to its writer
// hashes to the checksum Load computes, whatever the file's byte order
// mark, line ends and the way reads split it, so a file checked while it
// runs is never taken for an edited one.
func TestOpenSumMatchesChecksum(t *testing.T) {
	big := strings.Repeat("SELECT 1;\r\n", 10_000) // CR LF pairs across read buffers
	files := map[string]string{
		"bom.sql":      "\uFEFFSELECT 1;\n",
		"bomcrlf.sql":  "\uFEFFSELECT 1;\r\nSELECT 2;\r\n",
		"bomonly.sql":  "\uFEFF",
		"halfbom.sql":  "\uFEFF"[:2],
		"lonecr.sql":   "SELECT 1;\rSELECT 2;\r",
		"nonl.sql":     "SELECT 1;",
		"empty.sql":    "",
		"bigbom.sql":   "\uFEFF" + big,
		"bigplain.sql": big + "\r",
	}
	d := &Dir{FS: mapFS(files)}
	for name, content := range files {
		want, _, err := Checksum(strings.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		for _, dd := range []*Dir{d, {FS: oneByteFS{d.FS.(fstest.MapFS)}}} {
			h := sha256.New()
			rc, err := dd.OpenSum(name, h)
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			if got := hex.EncodeToString(h.Sum(nil)); err != nil || got != want {
				t.Errorf("OpenSum(%s) hashed to %s, %v; Checksum is %s", name, got, err, want)
			}
		}
	}
}
