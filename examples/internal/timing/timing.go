// Package timing measures the wall time of work the way the examples report
// it: the best of a few runs, because on a shared machine the other runs
// measure the neighbours as much as the code; and when two ways are
// compared, their runs alternate, so a neighbour's burst of work slows both
// alike instead of whichever happened to run then.
package timing

import (
	"context"
	"fmt"
	"time"
)

// Best runs f runs times (at least once) and returns its shortest wall
// time. It stops at the first error, or when ctx is done between runs.
func Best(ctx context.Context, runs int, f func() error) (time.Duration, error) {
	best := time.Duration(0)
	for i := range max(1, runs) {
		if err := ctx.Err(); err != nil {
			return best, err
		}
		start := time.Now()
		if err := f(); err != nil {
			return best, err
		}
		if d := time.Since(start); i == 0 || d < best {
			best = d
		}
	}
	return best, nil
}

// Compare times a and b in alternation, runs times each (at least once), and
// returns the best time of each. It stops at the first error, or when ctx is
// done between runs.
func Compare(ctx context.Context, runs int, a, b func() error) (bestA, bestB time.Duration, err error) {
	for range max(1, runs) {
		da, err := Best(ctx, 1, a)
		if err != nil {
			return bestA, bestB, err
		}
		db, err := Best(ctx, 1, b)
		if err != nil {
			return bestA, bestB, err
		}
		if bestA == 0 || da < bestA {
			bestA = da
		}
		if bestB == 0 || db < bestB {
			bestB = db
		}
	}
	return bestA, bestB, nil
}

// Speedup says how many times faster par was than seq with workers
// goroutines on this machine's cores: "1.55x on 2 cores". A ratio above
// min(workers, cores) or below 1 cannot come from the code itself: the
// machine was busy with other work, and the figure would measure that. Then
// ok is false and text is a warning to rerun on a quiet machine instead of
// a figure.
func Speedup(seq, par time.Duration, workers, cores int) (text string, ok bool) {
	bound := max(1, min(workers, cores))
	if seq <= 0 || par <= 0 {
		return "no speedup measured", false
	}
	s := seq.Seconds() / par.Seconds()
	if s > float64(bound) || s < 1 {
		return fmt.Sprintf("no figure: %.2fx on %d cores cannot be a speedup, the machine was busy; rerun when it is quiet", s, cores), false
	}
	return fmt.Sprintf("%.2fx on %d cores", s, cores), true
}

// BarSpeedup is the speedup to print next to a chart's bar, "  (1.55x)",
// or nothing when Speedup finds that it cannot be one.
func BarSpeedup(seq, par time.Duration, workers, cores int) string {
	if _, ok := Speedup(seq, par, workers, cores); !ok {
		return ""
	}
	return fmt.Sprintf("  (%.2fx)", seq.Seconds()/par.Seconds())
}
