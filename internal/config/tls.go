package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// mysqlTLS is the TLS part of a MySQL URL: tls=MODE and the files that
// tls-ca, tls-cert and tls-key name.
type mysqlTLS struct {
	mode          string
	ca, cert, key string
}

// set records one TLS parameter; it reports false for other names.
func (m *mysqlTLS) set(k, v string) bool {
	switch k {
	case "tls":
		m.mode = v
	case "tls-ca":
		m.ca = v
	case "tls-cert":
		m.cert = v
	case "tls-key":
		m.key = v
	default:
		return false
	}
	return true
}

// config builds the *tls.Config for server host, or nil when the driver's
// own tls=true/false/skip-verify/preferred handling is enough (it is then
// left in mode for Config.TLSConfig).
//
// tls=verify-full checks the server's certificate against tls-ca (the
// system's roots when not given) and its name against host; verify-ca
// checks the chain only. tls=true with tls-ca is verify-full. tls-cert and
// tls-key give a client certificate.
func (m mysqlTLS) config(host string) (*tls.Config, error) {
	mode := m.mode
	if mode == "true" && m.ca != "" {
		mode = "verify-full"
	}
	custom := m.ca != "" || m.cert != "" || m.key != ""
	switch mode {
	case "verify-full", "verify-ca":
	case "", "false":
		if custom {
			return nil, errors.New("tls-ca, tls-cert and tls-key need tls=verify-full (or verify-ca): add it to the URL")
		}
		return nil, nil
	case "true", "skip-verify", "preferred":
		if custom {
			return nil, fmt.Errorf("tls=%s does not verify with tls-ca, tls-cert or tls-key: use tls=verify-full", mode)
		}
		return nil, nil
	default:
		return nil, fmt.Errorf("tls=%s is not a TLS mode: use verify-full, verify-ca, true, skip-verify, preferred or false", mode)
	}
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if m.ca != "" {
		pem, err := os.ReadFile(m.ca)
		if err != nil {
			return nil, fmt.Errorf("read tls-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls-ca %s holds no PEM certificate: give the CA certificate that signed the server's", m.ca)
		}
		cfg.RootCAs = pool
	}
	if (m.cert == "") != (m.key == "") {
		return nil, errors.New("tls-cert and tls-key go together: give both for a client certificate")
	}
	if m.cert != "" {
		pair, err := tls.LoadX509KeyPair(m.cert, m.key)
		if err != nil {
			return nil, fmt.Errorf("load tls-cert and tls-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if mode == "verify-ca" {
		// Verify the chain but not the name: the standard check is turned
		// off and done here without a DNS name.
		roots := cfg.RootCAs
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			return verifyChain(raw, roots)
		}
	}
	return cfg, nil
}

// verifyChain checks that the certificates the server sent chain up to
// roots (the system's when nil).
func verifyChain(raw [][]byte, roots *x509.CertPool) error {
	if len(raw) == 0 {
		return errors.New("tls: the server sent no certificate")
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, b := range raw {
		c, err := x509.ParseCertificate(b)
		if err != nil {
			return fmt.Errorf("tls: parse the server's certificate: %w", err)
		}
		certs[i] = c
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
	return err
}
