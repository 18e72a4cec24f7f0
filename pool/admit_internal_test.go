package pool

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A job that must not queue (a Call's, a nested group's) used to be
// swapped into the queue when it found a parked worker while another was
// being woken: the parked worker got the queue's head, and the job waited
// behind the busy workers, which may all be waiting for it. It now takes
// the parked worker itself; what was queued waits for the worker being
// woken, as it did.
func TestAJobThatMustNotQueueTakesTheParkedWorkerAheadOfTheQueue(t *testing.T) {
	p := New(3)
	parked := &idler{wake: make(chan job, 1)}
	p.idle = []*idler{parked}
	p.goroutines, p.waking = 3, true
	p.queue.push(job{ctx: context.Background(), index: 1})
	p.mu.Lock()
	a := p.admitLocked(job{ctx: context.Background(), index: 2}, false)
	p.mu.Unlock()
	assert.Equal(t, admitted, a)
	assert.Equal(t, 2, (<-parked.wake).index, "the job handed to the parked worker")
	head, _ := p.queue.pop()
	assert.Equal(t, 1, head.index, "the queue keeps what it held")
	assert.Zero(t, p.queue.n)
}
