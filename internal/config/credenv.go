package config

import "strings"

// CredentialVars are the environment variables strata reads a database
// credential from: its own URL (and the file naming it), the password and
// the files or command that give one. DATABASE_URL and DATABASE_URL_FILE
// are not among them: they are usually the application's own URL, which
// strata only falls back on.
var CredentialVars = []string{
	"STRATA_DATABASE_URL",
	"STRATA_DATABASE_URL_FILE",
	PasswordEnv,
	"STRATA_PASSWORD_FILE",
	"STRATA_PASSWORD_COMMAND",
}

// WithoutCredentials returns environ (KEY=VALUE pairs) without strata's
// credential variables (CredentialVars), for an application strata
// starts: the migration user's password is not the application's.
func WithoutCredentials(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, c := range CredentialVars {
			if k == c {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
