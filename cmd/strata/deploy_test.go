package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// image is what the docs' Dockerfile says about an image: the paths its
// COPY lines create, its ENV, ENTRYPOINT and CMD.
type image struct {
	name       string
	copies     map[string]string // destination path -> source ("strata", "migrations", ...)
	env        map[string]string
	entrypoint []string
	cmd        []string
}

// deployImages reads the two Dockerfiles of docs/deploy/containers.md,
// keyed by the image name the recipes give them.
func deployImages(t *testing.T) map[string]*image {
	t.Helper()
	const doc = "../../docs/deploy/containers.md"
	out := map[string]*image{}
	for name, section := range map[string]string{
		"myorg/myapp":            "## The application image migrates, then runs the application",
		"myorg/myapp-migrations": "## An image of strata itself",
	} {
		blocks := markdownBlocks(t, doc, section, "dockerfile")
		if len(blocks) != 1 {
			t.Fatalf("%s %q: %d Dockerfiles, want 1", doc, section, len(blocks))
		}
		out[name] = parseDockerfile(t, name, blocks[0].text)
	}
	return out
}

// parseDockerfile reads the final stage of a Dockerfile.
func parseDockerfile(t *testing.T, name, text string) *image {
	t.Helper()
	img := &image{name: name, copies: map[string]string{}, env: map[string]string{}}
	text = strings.ReplaceAll(text, "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), fields[0]))
		switch strings.ToUpper(fields[0]) {
		case "FROM": // a new stage: only the last one is the image
			*img = image{name: name, copies: map[string]string{}, env: map[string]string{}}
		case "COPY":
			var args []string
			for _, f := range fields[1:] {
				if !strings.HasPrefix(f, "--") {
					args = append(args, f)
				}
			}
			if len(args) != 2 {
				t.Fatalf("%s: COPY with %d paths: %s", name, len(args), line)
			}
			dst := args[1]
			if strings.HasSuffix(dst, "/") {
				dst += path.Base(args[0])
			}
			img.copies[path.Clean(dst)] = path.Base(args[0])
		case "ENV":
			k, v, ok := strings.Cut(rest, "=")
			if !ok {
				t.Fatalf("%s: ENV without =: %s", name, line)
			}
			img.env[k] = v
		case "ENTRYPOINT", "CMD":
			var argv []string
			if err := json.Unmarshal([]byte(rest), &argv); err != nil {
				t.Fatalf("%s: %s is not in exec form (a JSON array): %v", name, fields[0], err)
			}
			if fields[0] == "ENTRYPOINT" {
				img.entrypoint = argv
			} else {
				img.cmd = argv
			}
		}
	}
	if len(img.entrypoint) == 0 {
		t.Fatalf("%s: no ENTRYPOINT", name)
	}
	return img
}

// imageNamed finds the image of a reference such as myorg/myapp:v42.
func imageNamed(t *testing.T, images map[string]*image, ref string) *image {
	t.Helper()
	name, _, _ := strings.Cut(ref, ":")
	img, ok := images[name]
	if !ok {
		t.Fatalf("image %s is not built by any Dockerfile in containers.md", ref)
	}
	return img
}

// container is what runs: an image, the argv the platform starts, the
// environment names and values it sets and the paths it mounts.
type container struct {
	where  string // the doc and container, for messages
	img    *image
	argv   []string
	env    map[string]string
	mounts []string
}

// joinArgv is what Docker, Kubernetes and ECS run: a command replaces the
// ENTRYPOINT (and drops the CMD), args replace the CMD.
func joinArgv(img *image, command, args []string) []string {
	switch {
	case command != nil && args != nil:
		return append(append([]string{}, command...), args...)
	case command != nil:
		return command
	case args != nil:
		return append(append([]string{}, img.entrypoint...), args...)
	}
	return append(append([]string{}, img.entrypoint...), img.cmd...)
}

// runsStrata reports whether argv starts strata.
func (c *container) runsStrata() bool { return path.Base(c.argv[0]) == "strata" }

// exists reports whether p is in the image or under a mount.
func (c *container) exists(p string) bool {
	p = path.Clean(p)
	for dst := range c.img.copies {
		if p == dst || strings.HasPrefix(p, dst+"/") {
			return true
		}
	}
	for _, m := range c.mounts {
		if strings.HasPrefix(p, path.Clean(m)+"/") {
			return true
		}
	}
	return false
}

// checkPaths fails the test for every absolute path the container's argv
// or environment names that neither the image nor a mount provides.
func (c *container) checkPaths(t *testing.T) {
	t.Helper()
	if !strings.HasPrefix(c.argv[0], "/") {
		t.Errorf("%s: runs %q; give the absolute path the image has it at", c.where, c.argv[0])
	} else if !c.exists(c.argv[0]) {
		t.Errorf("%s: runs %s, which image %s does not have (its COPY lines: %v)", c.where, c.argv[0], c.img.name, keys(c.img.copies))
	}
	vals := append([]string{}, c.argv[1:]...)
	for _, v := range c.img.env {
		vals = append(vals, v)
	}
	for _, v := range vals {
		if strings.HasPrefix(v, "/") && !c.exists(v) {
			t.Errorf("%s: %s is not in image %s nor mounted", c.where, v, c.img.name)
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// imageRoot builds the container's file system in a temporary folder: the
// strata binary where the image has it, the test's migrations where the
// image has the folder, an application that prints a line, and a password
// file under each mount.
func (c *container) imageRoot(t *testing.T, password string) string {
	t.Helper()
	root := t.TempDir()
	for dst, src := range c.img.copies {
		p := filepath.Join(root, filepath.FromSlash(dst))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch src {
		case "strata":
			linkBinary(t, bin, p)
		case "migrations":
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, sql := range deployMigrations {
				writeFile(t, filepath.Join(p, name), sql, 0o644)
			}
		case "app":
			writeFile(t, p, "#!/bin/sh\necho application started \"$@\"\n", 0o755)
		default: // certificates and the like: present, not used
			writeFile(t, p, "", 0o644)
		}
	}
	for _, m := range c.mounts {
		p := filepath.Join(root, filepath.FromSlash(m))
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(p, "password"), password+"\n", 0o600)
	}
	return root
}

// deployMigrations are the files the test images carry.
var deployMigrations = map[string]string{
	"0001_deploy_users.sql": "CREATE TABLE deploy_users (id int PRIMARY KEY);\n",
	"0002_deploy_posts.sql": "CREATE TABLE deploy_posts (id int PRIMARY KEY, user_id int);\n",
}

// linkBinary puts the strata binary at dst as a hard link, or a copy
// where a link cannot be made. A copy written while another test forks
// can fail to start with "text file busy" (the child holds the write
// descriptor until it execs, golang.org/issue/22315); a link opens
// nothing for writing.
func linkBinary(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.Link(src, dst); err == nil {
		return
	}
	copyFile(t, src, dst, 0o755)
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dst, string(b), mode)
}

func writeFile(t *testing.T, p, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// inRoot maps an absolute path of the container to the folder root.
func (c *container) inRoot(root, v string) string {
	if strings.HasPrefix(v, "/") && c.exists(v) {
		return filepath.Join(root, filepath.FromSlash(v))
	}
	return v
}

// hasURL reports whether the container sets a database URL variable.
func (c *container) hasURL() bool {
	_, a := c.env["STRATA_DATABASE_URL"]
	_, b := c.env["DATABASE_URL"]
	return a || b
}

// run starts the container's argv with the real strata binary: the URL
// variable the container sets is rawURL without its password pw, which
// comes the way the container gives it (a mounted file or
// STRATA_DB_PASSWORD).
func (c *container) run(t *testing.T, rawURL, pw string) result {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(u.User.Username())
	root := c.imageRoot(t, pw)

	env := []string{"HOME=" + root}
	for k, v := range c.img.env {
		env = append(env, k+"="+c.inRoot(root, v))
	}
	for k := range c.env {
		switch k {
		case "STRATA_DATABASE_URL", "DATABASE_URL":
			env = append(env, k+"="+u.String())
		case "STRATA_DB_PASSWORD":
			env = append(env, k+"="+pw)
		default:
			env = append(env, k+"="+c.inRoot(root, c.env[k]))
		}
	}
	args := make([]string, len(c.argv)-1)
	for i, a := range c.argv[1:] {
		args[i] = c.inRoot(root, a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.inRoot(root, c.argv[0]), args...)
	cmd.Dir = root
	cmd.Env = cleanEnv(env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", c.where, err)
	}
	return r
}

// wantMigrated checks that every test migration is applied on rawURL.
func wantMigrated(t *testing.T, where, rawURL string) {
	t.Helper()
	dir := t.TempDir()
	for name, sql := range deployMigrations {
		writeFile(t, filepath.Join(dir, name), sql, 0o644)
	}
	r := strata(t, dir, "status", "--json", "--url", rawURL, "--dir", ".")
	var st statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || r.code != 0 {
		t.Fatalf("%s: status after the run: %v\n%s", where, err, r)
	}
	if st.Pending != 0 || len(st.Migrations) != len(deployMigrations) {
		t.Errorf("%s: after the run %d files are pending of %d:\n%s", where, st.Pending, len(st.Migrations), r)
	}
}

// runContainers runs every container that starts strata against a fresh
// database of each kind; await gets a database migrated beforehand.
func runContainers(t *testing.T, cs []*container) {
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			for _, c := range cs {
				c.checkPaths(t)
			}
			for _, c := range cs {
				if !c.runsStrata() {
					continue
				}
				if !c.hasURL() {
					t.Errorf("%s: runs strata but sets neither STRATA_DATABASE_URL nor DATABASE_URL: it would migrate sqlite:strata.db", c.where)
					continue
				}
				// A fresh database and a user that owns it, with a password.
				pw := "pw-" + randomHex(6)
				_, rawURL := dbUser(t, kind, testdb.New(t, kind), pw, migrationUser(kind)...)
				if sub := subcommand(c.argv[1:]); sub == "await" {
					dir := t.TempDir()
					for name, sql := range deployMigrations {
						writeFile(t, filepath.Join(dir, name), sql, 0o644)
					}
					want(t, strata(t, dir, "up", "--url", rawURL, "--dir", "."), 0)
				}
				r := c.run(t, rawURL, pw)
				if r.code != 0 {
					t.Errorf("%s: %s exited %d:\n%s", c.where, strings.Join(c.argv, " "), r.code, r)
					continue
				}
				wantMigrated(t, c.where, rawURL)
				if i := indexOf(c.argv, "--"); i > 0 && !strings.Contains(r.stdout, "application started") {
					t.Errorf("%s: the application did not start:\n%s", c.where, r)
				}
			}
		})
	}
}

// subcommand is the first argument that is not a global flag or its value.
func subcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return a
		}
		if !strings.Contains(a, "=") && a != "--json" && a != "-q" && a != "-v" {
			i++ // the flag's value
		}
	}
	return ""
}

// TestDeployImages runs each image of containers.md as `docker run IMAGE`
// runs it: ENTRYPOINT and CMD, given the URL and password in the
// environment.
func TestDeployImages(t *testing.T) {
	t.Parallel()
	images := deployImages(t)
	var cs []*container
	for _, name := range []string{"myorg/myapp", "myorg/myapp-migrations"} {
		img := images[name]
		cs = append(cs, &container{where: "containers.md image " + name, img: img, argv: joinArgv(img, nil, nil),
			env: map[string]string{"STRATA_DATABASE_URL": "", "STRATA_DB_PASSWORD": ""}})
	}
	runContainers(t, cs)
}

// TestDeployECS runs the ECS task of docs/deploy/github-actions-ecs.md:
// the migrations image's ENTRYPOINT joined with the task definition's
// command and with the workflow's containerOverrides command.
func TestDeployECS(t *testing.T) {
	t.Parallel()
	const doc = "../../docs/deploy/github-actions-ecs.md"
	images := deployImages(t)
	img := images["myorg/myapp-migrations"]
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !strings.Contains(text, "myorg/myapp-migrations") || !strings.Contains(text, "`STRATA_DATABASE_URL`") {
		t.Fatalf("%s should name the image (myorg/myapp-migrations) and STRATA_DATABASE_URL", doc)
	}
	var commands [][]string
	for _, blk := range markdownBlocks(t, doc, "", "json") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(blk.text), `"command":`); ok {
			var argv []string
			if err := json.Unmarshal([]byte(v), &argv); err != nil {
				t.Fatalf("%s:%d: %v", doc, blk.line, err)
			}
			commands = append(commands, argv)
		}
	}
	for _, m := range regexp.MustCompile(`--overrides '([^']*)'`).FindAllStringSubmatch(text, -1) {
		var o struct {
			ContainerOverrides []struct {
				Name    string   `json:"name"`
				Command []string `json:"command"`
			} `json:"containerOverrides"`
		}
		if err := json.Unmarshal([]byte(m[1]), &o); err != nil {
			t.Fatalf("%s: --overrides: %v", doc, err)
		}
		for _, co := range o.ContainerOverrides {
			commands = append(commands, co.Command)
		}
	}
	if len(commands) < 2 {
		t.Fatalf("%s: found %d ECS commands, want the task definition's and the override's", doc, len(commands))
	}
	var cs []*container
	for i, command := range commands {
		if !strings.Contains(strings.Join(command, " "), "--lock-timeout") {
			t.Errorf("ECS command %q has no --lock-timeout", command)
		}
		// ECS: command replaces the CMD, the ENTRYPOINT stays.
		cs = append(cs, &container{where: "github-actions-ecs.md command " + strconv.Itoa(i+1), img: img, argv: joinArgv(img, nil, command),
			env: map[string]string{"STRATA_DATABASE_URL": "", "STRATA_DB_PASSWORD": ""}})
	}
	runContainers(t, cs)
}
