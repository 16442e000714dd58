package source

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestPhases(t *testing.T) {
	t.Parallel()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		opts    LoadOptions
		want    map[string]Phase // path -> phase
		wantErr string
	}{
		{
			name: "default pre-deploy, directive and default folder",
			fsys: fstest.MapFS{
				"0001_a.sql":                  file("CREATE TABLE a (x int);"),
				"0002_b.sql":                  file("-- a comment\n-- strata:phase post-deploy\nDROP TABLE z;"),
				"post-deploy/0003_c.sql":      file("ALTER TABLE a DROP COLUMN x;"),
				"post-deploy/0003_c.down.sql": file("ALTER TABLE a ADD COLUMN x int;"),
				"0004_d.sql":                  file("-- strata:phase pre-deploy\nSELECT 1;"),
			},
			want: map[string]Phase{"0001_a.sql": PreDeploy, "0002_b.sql": PostDeploy, "post-deploy/0003_c.sql": PostDeploy, "0004_d.sql": PreDeploy},
		},
		{
			name: "configured folder; the default one is then an ordinary subfolder",
			fsys: fstest.MapFS{
				"0001_a.sql":           file("SELECT 1;"),
				"contract/0002_b.sql":  file("SELECT 2;"),
				"post-deploy/0003.sql": file("SELECT 3;"),
			},
			opts: LoadOptions{PostDeployDir: "contract/"},
			want: map[string]Phase{"0001_a.sql": PreDeploy, "contract/0002_b.sql": PostDeploy},
		},
		{
			name:    "bad phase name names file:line",
			fsys:    fstest.MapFS{"0001_a.sql": file("-- x\n-- strata:phase postdeploy\nSELECT 1;")},
			wantErr: `0001_a.sql:2: strata:phase needs pre-deploy or post-deploy, got "postdeploy"`,
		},
		{
			name:    "one version sequence across folders",
			fsys:    fstest.MapFS{"0001_a.sql": file("SELECT 1;"), "post-deploy/0001_b.sql": file("SELECT 2;")},
			wantErr: "two files have version 1",
		},
		{
			name:    "pre-deploy directive in the post-deploy folder",
			fsys:    fstest.MapFS{"post-deploy/0001_a.sql": file("-- strata:phase pre-deploy\nSELECT 1;")},
			wantErr: "post-deploy/0001_a.sql: the file is in the post-deploy folder",
		},
		{
			name:    "folder outside the migrations folder",
			fsys:    fstest.MapFS{"0001_a.sql": file("SELECT 1;")},
			opts:    LoadOptions{PostDeployDir: "../x"},
			wantErr: "want a sub-folder",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := LoadWith(tt.fsys, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]Phase{}
			for i, m := range d.Versioned {
				got[m.Path] = m.Phase
				if i > 0 && d.Versioned[i-1].Version.Compare(m.Version) >= 0 {
					t.Errorf("versions out of order at %s", m.Path)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("loaded %v, want %v", got, tt.want)
			}
			for p, ph := range tt.want {
				if got[p] != ph {
					t.Errorf("%s: phase %q, want %q", p, got[p], ph)
				}
			}
		})
	}
}

func TestParsePhase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Phase{"pre-deploy": PreDeploy, "Post-Deploy": PostDeploy} {
		if got, err := ParsePhase(in); err != nil || got != want {
			t.Errorf("ParsePhase(%q) = %q, %v", in, got, err)
		}
	}
	var pe *PhaseError
	if _, err := ParsePhase("later"); !errors.As(err, &pe) || pe.Name != "later" {
		t.Errorf("ParsePhase(later) error = %v, want a *PhaseError", err)
	}
}

// TestPhaseCache: files of the post-deploy folder are cached like the
// others, and keep their phase when read from the cache.
func TestPhaseCache(t *testing.T) {
	forEachFS(t, func(t *testing.T, raw bool) {
		c := newCacheDir(t, raw, map[string]string{"0001_a.sql": "SELECT 1;\n"})
		if err := os.Mkdir(filepath.Join(c.dir, DefaultPostDeployDir), 0o755); err != nil {
			t.Fatal(err)
		}
		c.write(DefaultPostDeployDir+"/0002_b.sql", "SELECT 2;\n")
		c.write("0003_c.sql", "-- strata:phase post-deploy\nSELECT 3;\n")
		if _, opened := c.load(); opened != 3 {
			t.Fatalf("first load opened %d files, want 3", opened)
		}
		d, opened := c.load()
		if opened != 0 {
			t.Fatalf("second load opened %d files, want 0", opened)
		}
		for i, want := range []Phase{PreDeploy, PostDeploy, PostDeploy} {
			if got := d.Versioned[i].Phase; got != want {
				t.Errorf("%s: phase %s from the cache, want %s", d.Versioned[i].Path, got, want)
			}
		}
	})
}
