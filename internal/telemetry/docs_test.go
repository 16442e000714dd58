package telemetry

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocsListVariables: docs/telemetry.md names every OTEL_* variable
// the package reads (a per-signal form through its general one and the
// paragraph listing the per-signal suffixes), and the package reads
// every one the page names.
func TestDocsListVariables(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/telemetry.md")
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	env := func(k string) (string, bool) {
		read[k] = true
		if k == "OTEL_EXPORTER_OTLP_ENDPOINT" {
			return "http://collector:4318", true
		}
		return "", false
	}
	Enabled(env)
	for _, signal := range []string{"TRACES", "METRICS"} {
		if _, err := loadExportConfig(env, signal); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := newResource(context.Background(), env, "v"); err != nil {
		t.Fatal(err)
	}
	perSignal := regexp.MustCompile(`^OTEL_EXPORTER_OTLP_(?:TRACES|METRICS)_(HEADERS|TIMEOUT|COMPRESSION|CERTIFICATE|CLIENT_CERTIFICATE|CLIENT_KEY|PROTOCOL)$`)
	text := string(doc)
	for k := range read {
		if m := perSignal.FindStringSubmatch(k); m != nil {
			general := "`OTEL_EXPORTER_OTLP_" + m[1] + "`"
			listed := strings.Contains(text, "`_"+m[1]+"`") || strings.Contains(text, "Each of "+general)
			if !strings.Contains(text, general) || !listed {
				t.Errorf("docs/telemetry.md does not document %s (as OTEL_EXPORTER_OTLP_%s with its per-signal forms)", k, m[1])
			}
			continue
		}
		if !strings.Contains(text, "`"+k) {
			t.Errorf("docs/telemetry.md does not document %s", k)
		}
	}
	for _, k := range regexp.MustCompile(`OTEL_[A-Z_]*[A-Z]`).FindAllString(text, -1) {
		known := read[k]
		for r := range read {
			known = known || strings.HasPrefix(r, k+"_")
		}
		if !known {
			t.Errorf("docs/telemetry.md names %s, which strata does not read", k)
		}
	}
}
