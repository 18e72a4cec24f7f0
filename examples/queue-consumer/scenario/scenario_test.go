package scenario_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/queue-consumer/scenario"
	"github.com/tandem-go/tandem/pipeline"
)

func quick(messages int) scenario.Config {
	cfg := scenario.DefaultConfig()
	cfg.Messages, cfg.EnrichRate = messages, 2000
	return cfg
}

func TestRunStoresAndAcksEveryMessageOnce(t *testing.T) {
	cfg := quick(300)
	var out bytes.Buffer
	res, err := scenario.Run(t.Context(), &out, cfg)
	require.NoError(t, err, "output:\n%s", out.String())
	require.False(t, res.Stopped, "ran until the queue was empty")
	require.Equal(t, 300, res.Queue.Acked, "acked")
	require.Equal(t, 300, res.Stored, "rows stored")
	require.Zero(t, res.Duplicates, "rows stored twice")
	require.Zero(t, res.Requeued, "messages in flight at the end")
	_, ok := res.Stats.Bottleneck()
	require.True(t, ok, "a bottleneck is named")
	require.Contains(t, out.String(), "bottleneck:")
}

func TestRunStoppedMidStreamLosesNothingAndStoresNothingTwice(t *testing.T) {
	for _, how := range []string{"StopAfter", "ctx"} {
		cfg := quick(5000)
		cfg.EnrichRate = 500 // 10 s for all: the stop comes mid-stream
		ctx := t.Context()
		if how == "StopAfter" {
			cfg.StopAfter = 300 * time.Millisecond
		} else {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
		}
		res, err := scenario.Run(ctx, new(bytes.Buffer), cfg)
		require.NoError(t, err, "%s: a graceful stop is no error", how)
		require.True(t, res.Stopped, "%s: stopped", how)
		q := res.Queue
		require.Less(t, q.Acked, cfg.Messages, "%s: acked before the stop", how)
		require.Equal(t, q.Received, q.Acked, "%s: every message received was acked", how)
		require.Zero(t, res.Requeued, "%s: nothing left in flight", how)
		require.Equal(t, cfg.Messages-q.Acked, q.Ready, "%s: the rest is left for the next consumer", how)
		require.Equal(t, q.Acked, res.Stored, "%s: acked = stored", how)
		require.Zero(t, res.Duplicates, "%s: rows stored twice", how)
		require.Zero(t, res.Lost(cfg.Messages), "%s: lost", how)
	}
}

func TestRunPastTheGraceHandsUnackedMessagesBackToTheQueue(t *testing.T) {
	cfg := quick(5000)
	cfg.EnrichRate = 500
	cfg.StopAfter = 200 * time.Millisecond
	cfg.Grace = time.Nanosecond // the graceful stop turns hard at once
	res, err := scenario.Run(t.Context(), new(bytes.Buffer), cfg)
	require.ErrorIs(t, err, pipeline.ErrStopTimeout)
	require.Zero(t, res.Lost(cfg.Messages), "lost: every unacked message is back in the queue")
	// A batch whose write was cut short may be stored but not acked; it is
	// back in the queue and will be stored again: at-least-once, which is
	// why the graceful stop exists.
	require.LessOrEqual(t, res.Queue.Acked, res.Stored, "acked messages were stored")
	require.Zero(t, res.Duplicates, "rows stored twice within this run")
}
