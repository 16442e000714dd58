package config

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// DefaultDir is the migrations folder used when neither --dir nor
// STRATA_DIR is given.
const DefaultDir = "./migrations"

// Env is the process environment as a map, passed in rather than read
// from os.Getenv so that tests and embedders control it.
type Env map[string]string

// EnvFromList builds an Env from KEY=VALUE pairs as os.Environ returns
// them. Later pairs win.
func EnvFromList(list []string) Env {
	env := make(Env, len(list))
	for _, kv := range list {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// Lookup returns the value of key and whether it is set and not empty.
func (e Env) Lookup(key string) (string, bool) {
	v, ok := e[key]
	return v, ok && v != ""
}

// EnvName is the environment variable for a flag: STRATA_ and the flag's
// name in upper snake case (--lock-timeout gives STRATA_LOCK_TIMEOUT).
func EnvName(flag string) string {
	return "STRATA_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// ApplyEnv sets every flag of fs that was not given on the command line
// from its environment variable (see EnvName), if that is set, so that a
// flag beats the environment and the environment beats the default. Flags
// named in skip are left alone (the database URL has its own variables).
// A value the flag rejects is an error naming the variable. Apply does
// the same with a configuration file and reports the sources.
func ApplyEnv(fs *pflag.FlagSet, env Env, skip ...string) error {
	_, err := Apply(fs, env, nil, skip...)
	return err
}

// urlVars are the environment variables that can hold the database URL,
// in order of precedence. Each has a _FILE twin naming a file that holds
// the URL (for secrets mounted as files).
var urlVars = []string{"STRATA_DATABASE_URL", "DATABASE_URL"}

// DatabaseURL resolves the database URL: the --url flag when given, else
// STRATA_DATABASE_URL or the file named by STRATA_DATABASE_URL_FILE, else
// DATABASE_URL or DATABASE_URL_FILE, else DefaultURL. It returns where the
// URL came from, for messages. readFile is os.ReadFile when nil.
func DatabaseURL(flag string, flagSet bool, env Env, readFile func(string) ([]byte, error)) (url, from string, err error) {
	url, src, err := ResolveURL(flag, flagSet, env, nil, readFile)
	if src.Kind == FromEnv || src.Kind == FromFlag {
		return url, src.Name, err
	}
	return url, src.Kind, err
}

// ResolveURL is DatabaseURL with a configuration file (which may be nil)
// between the environment and the default.
func ResolveURL(flag string, flagSet bool, env Env, file *File, readFile func(string) ([]byte, error)) (string, Source, error) {
	if flagSet {
		if strings.TrimSpace(flag) == "" {
			return "", Source{}, errors.New("--url is empty: give a database URL such as " + DefaultURL)
		}
		return flag, Source{Kind: FromFlag, Name: "--url"}, nil
	}
	if readFile == nil {
		readFile = os.ReadFile
	}
	for _, name := range urlVars {
		v, hasURL := env.Lookup(name)
		file, hasFile := env.Lookup(name + "_FILE")
		switch {
		case hasURL && hasFile:
			return "", Source{}, fmt.Errorf("both %s and %s_FILE are set: unset one of them", name, name)
		case hasURL:
			return v, Source{Kind: FromEnv, Name: name}, nil
		case hasFile:
			b, err := readFile(file)
			if err != nil {
				return "", Source{}, fmt.Errorf("read the database URL from %s_FILE: %w", name, err)
			}
			u := strings.TrimRight(string(b), "\r\n")
			if strings.TrimSpace(u) == "" {
				return "", Source{}, fmt.Errorf("%s_FILE names %s, which is empty: put the database URL in it", name, file)
			}
			return u, Source{Kind: FromEnv, Name: name + "_FILE"}, nil
		}
	}
	if vs, ok := file.lookup("url"); ok && len(vs) == 1 && strings.TrimSpace(vs[0]) != "" {
		return vs[0], Source{Kind: FromFile, Name: file.Where("url")}, nil
	}
	return DefaultURL, Source{Kind: FromDefault}, nil
}
