package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem/parallel"
	"github.com/tandem-go/tandem/pool"
)

// reportSize is the number of float64 a report reduces.
const reportSize = 2_000_000

// modes are the ways the server computes a report, one per phase.
var modes = map[string]func(ctx context.Context, xs []float64) float64{
	"idle":     nil, // no CPU clients: the I/O endpoint's unloaded latency
	"naive":    naiveReport,
	"parallel": parallelReport,
	"slot":     nil, // parallel behind a pool of one report slot: set up in serve
}

// phaseNames lists the phases in the order they run by default.
func phaseNames() []string {
	order := []string{"idle", "naive", "parallel", "slot"}
	extra := []string{}
	for n := range modes {
		if !slices.Contains(order, n) {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	return append(order, extra...)
}

// reportTerm is the work per element: a few floating-point operations, so
// that 2e6 elements take about 10 ms on one core.
func reportTerm(x float64) float64 { return math.Sqrt(x*x+1) + math.Sqrt(x+2) }

func sumTerms(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += reportTerm(x)
	}
	return s
}

func parallelReport(ctx context.Context, xs []float64) float64 {
	s, _ := parallel.Reduce(ctx, xs, func() float64 { return 0 },
		func(_ context.Context, acc float64, chunk []float64) (float64, error) {
			return acc + sumTerms(chunk), nil
		},
		func(a, b float64) float64 { return a + b })
	return s
}

// naiveReport is what a user writes without a library: a goroutine per
// 1000-element chunk and a WaitGroup.
func naiveReport(_ context.Context, xs []float64) float64 {
	const chunk = 1000
	parts := make([]float64, (len(xs)+chunk-1)/chunk)
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() { parts[i] = sumTerms(xs[i*chunk : min((i+1)*chunk, len(xs))]) })
	}
	wg.Wait()
	s := 0.0
	for _, p := range parts {
		s += p
	}
	return s
}

// serve runs the server of one phase until it is killed. It prints
// "listening ADDR" once it accepts connections.
func serve(mode string) error {
	report, ok := modes[mode]
	if !ok {
		return fmt.Errorf("no mode %q", mode)
	}
	if mode == "slot" {
		slots := pool.New(1)
		report = func(ctx context.Context, xs []float64) float64 {
			s, _ := pool.Do(ctx, slots, func(ctx context.Context) (float64, error) { return parallelReport(ctx, xs), nil })
			return s
		}
	}
	xs := make([]float64, reportSize)
	for i := range xs {
		xs[i] = float64(i%1000) / 7
	}
	var peak atomic.Int64
	go func() { // sampled for the whole life of the process, which is killed
		for {
			if n := int64(runtime.NumGoroutine()); n > peak.Load() {
				peak.Store(n)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /io", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond)
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /cpu", func(w http.ResponseWriter, r *http.Request) {
		if report == nil {
			http.Error(w, "no CPU endpoint in this phase", http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, "%g\n", report(r.Context(), xs))
	})
	mux.HandleFunc("GET /peak", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d\n", peak.Load())
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("listening %s\n", ln.Addr())
	return http.Serve(ln, mux)
}
