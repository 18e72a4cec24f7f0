package pipeline_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/pipeline"
)

func TestMapCountsAddUpAfterACancel(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []pipeline.Option
	}{
		{"unordered", []pipeline.Option{pipeline.Workers(4)}},
		{"ordered", []pipeline.Option{pipeline.Workers(4), pipeline.Ordered()}},
		{"ordered, one worker", []pipeline.Option{pipeline.Ordered()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				p := pipeline.New()
				src := pipeline.FromSlice(p, numbers(1000))
				// Item 0 holds up the ordered output until the run stops,
				// while the other workers deposit results behind it.
				m := pipeline.Map(src, func(ctx context.Context, v int) (int, error) {
					if v == 0 {
						<-ctx.Done()
					}
					return v, nil
				}, tc.opts...)
				pipeline.Sink(m, func(context.Context, int) error { return nil })
				time.AfterFunc(50*time.Millisecond, cancel)
				require.ErrorIs(t, p.Run(ctx), context.Canceled)

				st := p.Stats().Stages[1]
				require.Equal(t, st.In, st.Out+st.Failed+st.Canceled,
					"In = Out + Failed + Dropped; got in=%d out=%d failed=%d dropped=%d", st.In, st.Out, st.Failed, st.Canceled)
				require.Positive(t, st.In, "the stage took items")
			})
		})
	}
}

// An ordered Filter whose skipped items (filtered out, or failed and skipped
// by OnError) wait in the window behind item 0 counts them as filtered and
// failed, not again as dropped.
func TestOrderedFilterCountsAddUpAfterACancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		p := pipeline.New()
		src := pipeline.FromSlice(p, numbers(1000))
		var filtered atomic.Int64
		f := pipeline.Filter(src, func(ctx context.Context, v int) (bool, error) {
			switch {
			case v == 0:
				<-ctx.Done()
			case v%3 == 1:
				filtered.Add(1)
				return false, nil
			case v%3 == 2:
				return false, errSkipped
			}
			return true, nil
		}, pipeline.Workers(4), pipeline.Ordered(),
			pipeline.OnError(func(context.Context, int, error) error { return nil }))
		pipeline.Sink(f, func(context.Context, int) error { return nil })
		time.AfterFunc(50*time.Millisecond, cancel)
		require.ErrorIs(t, p.Run(ctx), context.Canceled)

		st := p.Stats().Stages[1]
		require.Equal(t, filtered.Load(), st.In-st.Out-st.Failed-st.Canceled,
			"In - Out - Failed - Dropped = filtered; got in=%d out=%d failed=%d dropped=%d", st.In, st.Out, st.Failed, st.Canceled)
		require.Positive(t, st.Failed, "items failed and were skipped")
	})
}

var errSkipped = errors.New("skipped")
