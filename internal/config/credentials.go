package config

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"
)

// PasswordFunc returns the password for one new connection. It is called
// once per connection the pool opens, and again after the server refused
// a login, so a rotated secret or an expired token is picked up mid-run.
// It must be safe for concurrent use.
type PasswordFunc func(ctx context.Context) (string, error)

// Retrying a refused login: a secret store that rotates the password
// may answer with the old one for a moment after the server has the new
// one. Four attempts, 250 ms, 500 ms and 1 s apart.
const (
	authAttempts = 4
	authBackoff  = 250 * time.Millisecond
)

// credentials is how a target's new connections get their password.
type credentials struct {
	fn      PasswordFunc
	backoff time.Duration // before the second attempt; doubled after each

	mu      sync.Mutex
	secrets []string // every password fn returned, with its escaped forms
}

// SetPasswordFunc makes every new connection of the target ask fn for its
// password (replacing any in the URL), and retry a refused login with a
// fresh one. Each password is added to the secrets scrubbed from
// messages. SQLite has no passwords: it is an error there.
func (t *Target) SetPasswordFunc(fn PasswordFunc) error {
	if !t.TakesPassword() {
		return t.SetPassword("") // the error: SQLite has no passwords
	}
	t.creds = &credentials{fn: fn, backoff: authBackoff}
	return nil
}

// PerConnection returns a PasswordFunc that runs in's command for every
// call but the first, which returns first (the password already read
// once to check the command works). It is safe for concurrent use and
// may be shared by many targets.
func (in PasswordInput) PerConnection(first string) PasswordFunc {
	var once sync.Once
	return func(ctx context.Context) (string, error) {
		used := false
		once.Do(func() { used = true })
		if used && first != "" {
			return first, nil
		}
		pw, _, err := in.Password(ctx)
		return pw, err
	}
}

// password calls fn and remembers its answer as a secret.
func (c *credentials) password(ctx context.Context, t *Target) (string, error) {
	pw, err := c.fn(ctx)
	if err != nil {
		return "", t.ScrubError(fmt.Errorf("get the password for a new connection to %s: %w", t.Redacted, err))
	}
	if pw == "" {
		return "", fmt.Errorf("get the password for a new connection to %s: it is empty", t.Redacted)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.secrets {
		if s == pw {
			return pw, nil
		}
	}
	c.secrets = append(c.secrets, escapedForms(pw)...)
	sortLongestFirst(c.secrets)
	return pw, nil
}

// list returns a copy of the secrets seen so far.
func (c *credentials) list() []string {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.secrets...)
}

// allSecrets is every secret to scrub from the target's messages.
func (t *Target) allSecrets() []string {
	dyn := t.creds.list()
	if len(dyn) == 0 {
		return t.secrets
	}
	out := append(append([]string(nil), t.secrets...), dyn...)
	sortLongestFirst(out)
	return out
}

// openWithCredentials opens a server target whose passwords come from
// t.creds.
func (t *Target) openWithCredentials() (*sql.DB, error) {
	c, err := t.connector()
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// retryAuth retries a connection the server refused the login of, each
// attempt with a fresh password, backing off between them.
type retryAuth struct {
	inner driver.Connector
	t     *Target
}

// Connect opens one connection.
func (r *retryAuth) Connect(ctx context.Context) (driver.Conn, error) {
	wait := r.t.creds.backoff
	for attempt := 1; ; attempt++ {
		conn, err := r.inner.Connect(ctx)
		if err == nil || attempt == authAttempts || !r.t.authFailed(err) {
			return conn, err
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, err
		case <-timer.C:
		}
		wait *= 2
	}
}

// Driver returns the underlying driver.
func (r *retryAuth) Driver() driver.Driver { return r.inner.Driver() }
