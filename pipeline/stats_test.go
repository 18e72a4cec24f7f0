package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
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
				require.Equal(t, st.In, st.Succeeded+st.Failed+st.Canceled, "In = Succeeded + Failed + Canceled: %+v", st)
				require.Equal(t, st.Out, st.Succeeded, "a Map hands on what succeeded: %+v", st)
				require.Positive(t, st.In, "the stage took items")
			})
		})
	}
}

// An ordered Filter whose skipped items (filtered out, or failed and skipped
// by OnError) wait in the window behind item 0 counts them as succeeded and
// failed, not again as canceled.
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
		require.Equal(t, st.In, st.Succeeded+st.Failed+st.Canceled, "In = Succeeded + Failed + Canceled: %+v", st)
		require.Equal(t, filtered.Load(), st.Succeeded-st.Out, "the items filtered out succeeded: %+v", st)
		require.Positive(t, st.Failed, "items failed and were skipped")
	})
}

var errSkipped = errors.New("skipped")

// countsAddUp asserts, for a pipeline source -> stage -> sink that
// returned, In = Succeeded + Failed + Canceled for each stage and that what
// one hands on is what the next took or never began.
func countsAddUp(t *testing.T, st []pipeline.StageStats, msg string) {
	t.Helper()
	for i, s := range st {
		assert.Equal(t, s.In, s.Succeeded+s.Failed+s.Canceled, "%s: stage %d: In = Succeeded + Failed + Canceled: %+v", msg, i, s)
		if i > 0 {
			assert.Equal(t, st[i-1].Out, s.In+s.NotStarted, "%s: stage %d: In + NotStarted = the feeder's Out: %+v / %+v", msg, i, st[i-1], s)
		}
	}
}

// The case: with one worker, a panic in the stage function unwound
// past the counting of the hand-off slice it was working through, and lost
// its other items (In=128 Out=4 Failed=0 Dropped=6); with several workers
// the item that panicked was lost. A Goexit did the same.
func TestStageCountsAddUpAfterAPanicOrAGoexitInTheStageFunction(t *testing.T) {
	for _, how := range []string{"panic", "goexit"} {
		for _, workers := range []int{1, 4} {
			for _, ordered := range []bool{false, true} {
				name := fmt.Sprintf("%s, %d workers, ordered=%v", how, workers, ordered)
				p := pipeline.New()
				src := pipeline.FromSlice(p, numbers(1000))
				m := pipeline.Map(src, func(_ context.Context, v int) (int, error) {
					if v == 10 {
						if how == "panic" {
							panic("stage failed")
						}
						runtime.Goexit()
					}
					return v, nil
				}, pipeline.Workers(workers), orderedIf(ordered))
				pipeline.Sink(m, func(context.Context, int) error { return nil })
				var err error
				func() {
					defer func() {
						if r := recover(); r != nil {
							pe, ok := r.(*tandem.PanicError)
							require.True(t, ok, "%s: panicked with %T", name, r)
							err = pe
						}
					}()
					err = p.Run(context.Background())
				}()
				if how == "panic" {
					var pe *tandem.PanicError
					require.ErrorAs(t, err, &pe, name)
				} else {
					require.ErrorIs(t, err, tandem.ErrGoexit, name)
				}
				st := p.Stats().Stages
				countsAddUp(t, st, name)
				assert.EqualValues(t, 1, st[1].Failed, "%s: the item that failed: %+v", name, st[1])
			}
		}
	}
}

// A panic in OnError, in a Pace waiter or in a sink fails the item in hand
// once; a panic in the body of a RunAll loop fails the item it received.
func TestAPanicOutsideTheStageFunctionCountsTheItemInHandOnce(t *testing.T) {
	panicky := &panickyWaiter{at: 5}
	cases := map[string]func(p *pipeline.Pipeline, s *pipeline.Stage[int]) func(){
		"OnError": func(p *pipeline.Pipeline, s *pipeline.Stage[int]) func() {
			m := pipeline.Map(s, func(_ context.Context, v int) (int, error) {
				if v == 5 {
					return 0, errSkipped
				}
				return v, nil
			}, pipeline.OnError(func(context.Context, int, error) error { panic("OnError failed") }))
			pipeline.Sink(m, func(context.Context, int) error { return nil })
			return func() { _ = p.Run(context.Background()) }
		},
		"Pace": func(p *pipeline.Pipeline, s *pipeline.Stage[int]) func() {
			m := pipeline.Map(s, square, pipeline.Pace(panicky), pipeline.Workers(2))
			pipeline.Sink(m, func(context.Context, int) error { return nil })
			return func() { _ = p.Run(context.Background()) }
		},
		"Sink": func(p *pipeline.Pipeline, s *pipeline.Stage[int]) func() {
			pipeline.Sink(s, func(_ context.Context, v int) error {
				if v == 5 {
					panic("sink failed")
				}
				return nil
			})
			return func() { _ = p.Run(context.Background()) }
		},
		"RunAll body": func(p *pipeline.Pipeline, s *pipeline.Stage[int]) func() {
			m := pipeline.Map(s, square)
			return func() {
				for v := range pipeline.RunAll(context.Background(), m) {
					if v == 25 {
						panic("loop body failed")
					}
				}
			}
		},
	}
	for name, declare := range cases {
		panicky.calls.Store(0)
		p := pipeline.New()
		run := declare(p, pipeline.FromSlice(p, numbers(500)))
		assert.Panics(t, run, name)
		st := p.Stats().Stages
		countsAddUp(t, st, name)
		last := st[len(st)-1]
		if name == "Sink" || name == "RunAll body" {
			assert.EqualValues(t, 1, last.Failed, "%s: %+v", name, last)
		} else {
			assert.EqualValues(t, 1, st[1].Failed, "%s: %+v", name, st[1])
		}
	}
}

type panickyWaiter struct {
	at    int64
	calls atomic.Int64
}

func (w *panickyWaiter) WaitN(context.Context, int) error {
	if w.calls.Add(1) == w.at {
		panic("waiter failed")
	}
	return nil
}

// Each way to stop leaves counts that add up, for a Map with a Pace, a
// Timeout and OnError, whose in-flight items see the stop.
func TestStageCountsAddUpOnEveryStopPath(t *testing.T) {
	for _, how := range []string{"error", "cancel", "hard stop", "graceful stop", "break"} {
		for _, workers := range []int{1, 3} {
			synctest.Test(t, func(t *testing.T) {
				name := fmt.Sprintf("%s, %d workers", how, workers)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				p := pipeline.New()
				src := pipeline.FromSlice(p, numbers(2000))
				var calls atomic.Int64
				m := pipeline.Map(src, func(ctx context.Context, v int) (int, error) {
					if calls.Add(1) == 100 {
						switch how {
						case "error":
							return 0, errStop
						case "cancel":
							cancel()
						case "hard stop":
							p.Stop(0)
						case "graceful stop":
							p.Stop(time.Hour)
						}
					}
					time.Sleep(time.Millisecond)
					return v, ctx.Err()
				}, pipeline.Workers(workers), pipeline.Timeout(time.Hour), pipeline.Pace(&countingWaiter{interval: time.Microsecond}),
					pipeline.OnError(func(_ context.Context, _ int, err error) error { return err }))
				if how == "break" {
					for v := range pipeline.RunAll(ctx, m) {
						if v == 50 {
							break
						}
					}
				} else {
					pipeline.Sink(m, func(context.Context, int) error { return nil })
					_ = p.Run(ctx)
				}
				st := p.Stats().Stages
				countsAddUp(t, st, name)
				if how == "graceful stop" {
					for _, s := range st {
						assert.Zero(t, s.Canceled+s.NotStarted, "%s: a graceful stop cancels nothing: %+v", name, s)
					}
				}
			})
		}
	}
}

// A steady stream allocates nothing per item, counting included: the
// allocations of a run do not grow with its items.
func TestASteadyStreamAllocatesNothingPerItem(t *testing.T) {
	for _, opts := range [][]pipeline.Option{
		nil,
		{pipeline.Workers(3)},
		{pipeline.Workers(3), pipeline.Ordered()},
	} {
		run := func(n int) float64 {
			items := numbers(n)
			return testing.AllocsPerRun(3, func() {
				p := pipeline.New()
				m := pipeline.Map(pipeline.FromSlice(p, items), square)
				odd := pipeline.Filter(m, func(_ context.Context, v int) (bool, error) { return v%2 == 1, nil }, opts...)
				_, err := pipeline.RunReduce(context.Background(), odd, 0, func(_ context.Context, acc, v int) (int, error) { return acc + v, nil })
				assert.NoError(t, err)
			})
		}
		small, large := run(1_000), run(100_000)
		assert.Less(t, (large-small)/99_000, 0.001, "allocations per item with %d options: %v for 1e3 items, %v for 1e5", len(opts), small, large)
	}
}

func TestStatsStringShowsEveryCountOfEveryStage(t *testing.T) {
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(10), pipeline.Name("read"))
	odd := pipeline.Filter(src, func(_ context.Context, v int) (bool, error) { return v%2 == 1, nil }, pipeline.Name("odd"))
	pipeline.Sink(odd, func(context.Context, int) error { return nil }, pipeline.Name("store"))
	require.NoError(t, p.Run(context.Background()))
	lines := strings.Split(strings.TrimSpace(p.Stats().String()), "\n")
	require.Len(t, lines, 4, "a header and a line per stage")
	assert.Equal(t, []string{"stage", "wrk", "in", "out", "succeeded", "failed", "canceled", "notstarted",
		"load", "busy", "paced", "wait-in", "wait-out"}, strings.Fields(lines[0]))
	assert.Equal(t, []string{"odd", "1", "10", "5", "10", "0", "0", "0"}, strings.Fields(lines[2])[:8])
	assert.Equal(t, []string{"store", "1", "5", "5", "5", "0", "0", "0"}, strings.Fields(lines[3])[:8])
}
