package config

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testPW = "Pw-s3cret/@?#x"

func TestPasswordSources(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	if err := os.WriteFile(file, []byte(testPW+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := Env{"PATH": os.Getenv("PATH")}
	for _, tt := range []struct {
		name string
		in   PasswordInput
		ok   bool
	}{
		{"none", PasswordInput{Env: env}, false},
		{"file", PasswordInput{File: file, Env: env}, true},
		{"env", PasswordInput{Env: Env{PasswordEnv: testPW}}, true},
		{"command", PasswordInput{Command: "printf '%s\\n' \"$PW\"", Env: Env{"PATH": os.Getenv("PATH"), "PW": testPW}}, true},
	} {
		pw, ok, err := tt.in.Password(ctx)
		if err != nil || ok != tt.ok || (ok && pw != testPW) {
			t.Errorf("%s: %q, %v, %v", tt.name, pw, ok, err)
		}
	}
	_, _, err := PasswordInput{File: file, Env: Env{PasswordEnv: "x"}}.Password(ctx)
	if err == nil || !strings.Contains(err.Error(), "--password-file, env STRATA_DB_PASSWORD") {
		t.Errorf("two sources: %v", err)
	}
	_, _, err = PasswordInput{File: filepath.Join(dir, "nope"), Env: env}.Password(ctx)
	if err == nil || !strings.Contains(err.Error(), "--password-file") {
		t.Errorf("missing file: %v", err)
	}
}

// TestPasswordCommandFails: the error has the exit status and stderr, but
// not what the command printed on stdout.
func TestPasswordCommandFails(t *testing.T) {
	in := PasswordInput{Command: "echo " + testPW[:6] + "; echo 'vault: permission denied' >&2; exit 3", Env: Env{"PATH": os.Getenv("PATH")}}
	_, _, err := in.Password(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "exit status 3") || !strings.Contains(msg, "vault: permission denied") || strings.Contains(msg, testPW[:6]) {
		t.Errorf("error = %q", msg)
	}
	in = PasswordInput{Command: "echo leaked-" + testPW[:6] + " >&2; echo leaked-" + testPW[:6] + "; exit 1", Env: Env{"PATH": os.Getenv("PATH")}}
	if _, _, err := in.Password(context.Background()); err == nil || strings.Contains(err.Error(), testPW[:6]) {
		t.Errorf("stdout echoed on stderr is shown: %v", err)
	}
	in = PasswordInput{Command: "true", Env: Env{"PATH": os.Getenv("PATH")}}
	if _, _, err := in.Password(context.Background()); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty output: %v", err)
	}
}

func TestSetPassword(t *testing.T) {
	for _, raw := range []string{"postgres://app:old@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", "mysql://app:old@127.0.0.1:1/db?timeout=2s"} {
		tg, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := tg.SetPassword(testPW); err != nil {
			t.Fatal(err)
		}
		if tg.pg != nil && tg.pg.Password != testPW || tg.my != nil && tg.my.Passwd != testPW {
			t.Errorf("%s: password not set", raw)
		}
		if strings.Contains(tg.Redacted, testPW) {
			t.Errorf("%s: redacted form has the password", raw)
		}
		err = tg.ScrubError(errors.New("auth failed for " + testPW + " (" + url.QueryEscape(testPW) + ")"))
		if strings.Contains(err.Error(), testPW) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: scrubbed = %q", raw, err)
		}
	}
	tg, _ := Parse("sqlite::memory:")
	if err := tg.SetPassword(testPW); err == nil || strings.Contains(err.Error(), testPW) {
		t.Errorf("sqlite: %v", err)
	}
}
