package pipeline_test

import (
	"context"
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
				pipeline.ForEach(m, func(context.Context, int) error { return nil })
				time.AfterFunc(50*time.Millisecond, cancel)
				require.ErrorIs(t, p.Run(ctx), context.Canceled)

				st := p.Stats().Stages[1]
				require.Equal(t, st.In, st.Out+st.Failed+st.Dropped,
					"In = Out + Failed + Dropped; got in=%d out=%d failed=%d dropped=%d", st.In, st.Out, st.Failed, st.Dropped)
				require.Positive(t, st.In, "the stage took items")
			})
		})
	}
}
