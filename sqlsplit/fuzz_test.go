package sqlsplit

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"testing/iotest"
)

// FuzzScanner checks, for any input in every dialect, that the scanner
// (and Tokens, on each statement and on the whole input) never panics, that Raw plus Trailing rebuild the input byte for byte,
// that Text is the non-empty, trimmed substring of Raw at TextStart with
// correct positions, and that reading one byte at a time gives exactly
// the same result as reading everything at once.
func FuzzScanner(f *testing.F) {
	for _, in := range goldenInputs(f) {
		f.Add(in.src, uint8(in.d)-1+3*uint8(in.bs))
	}
	for _, s := range []string{
		"SELECT $a$x$$a$; SELECT 2;", "DELIMITER ;;\nSELECT 1;;\nDELIMITER ;\n", "BEGIN NOT ATOMIC END;",
		"CREATE PROCEDURE p() BEGIN END", "\xef\xbb\xbf;", "/*!", "E'\\", "$$", "[", "--", "#",
	} {
		for d := range uint8(9) {
			f.Add([]byte(s), d)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte, d uint8) {
		// d chooses the dialect and the backslash rule.
		opts := Options{Dialect: Dialect(d%3) + 1, Backslash: Backslash(d / 3 % 3)}
		sts, trailing, err := scanAll(bytes.NewReader(src), opts)
		var serr *Error
		if err != nil && !errors.As(err, &serr) {
			t.Fatalf("error is %T, want *Error: %v", err, err)
		}
		if serr != nil && (serr.Line < 1 || serr.Col < 1 || serr.Msg == "") {
			t.Fatalf("bad error position or message: %#v", serr)
		}
		checkInvariants(t, src, sts, trailing, err)
		for _, st := range sts {
			checkTokens(t, st.Text, opts)
		}
		checkTokens(t, string(src), opts) // unterminated constructs too
		sts1, trailing1, err1 := scanAll(iotest.OneByteReader(bytes.NewReader(src)), opts)
		if !reflect.DeepEqual(sts, sts1) || trailing != trailing1 || !reflect.DeepEqual(err, err1) {
			t.Fatalf("reading one byte at a time differs:\n%s\nvs\n%s", render(sts, trailing, err), render(sts1, trailing1, err1))
		}
	})
}

// checkTokens checks that every token Tokens returns is the text at its
// offset, in order, without overlap.
func checkTokens(t *testing.T, text string, opts Options) {
	end := 0
	for _, tk := range Tokens(text, opts) {
		if tk.Text == "" || tk.Offset < end || tk.Offset+len(tk.Text) > len(text) || text[tk.Offset:tk.Offset+len(tk.Text)] != tk.Text {
			t.Fatalf("token %+v is not the text at its offset, after %d, in %q", tk, end, text)
		}
		end = tk.Offset + len(tk.Text)
	}
}
