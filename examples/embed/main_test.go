package main

import (
	"context"
	"path/filepath"
	"testing"
)

// TestRun migrates a fresh database twice: the second run has nothing to do.
func TestRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	for range 2 {
		if err := run(context.Background(), path); err != nil {
			t.Fatal(err)
		}
	}
}
