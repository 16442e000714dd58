package source

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Phase says when, relative to the application's rollout, a migration
// runs: before it (expand: changes the running release survives) or
// after it (contract: changes only the new release survives, such as
// dropping a column the old release still reads).
type Phase string

// The phases.
const (
	// PreDeploy files run before the new release starts (the default).
	PreDeploy Phase = "pre-deploy"
	// PostDeploy files run once the new release has replaced the old one.
	PostDeploy Phase = "post-deploy"
)

// DefaultPostDeployDir is the sub-folder of the migrations folder whose
// files are post-deploy files without saying so in a directive.
const DefaultPostDeployDir = "post-deploy"

// ParsePhase parses "pre-deploy" or "post-deploy".
func ParsePhase(s string) (Phase, error) {
	switch p := Phase(strings.ToLower(strings.TrimSpace(s))); p {
	case PreDeploy, PostDeploy:
		return p, nil
	}
	return "", &PhaseError{Name: s}
}

// PhaseError is an unknown phase name.
type PhaseError struct {
	Name string
}

func (e *PhaseError) Error() string {
	return fmt.Sprintf("unknown phase %q: the phases are pre-deploy and post-deploy", e.Name)
}

// postDeployDir returns the cleaned sub-folder of the post-deploy files.
func postDeployDir(o LoadOptions) (string, error) {
	if o.PostDeployDir == "" {
		return DefaultPostDeployDir, nil
	}
	d := path.Clean(strings.TrimSuffix(o.PostDeployDir, "/"))
	if d == "." || !fsValidPath(d) {
		return "", fmt.Errorf("post-deploy folder %q: want a sub-folder of the migrations folder, such as %s", o.PostDeployDir, DefaultPostDeployDir)
	}
	return d, nil
}

// fsValidPath reports whether p names a file below the root (no "..",
// no leading slash).
func fsValidPath(p string) bool {
	if strings.HasPrefix(p, "/") {
		return false
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." || el == "" {
			return false
		}
	}
	return true
}

// phaseOf is the phase of a file: its directive, else its folder.
func phaseOf(dirs Directives, inPostDir bool) Phase {
	switch {
	case dirs.Phase != "":
		return dirs.Phase
	case inPostDir:
		return PostDeploy
	}
	return PreDeploy
}

// collect sorts the entries des of folder dir ("" for the root) into up
// and down files, appending the problems it finds to errs.
func collect(fsys fs.FS, dir string, des []fs.DirEntry, ups, downs []entry, errs []error) ([]entry, []entry, []error) {
	for _, de := range des {
		name := de.Name()
		if ignored(name) {
			continue
		}
		p := name
		if dir != "" {
			p = dir + "/" + name
		}
		if msg := badName(name); msg != "" {
			errs = append(errs, &FileError{Files: []string{p}, Msg: msg})
			continue
		}
		if skip, fe := notRegular(fsys, p, de); skip || fe != nil {
			if fe != nil {
				errs = append(errs, fe)
			}
			continue
		}
		fn, err := parseName(name)
		if fe, ok := flywayName(name); err != nil && ok {
			ferr := fe.fileError()
			ferr.Files[0] = p
			errs = append(errs, ferr)
			continue
		}
		if err != nil {
			errs = append(errs, &FileError{Files: []string{p}, Msg: err.Error()})
			continue
		}
		e := entry{path: p, name: fn, post: dir != ""}
		if fn.down {
			downs = append(downs, e)
		} else {
			ups = append(ups, e)
		}
	}
	return ups, downs, errs
}

// notDir reports whether p exists and is not a folder.
func notDir(fsys fs.FS, p string) bool {
	fi, err := fs.Stat(fsys, p)
	return err == nil && !fi.IsDir()
}
