package config

import (
	"fmt"
	"net"
	"os"
	"strings"
)

// TLSState says how a server target's connections are protected, read
// from its URL before connecting.
type TLSState struct {
	// Mode is the URL parameter as it applies, such as "sslmode=prefer
	// (the default)" or "tls=skip-verify".
	Mode string
	// Verified is true when the server's certificate is checked against
	// a CA (verify-full, verify-ca; MySQL tls=true too) and nothing falls
	// back to plaintext.
	Verified bool
	// Local is true for a loopback host or a Unix socket, where an
	// unverified connection matters less.
	Local bool
	// Missing says what an unverified mode does not do.
	Missing string
	// Fix is the URL parameter to add for a verified connection.
	Fix string
}

// TLS returns the target's TLS state; ok is false for SQLite, which has
// no network connection.
func (t *Target) TLS() (TLSState, bool) {
	switch {
	case t.pg != nil:
		return t.pgTLS(), true
	case t.my != nil:
		return t.myTLS(), true
	}
	return TLSState{}, false
}

// pgFix is the URL parameter that makes a PostgreSQL connection verified.
const pgFix = "sslmode=verify-full&sslrootcert=/path/to/ca.pem (sslmode=verify-ca skips the host name check)"

func (t *Target) pgTLS() TLSState {
	s := TLSState{Mode: "sslmode=" + t.sslmode, Fix: pgFix, Local: localHost(t.pg.Host)}
	if t.sslmode == "" {
		// pgx, like libpq, falls back on PGSSLMODE, then prefer.
		if v := os.Getenv("PGSSLMODE"); v != "" {
			s.Mode = "sslmode=" + v + " (from PGSSLMODE)"
		} else {
			s.Mode = "sslmode=prefer (the default: no sslmode in the URL)"
		}
	}
	// Read what pgx will really do: a TLS configuration that checks the
	// certificate, and no plaintext fallback.
	tc := t.pg.TLSConfig
	plainFallback, tlsFallback := false, false
	for _, fb := range t.pg.Fallbacks {
		if fb.TLSConfig == nil {
			plainFallback = true
		} else {
			tlsFallback = true
		}
	}
	switch {
	case tc == nil && !tlsFallback:
		s.Missing = "plaintext: nothing is encrypted"
	case tc == nil:
		s.Missing = "plaintext first, TLS only when the server insists, and the server's certificate is never checked"
	case plainFallback && tc.InsecureSkipVerify && tc.VerifyPeerCertificate == nil:
		s.Missing = "encrypts when the server offers TLS but never checks its certificate, and falls back to plaintext when it does not: anyone in between can read the password and the data"
	case plainFallback:
		s.Missing = "falls back to plaintext when the server does not offer TLS"
	case tc.InsecureSkipVerify && tc.VerifyPeerCertificate == nil:
		s.Missing = "encrypts, but never checks the server's certificate: anyone in between can pose as the server"
	default:
		s.Verified = true
	}
	return s
}

func (t *Target) myTLS() TLSState {
	host, _, _ := net.SplitHostPort(t.my.Addr)
	s := TLSState{Mode: "tls=" + t.tlsMode, Local: t.my.Net == "unix" || localHost(host),
		Fix: "tls=verify-full&tls-ca=/path/to/ca.pem (or tls=true to check against the system's CAs)"}
	switch t.tlsMode {
	case "", "false":
		if t.tlsMode == "" {
			s.Mode = "tls not set (the default: plaintext)"
		}
		s.Missing = "plaintext: nothing is encrypted"
	case "skip-verify":
		s.Missing = "encrypts, but never checks the server's certificate: anyone in between can pose as the server"
	case "preferred":
		s.Missing = "encrypts when the server offers TLS but never checks its certificate, and falls back to plaintext when it does not"
	default: // true, verify-full, verify-ca
		s.Verified = true
	}
	return s
}

// localHost reports whether host is a loopback address, localhost or a
// Unix socket path.
func localHost(host string) bool {
	if host == "" || strings.HasPrefix(host, "/") || strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// RequireVerifiedTLS returns an error naming the URL parameter to add
// when the target's connections would not verify the server's
// certificate. SQLite passes.
func (t *Target) RequireVerifiedTLS() error {
	s, ok := t.TLS()
	if !ok || s.Verified {
		return nil
	}
	return fmt.Errorf("--require-verified-tls: %s uses %s, which %s; add %s to the URL", t.Redacted, s.Mode, trimPlain(s.Missing), s.Fix)
}

func trimPlain(missing string) string {
	if strings.HasPrefix(missing, "plaintext") {
		return "is " + missing
	}
	return missing
}
