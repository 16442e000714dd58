package config

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"
)

// Source says where a setting's value came from: "flag", "env",
// "config file" or "default", with the variable or file:line in Name.
type Source struct {
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"`
}

// The kinds of Source.
const (
	FromFlag    = "flag"
	FromEnv     = "env"
	FromFile    = "config file"
	FromDefault = "default"
)

// String is "flag --dir", "env STRATA_DIR", "config file strata.toml:3" or
// "default".
func (s Source) String() string {
	if s.Name == "" {
		return s.Kind
	}
	return s.Kind + " " + s.Name
}

// Sources maps a flag name to where its value came from.
type Sources map[string]Source

// Apply resolves every flag of fs that was not given on the command line:
// from its environment variable (see EnvName) when set, else from file
// (which may be nil) when it has the key, else the flag keeps its default.
// So a flag beats the environment, which beats the file, which beats the
// default. Flags named in skip are left alone (the database URL has its
// own variables; see DatabaseURL). It returns where each flag's value came
// from; values a flag rejects are errors naming the variable or file:line.
func Apply(fs *pflag.FlagSet, env Env, file *File, skip ...string) (Sources, error) {
	src := Sources{}
	var errs []error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" {
			return
		}
		if f.Changed {
			src[f.Name] = Source{Kind: FromFlag, Name: "--" + f.Name}
			return
		}
		for _, s := range skip {
			if f.Name == s {
				return
			}
		}
		name := EnvName(f.Name)
		if v, ok := env.Lookup(name); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("environment variable %s=%q is not a valid value for --%s: %w", name, v, f.Name, err))
			}
			src[f.Name] = Source{Kind: FromEnv, Name: name}
			return
		}
		if vs, ok := file.lookup(f.Name); ok {
			for _, v := range vs {
				if err := fs.Set(f.Name, v); err != nil {
					errs = append(errs, fmt.Errorf("%s: %q is not a valid value for %s: %w", file.Where(f.Name), v, f.Name, err))
					break
				}
			}
			src[f.Name] = Source{Kind: FromFile, Name: file.Where(f.Name)}
			return
		}
		src[f.Name] = Source{Kind: FromDefault}
	})
	return src, errors.Join(errs...)
}

func (f *File) lookup(key string) ([]string, bool) {
	if f == nil {
		return nil, false
	}
	vs, ok := f.Values[key]
	return vs, ok
}
