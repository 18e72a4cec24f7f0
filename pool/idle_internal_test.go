package pool

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/internal/crashtest"
)

// TestAParkedWorkersTimerDeliversNoStaleTickWithAsyncTimers runs, in a
// subprocess with GODEBUG=asynctimerchan=1 (pre-Go 1.23 timers, whose
// channel keeps a tick that fired before Stop), parks that end on a task
// handed over just as the linger timer fires, each followed by a park with
// nothing to hand over: that park reuses the timer and must last its whole
// delay, never end on a leftover tick (a worker would then exit at once
// instead of lingering). synctest refuses asynctimerchan, so this one runs
// on the real clock; it only checks a lower bound, which no machine load
// can break.
func TestAParkedWorkersTimerDeliversNoStaleTickWithAsyncTimers(t *testing.T) {
	if crashtest.InChild(t) {
		// One P, so that the woken worker waits for the CPU while its
		// timer expires: the window in which a pre-1.23 timer leaves its
		// tick behind a Stop that comes too late.
		runtime.GOMAXPROCS(1)
		var in idler
		in.wake = make(chan job, 1)
		handed := job{ctx: context.Background()}
		early, raced := 0, 0
		for range 30 {
			const d = 4 * time.Millisecond // well above the timers' granularity
			start := time.Now()
			go func() {
				time.Sleep(d / 4)
				in.wake <- handed // the worker is woken, but this goroutine keeps the CPU
				for time.Since(start) < 2*d {
				}
				runtime.Gosched() // the scheduler runs the expired timer, then the worker
			}()
			if _, ok := in.park(d); !ok {
				<-in.wake // the timer won after all: no race this round
			} else {
				raced++
			}
			begin := time.Now()
			if _, ok := in.park(time.Millisecond); ok {
				panic("nothing was handed over")
			}
			if time.Since(begin) < time.Millisecond {
				early++
			}
		}
		fmt.Printf("early wake-ups: %d (of %d handed over)\n", early, raced)
		return
	}
	t.Setenv("GODEBUG", "asynctimerchan=1")
	out, status := crashtest.Run(t)
	require.Equal(t, 0, status, out)
	assert.Contains(t, out, "early wake-ups: 0 ")
}
