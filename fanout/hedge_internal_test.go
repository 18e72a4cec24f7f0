package fanout

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/internal/crashtest"
)

// hedgeGaps drives a hedging feeder by hand, as its workers would, rounds
// times, and returns the shortest time it took to offer the next input
// after handing one out with no failure in between; hedge must be less.
// In each round input 0 fails as soon as it is handed out, so the feeder
// offers input 1 at once while its hedge timer still runs; nobody takes
// input 1 until the timer has fired. Under GODEBUG=asynctimerchan=1 that
// tick waits in the timer's channel, and a feeder that reset the timer
// without draining it would offer input 2 at once.
func hedgeGaps(t *testing.T, rounds int, hedge time.Duration) time.Duration {
	shortest := time.Duration(1<<63 - 1)
	for range rounds {
		o := buildOptions("fanout: test", []Option{FirstSuccess(hedge), Workers(2)})
		r := newRun(context.Background(), func(context.Context, int) (int, error) { return 0, nil }, &o, nil, -1)
		r.failedSignal = make(chan struct{}, 2) // as stream makes it for 2 workers
		jobs := make(chan job[int])             // unbuffered, as stream makes it for hedging
		out := make(chan ended[int], 2)
		fed := make(chan struct{})
		go func() {
			defer close(fed)
			r.feed(slices.Values([]int{0, 1, 2}), jobs, out)
		}()
		<-jobs                       // input 0; the hedge timer runs
		r.failedSignal <- struct{}{} // input 0 failed: input 1 is offered at once
		time.Sleep(3 * hedge)        // and waits; the timer fires meanwhile
		handed := time.Now()         // the feeder is blocked on the send: the
		<-jobs                       // hand-off and the timer's reset come after
		<-jobs                       // input 2: a hedge later at the soonest
		shortest = min(shortest, time.Since(handed))
		<-fed
		r.cancel(errEnded)
		require.Empty(t, out, "nothing reported not started")
	}
	return shortest
}

func TestAHedgingFeederWaitsTheHedgeAfterAHandOff(t *testing.T) {
	const hedge = 10 * time.Millisecond
	assert.GreaterOrEqual(t, hedgeGaps(t, 3, hedge), hedge)
}

// TestAHedgingFeederActsOnNoStaleTickWithAsyncTimers runs the rounds in a
// subprocess under GODEBUG=asynctimerchan=1 (pre-Go 1.23 timers, still
// honoured). synctest refuses asynctimerchan, so this runs on the real
// clock and checks only a lower bound, which no machine load can break.
func TestAHedgingFeederActsOnNoStaleTickWithAsyncTimers(t *testing.T) {
	const hedge = 10 * time.Millisecond
	if crashtest.InChild(t) {
		fmt.Printf("early offers: %v\n", hedgeGaps(t, 5, hedge) < hedge)
		return
	}
	t.Setenv("GODEBUG", "asynctimerchan=1")
	out, status := crashtest.Run(t)
	require.Equal(t, 0, status, out)
	assert.Contains(t, out, "early offers: false\n")
}
