package pool

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRingKeepsOrderAcrossGrowthAndWrap(t *testing.T) {
	var r ring
	next, want := 0, 0
	for round := range 50 {
		for range round % 7 {
			r.push(job{index: next})
			next++
		}
		for range round % 5 {
			if j, ok := r.pop(); ok {
				require.Equal(t, want, j.index)
				want++
			}
		}
	}
	for j, ok := r.pop(); ok; j, ok = r.pop() {
		require.Equal(t, want, j.index)
		want++
	}
	assert.Equal(t, next, want)
}

// A queue that grew for a burst gives its buffer back once it has drained
// and a worker parks; a small one keeps it, so that a steady load queues
// without allocating.
func TestAQueueThatGrewForABurstDropsItsBufferOnceDrained(t *testing.T) {
	for _, burst := range []int{10, 10_000} {
		synctest.Test(t, func(t *testing.T) {
			p := New(1, QueueSize(burst))
			release := make(chan struct{})
			require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-release; return nil }))
			for range burst {
				require.NoError(t, p.Submit(t.Context(), func(context.Context) error { return nil }))
			}
			p.mu.Lock()
			grown := len(p.queue.buf)
			p.mu.Unlock()
			assert.GreaterOrEqual(t, grown, burst)
			close(release)
			synctest.Wait() // drained, and the worker parked
			p.mu.Lock()
			kept := len(p.queue.buf)
			p.mu.Unlock()
			if grown > ringKeep {
				assert.Zero(t, kept, "buffer kept after a burst of %d", burst)
			} else {
				assert.Equal(t, grown, kept, "small buffer dropped after a burst of %d", burst)
			}
			p.Close()
		})
	}
}
