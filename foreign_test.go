package strata_test

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/source"
)

// TestNewRefusesForeignAndEmptyFolders: library users get the CLI's
// protection. New refuses a folder with another tool's file (a
// *source.ForeignError naming file, line and tool) and a folder without
// migration files (source.ErrNoMigrations, naming the subfolder an
// embed.FS without fs.Sub leaves), before touching the database;
// WithAllowEmpty(true) accepts the empty folder.
func TestNewRefusesForeignAndEmptyFolders(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		d := dialectFor(t, db)
		goose := files("0001_widgets.sql", "-- +goose Up\nCREATE TABLE lib_widgets (id int);\n-- +goose Down\nDROP TABLE lib_widgets;\n")
		_, err := strata.New(sqlDB, d, goose)
		var fe *source.ForeignError
		if !errors.As(err, &fe) || fe.File != "0001_widgets.sql" || fe.Line != 1 || fe.Tool != "goose" || fe.DownLine != 3 {
			t.Fatalf("New with a goose file: got %v", err)
		}

		embedded := fstest.MapFS{"migrations/0001_a.sql": &fstest.MapFile{Data: []byte("CREATE TABLE lib_a (id int);\n")}}
		_, err = strata.New(sqlDB, d, embedded)
		var ne *source.NoMigrationsError
		if !errors.Is(err, source.ErrNoMigrations) || !errors.As(err, &ne) || len(ne.Subfolders) != 1 || ne.Subfolders[0] != "migrations" {
			t.Fatalf("New with an embed.FS not narrowed by fs.Sub: got %v", err)
		}
		if _, err := sqlDB.Exec("SELECT 1 FROM " + strata.DefaultTable + " WHERE 1 = 0"); err == nil {
			t.Fatal("a refused New touched the database")
		}

		m, err := strata.New(sqlDB, d, fstest.MapFS{}, strata.WithAllowEmpty(true))
		if err != nil {
			t.Fatalf("WithAllowEmpty(true): %v", err)
		}
		res, err := m.Up(context.Background(), strata.PlanOptions{})
		if err != nil || len(res.Applied) != 0 {
			t.Fatalf("up of an allowed empty folder: %+v, %v", res, err)
		}
	})
}
