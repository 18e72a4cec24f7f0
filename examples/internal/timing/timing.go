// Package timing measures the wall time of a piece of work the way the
// examples report it: the best of a few runs, because on a shared machine
// the other runs measure the neighbours as much as the code.
package timing

import (
	"context"
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
