package fanout_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/fanout"
)

// retryTimeoutsOnly is a RetryIf that retries what timed out and nothing
// else: a 404 is an answer, not a transient failure.
func retryTimeoutsOnly(err error) bool { return errors.Is(err, fanout.ErrCallTimeout) }

func TestACallsOwnErrorAsItsTimeoutFiresIsNoTimeoutAndIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		notFound := errors.New("404 not found")
		results, err := fanout.Map(t.Context(), []int{1}, func(ctx context.Context, _ int) (int, error) {
			<-ctx.Done() // the answer comes back just as the Timeout fires
			return 0, notFound
		}, fanout.Timeout(time.Second), fanout.Attempts(3), fanout.RetryIf(retryTimeoutsOnly))
		require.ErrorIs(t, err, notFound)
		require.NotErrorIs(t, err, fanout.ErrCallTimeout, "the call's own answer, not a timeout")
		r := results[0]
		assert.Equal(t, fanout.Failed, r.Status)
		assert.Equal(t, notFound, r.Err)
		assert.Equal(t, 1, r.Attempts, "not retried: RetryIf retries timeouts only")
	})
}

func TestAnErrorThatSaysItTimedOutAtTheTimeoutIsATimeout(t *testing.T) {
	for name, timedOut := range map[string]error{
		"ctx.Err()":              context.DeadlineExceeded,
		"context.Cause(ctx)":     fanout.ErrCallTimeout,
		"an i/o timeout (net's)": &os.PathError{Op: "read", Path: "conn", Err: os.ErrDeadlineExceeded},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				results, _ := fanout.Map(t.Context(), []int{1}, func(ctx context.Context, _ int) (int, error) {
					<-ctx.Done()
					return 0, timedOut
				}, fanout.Timeout(time.Second), fanout.Attempts(3), fanout.RetryIf(retryTimeoutsOnly),
					fanout.Backoff(time.Millisecond, time.Millisecond))
				r := results[0]
				assert.ErrorIs(t, r.Err, fanout.ErrCallTimeout)
				assert.ErrorIs(t, r.Err, timedOut, "the call's error stays in the chain")
				assert.Equal(t, 3, r.Attempts, "a timeout is retried")
			})
		})
	}
}
