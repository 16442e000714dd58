//go:build !unix

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/strata-db/strata/dialect"
)

// lockFile creates path exclusively, polling until it can. Unlike flock, a
// run that dies leaves the file behind; its content names the holder.
func lockFile(ctx context.Context, path string, timeout time.Duration, waiting func(string)) (dialect.Lock, error) {
	var f *os.File
	try := func(context.Context) (bool, error) {
		var err error
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			return false, nil
		}
		return err == nil, err
	}
	holder := func(context.Context) string {
		b, _ := os.ReadFile(path)
		return string(b) + " (lock file " + path + "; delete it if that process is gone)"
	}
	if err := dialect.PollLock(ctx, timeout, try, holder, waiting); err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "pid %d since %s", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	return exclLock{f: f, path: path}, nil
}

type exclLock struct {
	f    *os.File
	path string
}

func (l exclLock) Release(context.Context) error {
	l.f.Close()
	return os.Remove(l.path)
}

// fileHolder describes the holder named in lock file path, when it exists.
func fileHolder(path string) (string, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read lock file: %w", err)
	}
	return string(b) + " (lock file " + path + ")", nil
}
