package pool_test

import (
	"fmt"
	"runtime"
	"sync/atomic"
)

// highWater tracks how many tasks are inside their body at once.
type highWater struct {
	now, peak atomic.Int64
}

func (h *highWater) enter() {
	n := h.now.Add(1)
	for {
		p := h.peak.Load()
		if n <= p || h.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (h *highWater) leave() { h.now.Add(-1) }

// goroutineID parses the current goroutine's id from its stack header, for
// tests that check which goroutine ran a task.
func goroutineID() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	var id int64
	fmt.Sscanf(string(buf[:n]), "goroutine %d ", &id)
	return id
}
