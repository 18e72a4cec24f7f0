package fanout_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/fanout"
)

func TestAnInputAsleepOnTheRetryAfterGateWaitsForALongerHintThatCameMeanwhile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Three workers start inputs 0, 1 and 2 at 0. Input 0 is told at
		// 10 ms to come back in 100 ms, and its worker takes input 3, which
		// sleeps on the gate until 110 ms. At 50 ms input 1 is told to come
		// back in 200 ms, at 250 ms: input 3 must wait for that too.
		start := time.Now()
		var startedAt [4]time.Duration
		_, err := fanout.Map(t.Context(), []int{0, 1, 2, 3}, func(_ context.Context, x int) (int, error) {
			startedAt[x] = time.Since(start)
			switch x {
			case 0:
				time.Sleep(10 * time.Millisecond)
				return 0, fanout.RetryAfter(errors.New("429"), 100*time.Millisecond)
			case 1:
				time.Sleep(50 * time.Millisecond)
				return 0, fanout.RetryAfter(errors.New("429"), 200*time.Millisecond)
			case 2:
				time.Sleep(time.Second)
			}
			return x, nil
		}, fanout.Workers(3))
		require.Error(t, err, "inputs 0 and 1 fail with their hints")
		assert.Equal(t, 250*time.Millisecond, startedAt[3], "input 3 starts at the later hint")
	})
}
