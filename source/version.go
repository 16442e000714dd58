package source

import (
	"fmt"
	"strings"
)

// MaxVersionDigits is the longest version, in digits, that [ParseVersion]
// accepts (leading zeros included).
const MaxVersionDigits = 64

// Version is a migration version: a non-negative integer of any size
// (up to [MaxVersionDigits] digits), kept in canonical decimal form so that
// 20-digit versions neither overflow nor lose precision. "0001" and "1" are
// the same Version. The zero value means "no version" and is distinct from
// the valid version 0.
type Version struct {
	digits string // canonical: no leading zeros, "0" for zero, "" for no version
}

// ParseVersion parses a run of ASCII digits such as "0001", "42" or
// "20240101120000" into a [Version]. Leading zeros are insignificant.
func ParseVersion(s string) (Version, error) {
	if s == "" {
		return Version{}, fmt.Errorf("empty version: a version is a run of digits such as 0001")
	}
	if len(s) > MaxVersionDigits {
		return Version{}, fmt.Errorf("version has %d digits, more than the limit of %d: use a shorter version", len(s), MaxVersionDigits)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return Version{}, fmt.Errorf("version %q is not a run of digits: use only 0-9, such as 0001", s)
		}
	}
	t := strings.TrimLeft(s, "0")
	if t == "" {
		t = "0"
	}
	return Version{digits: t}, nil
}

// String returns the canonical form of v (digits without leading zeros,
// "0" for version zero), or "" for the zero Version.
func (v Version) String() string { return v.digits }

// IsZero reports whether v is the zero value, which means "no version".
// Version "0" parsed from a file name is not zero.
func (v Version) IsZero() bool { return v.digits == "" }

// Compare returns -1 if v is lower than w, 0 if they are equal and +1 if
// v is higher. The zero Version sorts before every other version.
func (v Version) Compare(w Version) int {
	switch {
	case len(v.digits) < len(w.digits):
		return -1
	case len(v.digits) > len(w.digits):
		return 1
	}
	return strings.Compare(v.digits, w.digits)
}

// MarshalText returns the canonical form of v, so a Version encodes as a
// JSON string ("" for the zero Version).
func (v Version) MarshalText() ([]byte, error) { return []byte(v.digits), nil }

// UnmarshalText parses text as written by MarshalText; empty text gives the
// zero Version.
func (v *Version) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*v = Version{}
		return nil
	}
	p, err := ParseVersion(string(text))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// next returns v+1 in canonical form, without overflow. next of the zero
// Version is 1.
func (v Version) next() Version {
	if v.digits == "" {
		return Version{digits: "1"}
	}
	b := []byte(v.digits)
	i := len(b) - 1
	for ; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return Version{digits: string(b)}
		}
		b[i] = '0'
	}
	return Version{digits: "1" + string(b)}
}
