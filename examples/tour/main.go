// Command tour runs every example of tandem in sequence, each in a short
// mode, and prints for each one the lesson it teaches, the figures it
// measured on this machine and a bar chart of the comparison.
//
//	go run ./examples/tour            # the tour (about a minute)
//	go run ./examples/tour -quick     # the short tour (well under a minute; CI runs it)
//	go run ./examples/tour -only hashing,api-gateway
//
// What to look for: the three kinds of work. Waiting (database lookups,
// API calls, a queue) gets faster with concurrency, bounded and paced.
// Computing (reports, filters, hashing) gets faster with parallelism, up to
// the number of cores and no further. A server that does both hands its
// computing to parallel, whose shared budget keeps the waiting side quick.
//
// Every figure is measured as the tour runs, so it varies from machine to
// machine and run to run; on a busy machine speedups come out lower. The
// exit status is 1 if any example failed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	quick := flag.Bool("quick", false, "run every example in its shortest mode (for CI)")
	only := flag.String("only", "", "comma-separated example names to run (default: all)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	failed := tour(ctx, os.Stdout, stops, *quick, *only)
	stop()
	if failed {
		os.Exit(1)
	}
}

// tour runs the stops named in only (all when empty) in order and reports
// whether any failed.
func tour(ctx context.Context, w io.Writer, all []stop, quick bool, only string) (failed bool) {
	chosen := all
	if only != "" {
		names := strings.Split(only, ",")
		chosen = nil
		for _, s := range all {
			if slices.Contains(names, s.name) {
				chosen = append(chosen, s)
			}
		}
		if len(chosen) == 0 {
			fmt.Fprintf(w, "tour: no example named %q\n", only)
			return true
		}
	}
	mode := "full"
	if quick {
		mode = "quick"
	}
	fmt.Fprintf(w, "tandem tour (%s mode) on %d cores (GOMAXPROCS %d), %s\n",
		mode, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())

	type outcome struct {
		name    string
		elapsed time.Duration
		err     error
	}
	var outcomes []outcome
	start := time.Now()
	for i, s := range chosen {
		fmt.Fprintf(w, "\n%s\n", header(i+1, len(chosen), s.name))
		fmt.Fprintf(w, "  %s\n", s.lesson)
		fmt.Fprintf(w, "  (go run ./examples/%s)\n\n", s.name)
		t := time.Now()
		err := s.run(ctx, w, quick)
		outcomes = append(outcomes, outcome{s.name, time.Since(t), err})
		if err != nil {
			fmt.Fprintf(w, "  FAILED: %v\n", err)
			failed = true
		}
		if ctx.Err() != nil {
			fmt.Fprintln(w, "\ntour: interrupted")
			return true
		}
	}

	fmt.Fprintf(w, "\n%s\n", header(0, 0, "summary"))
	for _, o := range outcomes {
		status := "ok"
		if o.err != nil {
			status = "FAILED"
		}
		fmt.Fprintf(w, "  %-28s %-6s %v\n", o.name, status, o.elapsed.Round(10*time.Millisecond))
	}
	fmt.Fprintf(w, "  %-28s %-6s %v\n", "total", "", time.Since(start).Round(10*time.Millisecond))
	return failed
}

func header(i, n int, title string) string {
	h := "━━ " + title + " "
	if n > 0 {
		h = fmt.Sprintf("━━ %d/%d  %s ", i, n, title)
	}
	return h + strings.Repeat("━", max(3, 72-len([]rune(h))))
}
