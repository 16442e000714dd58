//go:build unix

package sqlite

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/strata-db/strata/dialect"
)

// lockFile takes an exclusive, non-blocking flock on path, polling until it
// is free. The kernel releases it when the process dies.
func lockFile(ctx context.Context, path string, timeout time.Duration, waiting func(string)) (dialect.Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	try := func(context.Context) (bool, error) {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == syscall.EWOULDBLOCK {
			return false, nil
		}
		return err == nil, err
	}
	holder := func(context.Context) string {
		b, _ := os.ReadFile(path)
		if len(b) == 0 {
			return "lock file " + path
		}
		return string(b) + " (lock file " + path + ")"
	}
	if err := dialect.PollLock(ctx, timeout, try, holder, waiting); err != nil {
		f.Close()
		return nil, err
	}
	host, _ := os.Hostname()
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(fmt.Sprintf("pid %d on %s since %s", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))), 0)
	return fileLock{f: f}, nil
}

type fileLock struct{ f *os.File }

func (l fileLock) Release(context.Context) error {
	_ = l.f.Truncate(0)
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// fileHolder tries the flock on path without waiting and lets it go at
// once: it describes the holder when another open file holds it.
func fileHolder(path string) (string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("open lock file: %w", err)
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == syscall.EWOULDBLOCK {
		b, _ := os.ReadFile(path)
		if len(b) == 0 {
			return "lock file " + path, nil
		}
		return string(b) + " (lock file " + path + ")", nil
	}
	if err != nil {
		return "", fmt.Errorf("check lock file: %w", err)
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return "", nil
}
