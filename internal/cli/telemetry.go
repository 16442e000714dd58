package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/telemetry"
)

// telemetryState is the run's telemetry: a recorder when OTEL_* asks for
// export or --metrics-file is given, else nothing at all.
type telemetryState struct {
	metricsFile string // --metrics-file
	rec         *telemetry.Recorder
	command     string
	ended       bool
}

// startTelemetry starts the recorder for cmd, when anything wants it.
func (a *app) startTelemetry(cmd *cobra.Command) error {
	tr, mt := telemetry.Enabled(a.env.Lookup)
	if !tr && !mt && a.tel.metricsFile == "" {
		return nil
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	rec, err := telemetry.Start(ctx, a.env.Lookup, cmd.Name(), buildVersion().Version)
	if err != nil {
		return err
	}
	a.tel.rec, a.tel.command = rec, cmd.Name()
	return nil
}

// telemetryObserver returns the recorder's observer, or nil.
func (a *app) telemetryObserver() func(strata.Event) {
	if a.tel.rec == nil {
		return nil
	}
	return a.tel.rec.Observer()
}

// withTelemetry adds the telemetry observer to obs (either may be nil).
func (a *app) withTelemetry(obs func(strata.Event)) func(strata.Event) {
	tel := a.telemetryObserver()
	switch {
	case tel == nil:
		return obs
	case obs == nil:
		return tel
	}
	return func(e strata.Event) {
		tel(e)
		obs(e)
	}
}

// endTelemetry flushes the exporters (at most 5 s) and writes
// --metrics-file. A failed export is logged, never the run's failure; a
// metrics file that cannot be written is.
func (a *app) endTelemetry(code int) error {
	if a.tel.rec == nil || a.tel.ended {
		return nil
	}
	a.tel.ended = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.tel.rec.End(ctx, code); err != nil {
		a.logger().Warn("telemetry export failed", "error", a.scrub(err.Error()))
	}
	if a.tel.metricsFile == "" {
		return nil
	}
	if err := telemetry.WriteTextfile(a.path(a.tel.metricsFile), a.tel.command, a.tel.rec.Stats, code, time.Now()); err != nil {
		return fmt.Errorf("%w; fix the path or its folder's permissions", err)
	}
	return nil
}
