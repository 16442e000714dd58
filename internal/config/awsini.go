package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
)

// awsProfile is one profile of the AWS shared config and credentials
// files: its keys (lower case) and the file each came from.
type awsProfile struct {
	name string
	keys map[string]string
	from map[string]string
}

// get returns the profile's value for key, "" when it has none.
func (p *awsProfile) get(key string) string {
	if p == nil {
		return ""
	}
	return p.keys[key]
}

// has reports whether the profile sets key (to anything but "").
func (p *awsProfile) has(key string) bool { return p.get(key) != "" }

// awsFiles are the profiles of the shared config file (AWS_CONFIG_FILE)
// and the shared credentials file (AWS_SHARED_CREDENTIALS_FILE), merged:
// a key in the credentials file beats the same key in the config file.
type awsFiles struct {
	configPath, credsPath string
	profiles              map[string]*awsProfile
}

// profile returns the named profile, or nil when neither file has it.
func (f *awsFiles) profile(name string) *awsProfile { return f.profiles[name] }

// where names the files, for messages.
func (f *awsFiles) where() string {
	var w []string
	if f.configPath != "" {
		w = append(w, f.configPath)
	}
	if f.credsPath != "" {
		w = append(w, f.credsPath)
	}
	if len(w) == 0 {
		return "the AWS shared files (no HOME, AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE)"
	}
	return strings.Join(w, " and ")
}

// loadAWSFiles reads the shared config and credentials files the
// environment names (by default ~/.aws/config and ~/.aws/credentials). A
// file that does not exist has no profiles.
func loadAWSFiles(env Env) (*awsFiles, error) {
	home, _ := env.Lookup("HOME")
	path := func(v, def string) string {
		p, ok := env.Lookup(v)
		if !ok {
			if home == "" {
				return ""
			}
			return home + "/.aws/" + def
		}
		if rest, ok := strings.CutPrefix(p, "~/"); ok && home != "" {
			return home + "/" + rest
		}
		return p
	}
	f := &awsFiles{
		configPath: path("AWS_CONFIG_FILE", "config"),
		credsPath:  path("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
		profiles:   map[string]*awsProfile{},
	}
	for _, file := range []struct {
		path   string
		config bool
	}{{f.configPath, true}, {f.credsPath, false}} {
		if file.path == "" {
			continue
		}
		b, err := os.ReadFile(file.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the AWS shared file: %w", err)
		}
		sections := parseINI(string(b))
		// Sorted, so that "[profile default]" (which sorts after
		// "[default]") wins over "[default]" as it does for the SDK.
		for _, section := range slices.Sorted(maps.Keys(sections)) {
			keys := sections[section]
			name, ok := profileName(section, file.config)
			if !ok {
				continue
			}
			p := f.profiles[name]
			if p == nil {
				p = &awsProfile{name: name, keys: map[string]string{}, from: map[string]string{}}
				f.profiles[name] = p
			}
			for k, v := range keys {
				p.keys[k] = v
				p.from[k] = file.path
			}
		}
	}
	return f, nil
}

// profileName maps a section name to the profile it holds: in the config
// file "profile NAME" and "default" (other sections, such as sso-session
// and services, are not profiles); in the credentials file the section
// name itself.
func profileName(section string, config bool) (string, bool) {
	if !config {
		return section, !strings.HasPrefix(section, "profile ")
	}
	if name, ok := strings.CutPrefix(section, "profile "); ok {
		return name, name != ""
	}
	return section, section == "default"
}

// parseINI reads the AWS flavour of INI: "[section]" lines, "key = value"
// lines (the key in lower case, a value in quotes unquoted), whole-line
// comments starting with # or ;, and comments after a value when the #
// or ; follows a space or tab. Indented lines (the nested keys of
// sections such as "s3 =", and continuations) are ignored: no credential
// setting uses them. A section that appears twice is merged, later keys
// winning. "[profile   x]" is "profile x".
func parseINI(text string) map[string]map[string]string {
	out := map[string]map[string]string{}
	var cur map[string]string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			continue
		}
		if trimmed[0] == '[' {
			s, _, _ := strings.Cut(trimmed, "#")
			s, _, _ = strings.Cut(s, ";")
			s = strings.TrimSpace(s)
			if !strings.HasSuffix(s, "]") {
				cur = nil
				continue
			}
			name := strings.Join(strings.Fields(s[1:len(s)-1]), " ")
			if out[name] == nil {
				out[name] = map[string]string{}
			}
			cur = out[name]
			continue
		}
		if cur == nil || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		for _, c := range []string{" #", " ;", "\t#", "\t;"} {
			line, _, _ = strings.Cut(line, c)
		}
		sep := strings.IndexAny(line, "=:")
		if sep < 0 {
			continue
		}
		k := strings.ToLower(strings.TrimSpace(line[:sep]))
		v := strings.TrimSpace(line[sep+1:])
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		if k != "" {
			cur[k] = v
		}
	}
	return out
}
