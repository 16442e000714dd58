// Command strata applies a folder of numbered .sql migrations to
// PostgreSQL, MySQL/MariaDB or SQLite. See `strata --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/strata-db/strata/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
