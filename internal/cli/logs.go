package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/strata-db/strata"
)

// lineHandler is the slog handler of --log-format text: one plain line per
// record, "message key=value ...". Outside a terminal (CI, container logs)
// each line starts with a UTC timestamp; on a terminal it is left out, to
// keep lines short.
type lineHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	level slog.Level
	stamp bool
	attrs []slog.Attr
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	if h.stamp {
		b.WriteString(r.Time.UTC().Format("2006-01-02T15:04:05.000Z "))
	}
	if r.Level >= slog.LevelWarn {
		b.WriteString(strings.ToLower(r.Level.String()) + ": ")
	}
	b.WriteString(r.Message)
	write := func(a slog.Attr) bool {
		v := a.Value.Resolve().String()
		if strings.ContainsAny(v, " \t\"=") || v == "" {
			v = fmt.Sprintf("%q", v)
		}
		fmt.Fprintf(&b, " %s=%s", a.Key, v)
		return true
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(write)
	b.WriteByte('\n')
	if h.mu != nil {
		h.mu.Lock()
		defer h.mu.Unlock()
	}
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

// WithGroup is not used by strata; groups are flattened.
func (h *lineHandler) WithGroup(string) slog.Handler { return h }

// stmtWatch logs a statement that is still running: after interval, and
// again every interval, until the next statement starts or the file ends.
// It is driven by the library's events.
type stmtWatch struct {
	interval time.Duration
	log      *slog.Logger

	mu    sync.Mutex
	timer *time.Timer
	gen   int // which statement the timer belongs to
	file  string
	index int
	line  int
	start time.Time
}

// event updates the watch from one library event.
func (w *stmtWatch) event(e strata.Event) {
	switch e.Kind {
	case strata.EventStatementStart:
		line := 0
		if e.Statement != nil {
			line = e.Statement.Line
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.stopLocked()
		w.file, w.index, w.line, w.start = e.File, e.Index, line, time.Now()
		w.schedule()
	case strata.EventMigrationDone, strata.EventMigrationError:
		w.stop()
	}
}

// schedule arms the timer for the current statement; w.mu is held.
func (w *stmtWatch) schedule() {
	gen := w.gen
	w.timer = time.AfterFunc(w.interval, func() { w.fire(gen) })
}

func (w *stmtWatch) fire(gen int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if gen != w.gen {
		return // the statement finished meanwhile
	}
	w.log.Info("statement still running", "file", w.file, "statement", w.index, "line", w.line,
		"elapsed", time.Since(w.start).Round(100*time.Millisecond).String())
	w.schedule()
}

// stop forgets the running statement.
func (w *stmtWatch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopLocked()
}

func (w *stmtWatch) stopLocked() {
	w.gen++
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
}
