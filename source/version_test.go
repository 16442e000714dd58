package source

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  string
	}{
		{in: "1", want: "1"},
		{in: "0001", want: "1"},
		{in: "0", want: "0"},
		{in: "0000", want: "0"},
		{in: "20240101120000", want: "20240101120000"},
		{in: "99999999999999999999", want: "99999999999999999999"},
		{in: "000012345678901234567890", want: "12345678901234567890"},
		{in: strings.Repeat("9", MaxVersionDigits), want: strings.Repeat("9", MaxVersionDigits)},
		{in: strings.Repeat("1", MaxVersionDigits+1), wantErr: "more than the limit of 64"},
		{in: "", wantErr: "empty version"},
		{in: "12a", wantErr: "not a run of digits"},
		{in: "-1", wantErr: "not a run of digits"},
		{in: "１２", wantErr: "not a run of digits"}, // full-width digits are not ASCII
	}
	for _, tt := range tests {
		v, err := ParseVersion(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseVersion(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseVersion(%q): %v", tt.in, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("ParseVersion(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if v.IsZero() {
			t.Errorf("ParseVersion(%q).IsZero() = true", tt.in)
		}
	}
}

func mustVersion(t testing.TB, s string) Version {
	t.Helper()
	v, err := ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVersionOrder(t *testing.T) {
	// Ascending, including values beyond int64 (9223372036854775807).
	ordered := []string{"0", "1", "0002", "10", "099", "100", "20240101120000",
		"9223372036854775807", "12345678901234567890", "99999999999999999999", "100000000000000000000"}
	var zero Version
	for i, a := range ordered {
		va := mustVersion(t, a)
		if got := zero.Compare(va); got != -1 {
			t.Errorf("zero.Compare(%s) = %d, want -1", a, got)
		}
		if got := va.Compare(zero); got != 1 {
			t.Errorf("%s.Compare(zero) = %d, want 1", a, got)
		}
		for j, b := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := va.Compare(mustVersion(t, b)); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
	if zero.Compare(Version{}) != 0 || !zero.IsZero() || zero.String() != "" {
		t.Errorf("zero Version misbehaves: %q", zero.String())
	}
	shuffled := []Version{mustVersion(t, "99999999999999999999"), mustVersion(t, "9223372036854775807"),
		mustVersion(t, "12345678901234567890"), mustVersion(t, "7")}
	slices.SortFunc(shuffled, Version.Compare)
	var got []string
	for _, v := range shuffled {
		got = append(got, v.String())
	}
	want := []string{"7", "9223372036854775807", "12345678901234567890", "99999999999999999999"}
	if !slices.Equal(got, want) {
		t.Errorf("sorted = %v, want %v", got, want)
	}
}

func TestVersionNext(t *testing.T) {
	for in, want := range map[string]string{"0": "1", "9": "10", "0041": "42", "99999999999999999999": "100000000000000000000", "199": "200"} {
		if got := mustVersion(t, in).next().String(); got != want {
			t.Errorf("next(%s) = %s, want %s", in, got, want)
		}
	}
	if got := (Version{}).next().String(); got != "1" {
		t.Errorf("next(zero) = %s, want 1", got)
	}
}

func TestVersionJSON(t *testing.T) {
	type rec struct {
		V Version `json:"v"`
	}
	b, err := json.Marshal(rec{V: mustVersion(t, "00012345678901234567890")})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"v":"12345678901234567890"}` {
		t.Errorf("Marshal = %s", b)
	}
	var r rec
	if err := json.Unmarshal(b, &r); err != nil || r.V.String() != "12345678901234567890" {
		t.Errorf("Unmarshal = %v, %v", r.V, err)
	}
	if err := json.Unmarshal([]byte(`{"v":""}`), &r); err != nil || !r.V.IsZero() {
		t.Errorf("Unmarshal empty = %v, %v", r.V, err)
	}
	if err := json.Unmarshal([]byte(`{"v":"x1"}`), &r); err == nil {
		t.Error("Unmarshal of a bad version succeeded")
	}
}
