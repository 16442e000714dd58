//go:build unix

// Command measure runs a command and writes its wall time in seconds and
// its peak resident memory in kB ("0.021345 10752") to the file named by
// -o. bench/run.sh uses it instead of GNU time, whose wall time is in
// hundredths of a second: too coarse for a 20 ms status. The command's
// standard streams are passed through and its exit status is returned.
//
//	measure -o FILE COMMAND [ARG...]
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	out := flag.String("o", "", "file to write \"seconds peak_kB\" to")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: measure -o FILE COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(2)
	}
	var peak int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peak = int64(ru.Maxrss) // kB on Linux
	}
	if werr := os.WriteFile(*out, fmt.Appendf(nil, "%.6f %d\n", wall.Seconds(), peak), 0o644); werr != nil {
		fmt.Fprintln(os.Stderr, "measure:", werr)
		os.Exit(2)
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
