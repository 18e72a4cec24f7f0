package main

import (
	"context"
	"io"
	"time"

	gateway "github.com/tandem-go/tandem/examples/api-gateway/scenario"
	finreport "github.com/tandem-go/tandem/examples/financial-report/scenario"
	hashing "github.com/tandem-go/tandem/examples/hashing/scenario"
	imgfilter "github.com/tandem-go/tandem/examples/image-filter/scenario"
	consumer "github.com/tandem-go/tandem/examples/queue-consumer/scenario"
	notify "github.com/tandem-go/tandem/examples/rate-limited-notifications/scenario"
	reportsrv "github.com/tandem-go/tandem/examples/report-server/scenario"
	seqconc "github.com/tandem-go/tandem/examples/sequential-vs-concurrent/scenario"
)

// stop is one example on the tour.
type stop struct {
	name   string // the folder under examples/
	lesson string
	run    func(ctx context.Context, w io.Writer, quick bool) error
}

// stops is the tour in order: waiting, then computing, then both.
var stops = []stop{
	{"sequential-vs-concurrent", seqconc.Lesson, func(ctx context.Context, w io.Writer, quick bool) error {
		_, err := seqconc.Run(ctx, w, pick(quick, seqconc.DefaultConfig, seqconc.QuickConfig))
		return err
	}},
	{"api-gateway", gateway.Lesson, func(ctx context.Context, w io.Writer, quick bool) error {
		_, err := gateway.Run(ctx, w, pick(quick, gateway.DefaultConfig, gateway.QuickConfig))
		return err
	}},
	{"rate-limited-notifications", notify.Lesson, func(ctx context.Context, w io.Writer, quick bool) error {
		_, err := notify.Run(ctx, w, pick(quick, notify.DefaultConfig, notify.QuickConfig))
		return err
	}},
	{"queue-consumer", consumer.Lesson, func(ctx context.Context, w io.Writer, quick bool) error {
		cfg := pick(quick, consumer.DefaultConfig, consumer.QuickConfig)
		if cfg.StopAfter == 0 {
			cfg.StopAfter = 3 * time.Second // the tour always shows a stop mid-stream
		}
		_, err := consumer.Run(ctx, w, cfg)
		return err
	}},
	{"financial-report", finreport.Lesson, func(ctx context.Context, w io.Writer, quick bool) error {
		_, err := finreport.Run(ctx, w, pick(quick, finreport.DefaultConfig, finreport.QuickConfig))
		return err
	}},
	{"image-filter", imgfilter.Lesson, func(ctx context.Context, w io.Writer, quick bool) error {
		cfg := pick(quick, imgfilter.DefaultConfig, imgfilter.QuickConfig)
		cfg.Out = "" // the tour writes no file
		_, err := imgfilter.Run(ctx, w, cfg)
		return err
	}},
	{"hashing", hashing.Lesson, func(ctx context.Context, w io.Writer, quick bool) error {
		_, err := hashing.Run(ctx, w, pick(quick, hashing.DefaultConfig, hashing.QuickConfig))
		return err
	}},
	{"report-server", reportsrv.Lesson, func(ctx context.Context, w io.Writer, quick bool) error {
		_, err := reportsrv.Run(ctx, w, pick(quick, reportsrv.DefaultConfig, reportsrv.QuickConfig))
		return err
	}},
}

// pick returns the quick config in quick mode and the default one otherwise.
func pick[C any](quick bool, full, short func() C) C {
	if quick {
		return short()
	}
	return full()
}
