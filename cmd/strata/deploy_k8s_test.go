package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var flowArray = regexp.MustCompile(`^\s*(?:- )?(command|args):\s*(\[.*\])\s*$`)

// k8sContainers reads the containers and initContainers of the YAML
// blocks of a doc: image, command, args, env and volume mounts.
func k8sContainers(t *testing.T, doc string, images map[string]*image) []*container {
	t.Helper()
	var out []*container
	for _, b := range markdownBlocks(t, doc, "", "yaml") {
		lines := strings.Split(b.text, "\n")
		for i := 0; i < len(lines); i++ {
			key := strings.TrimSpace(lines[i])
			if key != "containers:" && key != "initContainers:" {
				continue
			}
			listIndent := indent(lines[i])
			var cur []string
			var items [][]string
			for i++; i < len(lines); i++ {
				l := lines[i]
				if strings.TrimSpace(l) == "" {
					continue
				}
				if indent(l) <= listIndent {
					i--
					break
				}
				if strings.HasPrefix(strings.TrimSpace(l), "- name:") && (cur == nil || indent(l) == indent(cur[0])) {
					if cur != nil {
						items = append(items, cur)
					}
					cur = []string{l}
					continue
				}
				cur = append(cur, l)
			}
			if cur != nil {
				items = append(items, cur)
			}
			for _, item := range items {
				out = append(out, parseK8sContainer(t, doc, b.line, item, images)...)
			}
		}
	}
	return out
}

func indent(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

// parseK8sContainer returns the container and, after it, one entry per
// exec probe (which runs in the container, without the ENTRYPOINT).
func parseK8sContainer(t *testing.T, doc string, line int, item []string, images map[string]*image) []*container {
	t.Helper()
	name := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(item[0]), "- name:"))
	c := &container{where: filepath.Base(doc) + ":" + strconv.Itoa(line) + " container " + name, env: map[string]string{}}
	var command, args []string
	var probes [][]string
	section := ""
	keyIndent := indent(item[0]) + 2
	for j, l := range item[1:] {
		trimmed := strings.TrimSpace(l)
		if indent(l) == keyIndent {
			section, _, _ = strings.Cut(trimmed, ":")
		}
		if m := flowArray.FindStringSubmatch(l); m != nil && indent(l) > keyIndent && strings.HasSuffix(section, "Probe") && m[1] == "command" {
			var argv []string
			if err := json.Unmarshal([]byte(m[2]), &argv); err != nil {
				t.Fatalf("%s: probe: %v", c.where, err)
			}
			probes = append(probes, argv)
			continue
		}
		if m := flowArray.FindStringSubmatch(l); m != nil && indent(l) == keyIndent {
			var argv []string
			if err := json.Unmarshal([]byte(m[2]), &argv); err != nil {
				t.Fatalf("%s: %s: %v", c.where, m[1], err)
			}
			if m[1] == "command" {
				command = argv
			} else {
				args = argv
			}
			continue
		}
		switch {
		case indent(l) == keyIndent && strings.HasPrefix(trimmed, "image:"):
			c.img = imageNamed(t, images, strings.TrimSpace(strings.TrimPrefix(trimmed, "image:")))
		case section == "env" && strings.HasPrefix(trimmed, "- name:"):
			k := strings.TrimSpace(strings.TrimPrefix(trimmed, "- name:"))
			v := ""
			if j+2 < len(item) {
				if next := strings.TrimSpace(item[j+2]); strings.HasPrefix(next, "value:") {
					v = strings.TrimSpace(strings.TrimPrefix(next, "value:"))
				}
			}
			c.env[k] = v
		case section == "envFrom":
			t.Errorf("%s: envFrom hides which variables the container gets; list them under env", c.where)
		case section == "volumeMounts":
			if m := regexp.MustCompile(`mountPath:\s*([^,}\s]+)`).FindStringSubmatch(l); m != nil {
				c.mounts = append(c.mounts, m[1])
			}
		}
	}
	if c.img == nil {
		t.Fatalf("%s: no image", c.where)
	}
	c.argv = joinArgv(c.img, command, args)
	out := []*container{c}
	for _, argv := range probes {
		p := *c
		p.where, p.argv = c.where+" probe", argv
		out = append(out, &p)
	}
	return out
}

// TestDeployKubernetes runs each container of docs/deploy/kubernetes.md
// as Kubernetes would: the image's ENTRYPOINT and CMD from containers.md's
// Dockerfiles joined with the container's command and args, with the
// paths the image has, against PostgreSQL and MariaDB.
func TestDeployKubernetes(t *testing.T) {
	t.Parallel()
	images := deployImages(t)
	cs := k8sContainers(t, "../../docs/deploy/kubernetes.md", images)
	n := 0
	for _, c := range cs {
		if c.runsStrata() {
			n++
		}
	}
	if n < 3 {
		t.Fatalf("found %d containers running strata in kubernetes.md, want the Job, the initContainer and await", n)
	}
	runContainers(t, cs)
}
