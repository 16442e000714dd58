package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// workflowJob is what the test needs of a GitHub Actions job: its env,
// the host ports of its services, and its steps.
type workflowJob struct {
	env   map[string]string
	ports []string
	steps []workflowStep
}

// workflowStep is a step: an action it uses (with its inputs) or a script.
type workflowStep struct {
	uses string
	with map[string]string
	run  string
}

// yamlChildren returns the "key: value" lines nested under lines[i].
func yamlChildren(lines []string, i int) map[string]string {
	out := map[string]string{}
	for j := i + 1; j < len(lines) && (strings.TrimSpace(lines[j]) == "" || indent(lines[j]) > indent(lines[i])); j++ {
		if k, v, ok := strings.Cut(strings.TrimSpace(lines[j]), ":"); ok && strings.TrimSpace(v) != "" {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// parseJob reads the env, services' ports and steps of a workflow (or of
// a fragment with env and services at the job's level).
func parseJob(t *testing.T, text string) workflowJob {
	t.Helper()
	lines := strings.Split(text, "\n")
	job := workflowJob{env: map[string]string{}}
	jobIndent := -1
	for i, l := range lines {
		switch strings.TrimSpace(l) {
		case "services:", "steps:":
			if jobIndent < 0 {
				jobIndent = indent(l)
			}
		}
		if jobIndent >= 0 && indent(l) == jobIndent && strings.TrimSpace(l) == "env:" {
			job.env = yamlChildren(lines, i)
		}
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "ports:") {
			var ports []string
			if err := json.Unmarshal([]byte(strings.TrimSpace(strings.TrimPrefix(t, "ports:"))), &ports); err == nil {
				for _, p := range ports {
					host, _, _ := strings.Cut(p, ":")
					job.ports = append(job.ports, host)
				}
			}
		}
		if strings.TrimSpace(l) != "steps:" {
			continue
		}
		stepIndent := indent(l) + 2
		for j := i + 1; j < len(lines); j++ {
			s := lines[j]
			if strings.TrimSpace(s) == "" {
				continue
			}
			if indent(s) < stepIndent {
				break
			}
			if indent(s) == stepIndent && strings.HasPrefix(strings.TrimSpace(s), "- ") {
				job.steps = append(job.steps, workflowStep{with: map[string]string{}})
			}
			step := &job.steps[len(job.steps)-1]
			key, val, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(s), "- "), ":")
			val = strings.TrimSpace(val)
			switch key {
			case "uses":
				step.uses = val
			case "with":
				step.with = yamlChildren(lines, j)
			case "run":
				if val != "|" {
					step.run = val + "\n"
					continue
				}
				body := indent(s) + 2
				for j+1 < len(lines) && (strings.TrimSpace(lines[j+1]) == "" || indent(lines[j+1]) >= body) {
					j++
					if len(lines[j]) >= body {
						step.run += lines[j][body:]
					}
					step.run += "\n"
				}
			}
		}
	}
	return job
}

// TestDeployPullRequestWorkflow runs the run: steps of the pull-request
// workflow in docs/deploy/github-actions-ecs.md, as bash runs them, in a
// git repository whose base branch has one migration and whose branch
// adds another, against a fresh PostgreSQL and MariaDB database standing
// in for the job's service. The base run must apply only the base's file,
// plan must show only the branch's, and up and check must succeed.
func TestDeployPullRequestWorkflow(t *testing.T) {
	t.Parallel()
	const doc = "../../docs/deploy/github-actions-ecs.md"
	blocks := markdownBlocks(t, doc, "## Pull requests: plan and check", "yaml")
	if len(blocks) != 2 {
		t.Fatalf("%s: %d yaml blocks in Pull requests, want the workflow and the MariaDB variant", doc, len(blocks))
	}
	job := parseJob(t, blocks[0].text)
	variant := parseJob(t, blocks[1].text)
	var scripts []string
	checkoutOK := false
	for _, s := range job.steps {
		switch {
		case strings.HasPrefix(s.uses, "actions/checkout@"):
			checkoutOK = s.with["fetch-depth"] == "0"
		case s.run == "go install github.com/strata-db/strata/cmd/strata@latest\n":
			// The test's binary is on PATH instead.
		case s.run != "":
			scripts = append(scripts, s.run)
		}
	}
	if !checkoutOK {
		t.Errorf("%s: actions/checkout needs fetch-depth: 0, or origin/<base> does not exist", doc)
	}
	if len(scripts) < 3 {
		t.Fatalf("%s: found %d run: steps: %q", doc, len(scripts), scripts)
	}
	for kind, env := range map[string]workflowJob{"postgres": job, "mysql": {env: variant.env, ports: variant.ports}} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			runWorkflow(t, kind, env, scripts)
		})
	}
}

func runWorkflow(t *testing.T, kind string, job workflowJob, scripts []string) {
	// The service: the URL must point at a service port on this machine;
	// a fresh database and a user with the job's password stand in for it.
	docURL, err := url.Parse(job.env["STRATA_DATABASE_URL"])
	if err != nil || docURL.Host == "" {
		t.Fatalf("the job's STRATA_DATABASE_URL %q: %v", job.env["STRATA_DATABASE_URL"], err)
	}
	if h := docURL.Hostname(); h != "localhost" && h != "127.0.0.1" {
		t.Errorf("the job's URL names host %s, not the service on localhost", h)
	}
	if !strings.Contains(strings.Join(job.ports, " "), docURL.Port()) {
		t.Errorf("the job's URL uses port %s, which no service publishes (%v)", docURL.Port(), job.ports)
	}
	pw := job.env["STRATA_DB_PASSWORD"]
	if pw == "" {
		t.Fatal("the job gives no STRATA_DB_PASSWORD")
	}
	// The service's user is its superuser: strata verify creates scratch
	// databases with it.
	setup := append(migrationUser(kind), "ALTER ROLE %[1]s CREATEDB")
	if kind == "mysql" {
		setup = []string{"GRANT ALL PRIVILEGES ON *.* TO '%[1]s'@'%'"}
	}
	_, rawURL := dbUser(t, kind, testdb.New(t, kind), pw, setup...)
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(u.User.Username())
	u.RawQuery = docURL.RawQuery

	// The repository: main has 0001, the pull request's branch adds 0002.
	tmp := t.TempDir()
	origin, work, runner := filepath.Join(tmp, "origin.git"), filepath.Join(tmp, "work"), filepath.Join(tmp, "runner")
	if err := os.Mkdir(runner, 0o755); err != nil {
		t.Fatal(err)
	}
	gitEnv := []string{"HOME=" + tmp, "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com"}
	git := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dir, cleanEnv(gitEnv...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git(tmp, "init", "-q", "--bare", "-b", "main", origin)
	git(tmp, "clone", "-q", origin, work)
	if err := os.MkdirAll(filepath.Join(work, "migrations"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(work, "migrations", "0001_base.sql"), "CREATE TABLE wf_base (id int);\n", 0o644)
	git(work, "add", ".")
	git(work, "commit", "-q", "-m", "base")
	git(work, "push", "-q", "origin", "main")
	git(work, "checkout", "-q", "-b", "feature")
	writeFile(t, filepath.Join(work, "migrations", "0002_branch.sql"), "CREATE TABLE wf_branch (id int);\n", 0o644)
	git(work, "add", ".")
	git(work, "commit", "-q", "-m", "branch")

	env := append([]string{"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"), "RUNNER_TEMP=" + runner}, gitEnv...)
	for k, v := range job.env {
		if k == "STRATA_DATABASE_URL" {
			v = u.String()
		}
		env = append(env, k+"="+v)
	}
	var outputs []string
	for _, script := range scripts {
		script = strings.ReplaceAll(script, "${{ github.base_ref }}", "main")
		if strings.Contains(script, "${{") {
			t.Fatalf("the step uses an expression the test does not know:\n%s", script)
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
		cmd.Dir, cmd.Env = work, cleanEnv(env...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("step failed: %v\n%s\n--- output:\n%s", err, script, out.String())
		}
		outputs = append(outputs, out.String())
		if strings.Contains(script, "strata plan") {
			if !strings.Contains(out.String(), "0002_branch.sql") || strings.Contains(out.String(), "0001_base.sql") {
				t.Errorf("plan should show the branch's file and not the base's:\n%s", out.String())
			}
		}
	}
	st := strata(t, work, "status", "--json", "--url", rawURL, "--dir", "migrations")
	var s statusJSON
	if err := json.Unmarshal([]byte(st.stdout), &s); err != nil || st.code != 0 {
		t.Fatalf("status: %v\n%s", err, st)
	}
	if s.Pending != 0 || s.state("1") != "applied" || s.state("2") != "applied" {
		t.Errorf("after the workflow: %+v\n%s", s, strings.Join(outputs, "\n"))
	}
}
