package main

import (
	"context"
	"testing"
	"time"
)

// BenchmarkReportOneCore is the report's work on one core, to check that
// it is about 10 ms, as the scenario says.
func BenchmarkReportOneCore(b *testing.B) {
	xs := make([]float64, reportSize)
	for i := range xs {
		xs[i] = float64(i%1000) / 7
	}
	for b.Loop() {
		_ = sumTerms(xs)
	}
}

func TestNaiveAndParallelReportsAgree(t *testing.T) {
	xs := make([]float64, 10_001)
	for i := range xs {
		xs[i] = float64(i)
	}
	want := sumTerms(xs)
	for name, f := range map[string]func(context.Context, []float64) float64{"naive": naiveReport, "parallel": parallelReport} {
		if got := f(context.Background(), xs); got < want*(1-1e-12) || got > want*(1+1e-12) {
			t.Errorf("%s report = %v, want %v", name, got, want)
		}
	}
}

func BenchmarkReportModes(b *testing.B) {
	xs := make([]float64, reportSize)
	for i := range xs {
		xs[i] = float64(i%1000) / 7
	}
	for _, name := range []string{"parallel", "p-gosched", "p-gap1", "p-gap2", "p-gap5", "p-hand1", "p-hand2", "p-hand5", "naive"} {
		f := modes[name]
		b.Run(name, func(b *testing.B) {
			gapStats.mu.Lock()
			gapStats.d = nil
			gapStats.mu.Unlock()
			for b.Loop() {
				_ = f(context.Background(), xs)
			}
			var sum time.Duration
			for _, d := range gapStats.d {
				sum += d
			}
			b.ReportMetric(float64(sum.Nanoseconds())/float64(b.N), "gap-ns/op")
			b.ReportMetric(float64(len(gapStats.d))/float64(b.N), "gaps/op")
		})
		b.Run(name+"-4callers", func(b *testing.B) {
			b.SetParallelism(2) // 2 x GOMAXPROCS callers
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_ = f(context.Background(), xs)
				}
			})
		})
	}
}
