// Command embed is an application that migrates its own database at start:
// the migrations are compiled into the binary with embed.FS and applied with
// the strata library before the application does its work. Run it with
//
//	go run ./examples/embed            # a SQLite file app.db
//	APP_DB=/tmp/x.db go run ./examples/embed
package main

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"time"

	_ "modernc.org/sqlite"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	path := os.Getenv("APP_DB")
	if path == "" {
		path = "app.db"
	}
	if err := run(ctx, path); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	if err := migrate(ctx, db); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM notes").Scan(&n); err != nil {
		return err
	}
	fmt.Printf("database ready: %d notes\n", n)
	return nil
}

// migrate applies the embedded migrations. Every replica may call it at
// start: the migration lock lets one apply them while the others wait and
// then find nothing to do.
func migrate(ctx context.Context, db *sql.DB) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	m, err := strata.New(db, sqlite.New(), fsys, strata.WithLockTimeout(10*time.Minute))
	if err != nil {
		return err
	}
	res, err := m.Up(ctx, strata.PlanOptions{})
	if err != nil {
		return err
	}
	for _, a := range res.Applied {
		log.Printf("applied %s", a.File)
	}
	return nil
}
