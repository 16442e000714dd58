package config

import (
	"net/url"
	"strings"
)

// Mask replaces every secret in printed URLs and messages.
const Mask = "xxxxx"

// secretParams are query parameters whose values are secrets.
var secretParams = map[string]bool{
	"password": true, "passwd": true, "pass": true, "pwd": true,
	"sslpassword": true, "secret": true, "token": true, "access_token": true,
	"auth_token": true, "api_key": true, "apikey": true,
}

// isSecretParam reports whether a query parameter's value is a secret.
func isSecretParam(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	return secretParams[strings.ToLower(name)]
}

// userinfo finds the user:password part of a URL by hand, so that it works
// on URLs net/url rejects (an unescaped @ or / in the password). It returns
// the byte range of the password, or ok=false when there is none.
func userinfo(raw string) (start, end int, ok bool) {
	i := strings.Index(raw, "://")
	if i < 0 {
		return 0, 0, false
	}
	auth := i + 3
	rest := raw[auth:]
	// The password may contain @ and /: the user info ends at the last @
	// before the query. When there is none, the password may contain a
	// ?: then it ends at the first @, if no / comes before it.
	pre, _, _ := strings.Cut(rest, "?")
	at := strings.LastIndex(pre, "@")
	if at < 0 {
		at = strings.Index(rest, "@")
		if at < 0 || strings.Contains(rest[:at], "/") {
			return 0, 0, false
		}
	}
	colon := strings.Index(rest[:at], ":")
	if colon < 0 {
		return 0, 0, false
	}
	return auth + colon + 1, auth + at, true
}

// query returns the byte offset where the URL's query starts (after the
// ?), or -1. It looks after the userinfo, whose password may hold a ?.
func query(raw string) int {
	from := 0
	if _, end, ok := userinfo(raw); ok {
		from = end
	}
	i := strings.Index(raw[from:], "?")
	if i < 0 {
		return -1
	}
	return from + i + 1
}

// Redact returns raw with the password of its user info and the values of
// secret query parameters (password=, sslpassword=, ...) replaced by xxxxx.
// It works on URLs that do not parse, and leaves the rest of the URL as
// written. It is the only form of a database URL strata prints.
func Redact(raw string) string {
	out := raw
	q := query(raw)
	if q >= 0 {
		params := strings.Split(raw[q:], "&")
		for i, p := range params {
			k, _, ok := strings.Cut(p, "=")
			if ok && isSecretParam(k) {
				params[i] = k + "=" + Mask
			}
		}
		out = raw[:q] + strings.Join(params, "&")
	}
	if s, e, ok := userinfo(raw); ok && e > s {
		out = out[:s] + Mask + out[e:]
	}
	return out
}

// secrets returns every secret in raw, as written and unescaped, longest
// first, for scrubbing messages.
func secrets(raw string) []string {
	var out []string
	add := func(s string) {
		if s == "" || s == Mask {
			return
		}
		out = append(out, s)
		if u, err := url.PathUnescape(s); err == nil && u != s {
			out = append(out, u)
		}
		if u, err := url.QueryUnescape(s); err == nil && u != s {
			out = append(out, u)
		}
	}
	if s, e, ok := userinfo(raw); ok {
		add(raw[s:e])
	}
	if q := query(raw); q >= 0 {
		for _, p := range strings.Split(raw[q:], "&") {
			if k, v, ok := strings.Cut(p, "="); ok && isSecretParam(k) {
				add(v)
			}
		}
	}
	// Replace longer secrets first so a secret that contains another is
	// not left half-masked.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Scrub replaces every secret of the target's URL in s with xxxxx.
func (t *Target) Scrub(s string) string {
	if t == nil {
		return s
	}
	return scrub(s, t.allSecrets())
}

func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, Mask)
	}
	return s
}

// ScrubError returns err with every secret of the target's URL replaced
// by xxxxx in its message. errors.Is and errors.As still see the original
// error; print only the scrubbed message.
func (t *Target) ScrubError(err error) error {
	if err == nil || t == nil {
		return err
	}
	all := t.allSecrets()
	if len(all) == 0 {
		return err
	}
	return &scrubbed{err: err, secrets: all}
}

type scrubbed struct {
	err     error
	secrets []string
}

func (e *scrubbed) Error() string { return scrub(e.err.Error(), e.secrets) }
func (e *scrubbed) Unwrap() error { return e.err }
