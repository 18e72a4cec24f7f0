package pipeline_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/internal/crashtest"
	"github.com/tandem-go/tandem/pipeline"
)

// TestBatchNeverLeavesBeforeMaxWaitWithAsyncTimers runs, in a subprocess
// with GODEBUG=asynctimerchan=1 (the timers before Go 1.23, whose channel
// keeps a tick that fired before Stop), batches of 2 whose second item
// arrives about when maxWait runs out: so the batch timer often fires just
// after the batch filled up. The next batch reuses the timer and must wait
// its own maxWait; a stale tick would pass it at once, with one item.
// synctest refuses asynctimerchan, so this runs on the real clock; it only
// checks a lower bound (a batch cut short leaves at least maxWait after its
// first item was emitted), which no machine load can break.
func TestBatchNeverLeavesBeforeMaxWaitWithAsyncTimers(t *testing.T) {
	if crashtest.InChild(t) {
		const maxWait = 300 * time.Microsecond
		const n = 400
		emitted := make([]time.Time, n)
		p := pipeline.New()
		src := pipeline.Generate(p, func(ctx context.Context, emit func(int) bool) error {
			for i := range n {
				if i > 0 {
					// Around maxWait, a little before or after.
					time.Sleep(maxWait + time.Duration(i%11-5)*4*time.Microsecond)
				}
				emitted[i] = time.Now()
				if !emit(i) {
					return nil
				}
			}
			return nil
		})
		early, cut := 0, 0
		pipeline.Sink(pipeline.Batch(src, 2, maxWait), func(_ context.Context, batch []int) error {
			if len(batch) == 1 && batch[0] != n-1 {
				cut++
				if time.Since(emitted[batch[0]]) < maxWait {
					early++
				}
			}
			return nil
		})
		if err := p.Run(context.Background()); err != nil {
			fmt.Println("error:", err)
		}
		fmt.Printf("batches cut by maxWait: %d, early: %d\n", cut, early)
		return
	}
	t.Setenv("GODEBUG", "asynctimerchan=1")
	out, status := crashtest.Run(t)
	require.Equal(t, 0, status, out)
	assert.Regexp(t, `batches cut by maxWait: \d+, early: 0\n`, out)
}
