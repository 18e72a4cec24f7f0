package pipeline_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/pipeline"
)

type timedBatch struct {
	at    time.Duration
	items []int
}

// batchesOf feeds items at the given times (since the start) into a Batch
// and records when each batch comes out.
func batchesOf(t *testing.T, size int, maxWait time.Duration, at []time.Duration) []timedBatch {
	t.Helper()
	var got []timedBatch
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		p := pipeline.New()
		src := pipeline.Generate(p, func(ctx context.Context, emit func(int) bool) error {
			for i, d := range at {
				time.Sleep(d - time.Since(start))
				if !emit(i) {
					return nil
				}
			}
			return nil
		})
		b := pipeline.Batch(src, size, maxWait)
		pipeline.Sink(b, func(_ context.Context, items []int) error {
			got = append(got, timedBatch{time.Since(start), items})
			return nil
		})
		require.NoError(t, p.Run(context.Background()))
	})
	return got
}

func TestBatchPassesAFullBatchAtOnce(t *testing.T) {
	got := batchesOf(t, 3, time.Second, []time.Duration{0, 10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond})
	require.Equal(t, []timedBatch{
		{20 * time.Millisecond, []int{0, 1, 2}},
		{30 * time.Millisecond, []int{3}}, // the end of the input passes the partial batch
	}, got)
}

func TestBatchMaxWaitCountsFromTheFirstItemNotTheLast(t *testing.T) {
	// An item every 40ms and maxWait 100ms: a timer reset by each item would
	// never fire; the batch must leave 100ms after its first item.
	var at []time.Duration
	for i := range 10 {
		at = append(at, time.Duration(i)*40*time.Millisecond)
	}
	got := batchesOf(t, 100, 100*time.Millisecond, at)
	require.Equal(t, []timedBatch{
		{100 * time.Millisecond, []int{0, 1, 2}}, // first item at 0
		{220 * time.Millisecond, []int{3, 4, 5}}, // first item at 120
		{340 * time.Millisecond, []int{6, 7, 8}}, // first item at 240
		{360 * time.Millisecond, []int{9}},       // input ended
	}, got)
}

func TestBatchWithoutMaxWaitWaitsForSizeOrTheEnd(t *testing.T) {
	got := batchesOf(t, 2, 0, []time.Duration{0, time.Hour, 2 * time.Hour})
	require.Equal(t, []timedBatch{
		{time.Hour, []int{0, 1}},
		{2 * time.Hour, []int{2}},
	}, got)
}

// countingWaiter is a fake ratelimit.Waiter that lets one event through
// every interval.
type countingWaiter struct {
	interval time.Duration
	calls    atomic.Int64
}

func (w *countingWaiter) WaitN(ctx context.Context, n int) error {
	w.calls.Add(int64(n))
	select {
	case <-time.After(w.interval):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestPacePacesEachItemAndShowsInStats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &countingWaiter{interval: 10 * time.Millisecond}
		p := pipeline.New()
		src := pipeline.FromSlice(p, numbers(20))
		m := pipeline.Map(src, square, pipeline.Pace(w), pipeline.Workers(4), pipeline.Name("paced"))
		start := time.Now()
		got, err := pipeline.RunCollect(context.Background(), m)
		require.NoError(t, err)
		assert.Len(t, got, 20)
		assert.EqualValues(t, 20, w.calls.Load(), "WaitN calls")
		// Four workers each wait 10ms per item: 5 rounds.
		assert.Equal(t, 50*time.Millisecond, time.Since(start))
		st := p.Stats()
		bn, ok := st.Bottleneck()
		require.True(t, ok)
		assert.Equal(t, "paced", bn.Name, "bottleneck of\n%v", st)
		assert.Equal(t, 200*time.Millisecond, bn.Paced, "4 workers x 5 waits x 10ms")
	})
}

func TestTimeoutCancelsEachSlowItem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pipeline.New()
		src := pipeline.FromSlice(p, []int{1, 500, 2})
		var late []int
		m := pipeline.Map(src, func(ctx context.Context, v int) (int, error) {
			select {
			case <-time.After(time.Duration(v) * time.Millisecond):
				return v, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}, pipeline.Timeout(100*time.Millisecond), pipeline.OnError(func(_ context.Context, v int, err error) error {
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			late = append(late, v)
			return nil
		}))
		got, err := pipeline.RunCollect(context.Background(), m)
		require.NoError(t, err)
		assert.Equal(t, []int{1, 2}, got)
		assert.Equal(t, []int{500}, late)
	})
}

func TestStatsNameTheSlowStageAsTheBottleneck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sleepy := func(d time.Duration) func(context.Context, int) (int, error) {
			return func(_ context.Context, v int) (int, error) {
				time.Sleep(d)
				return v, nil
			}
		}
		p := pipeline.New()
		src := pipeline.FromSlice(p, numbers(100), pipeline.Name("read"))
		fast := pipeline.Map(src, sleepy(time.Millisecond), pipeline.Name("parse"), pipeline.Buffer(2))
		slow := pipeline.Map(fast, sleepy(10*time.Millisecond), pipeline.Name("enrich"))
		pipeline.Sink(slow, func(context.Context, int) error { return nil }, pipeline.Name("store"))
		snapshot := make(chan pipeline.Stats, 1)
		time.AfterFunc(500*time.Millisecond, func() { snapshot <- p.Stats() }) // while it runs
		require.NoError(t, p.Run(context.Background()))
		live := <-snapshot
		liveBn, ok := live.Bottleneck()
		require.True(t, ok)
		assert.Equal(t, "enrich", liveBn.Name, "live stats:\n%v", live)
		assert.Equal(t, 500*time.Millisecond, live.Elapsed)
		assert.InDelta(t, 50, live.Stages[2].In, 2, "enrich took about one item per 10ms: %+v", live.Stages[2])
		st := p.Stats()
		bn, ok := st.Bottleneck()
		require.True(t, ok)
		assert.Equal(t, "enrich", bn.Name, "stats:\n%v", st)
		assert.Equal(t, time.Second, bn.Busy, "100 items x 10ms")
		byName := map[string]pipeline.StageStats{}
		for _, s := range st.Stages {
			byName[s.Name] = s
		}
		assert.Greater(t, byName["parse"].WaitingOutput, byName["parse"].Busy, "parse waits for enrich")
		assert.Greater(t, byName["store"].WaitingInput, 900*time.Millisecond, "store waits for enrich")
		assert.EqualValues(t, 100, byName["store"].Out)
	})
}

func TestGracefulStopLetsEveryTakenItemReachTheSink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A queue that delivers a message every millisecond, forever.
		var received, stored atomic.Int64
		p := pipeline.New()
		src := pipeline.Generate(p, func(ctx context.Context, emit func(int) bool) error {
			for i := 0; ; i++ {
				select {
				case <-time.After(time.Millisecond):
				case <-ctx.Done():
					return ctx.Err()
				}
				received.Add(1)
				if !emit(i) {
					return nil
				}
			}
		})
		slow := pipeline.Map(src, func(_ context.Context, v int) (int, error) {
			time.Sleep(5 * time.Millisecond)
			return v, nil
		}, pipeline.Workers(2))
		pipeline.Sink(slow, func(context.Context, int) error { stored.Add(1); return nil })
		time.AfterFunc(100*time.Millisecond, func() { p.Stop(10 * time.Second) })
		require.NoError(t, p.Run(context.Background()))
		assert.Equal(t, received.Load(), stored.Load(), "every message taken must be stored")
		assert.Greater(t, stored.Load(), int64(30))
		st := p.Stats().Stages
		for _, s := range st {
			assert.Zero(t, s.Canceled+s.NotStarted+s.Failed, "stage %s: %+v", s.Name, s)
		}
	})
}

func TestGracefulStopBecomesAHardCancelAfterTheGracePeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sawCancel atomic.Bool
		p := pipeline.New()
		src := pipeline.FromSlice(p, numbers(100))
		stuck := pipeline.Map(src, func(ctx context.Context, v int) (int, error) {
			<-ctx.Done() // an item that never finishes by itself
			sawCancel.Store(true)
			return 0, ctx.Err()
		})
		pipeline.Sink(stuck, func(context.Context, int) error { return nil })
		start := time.Now()
		time.AfterFunc(time.Second, func() { p.Stop(5 * time.Second) })
		err := p.Run(context.Background())
		require.ErrorIs(t, err, pipeline.ErrStopTimeout)
		assert.True(t, sawCancel.Load(), "in-flight items must see the cancelled ctx")
		assert.Equal(t, 6*time.Second, time.Since(start))
	})
}

func TestStopBeforeRunTakesNoInput(t *testing.T) {
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(100))
	p.Stop(time.Second)
	got, err := pipeline.RunCollect(context.Background(), src)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestGenerateErrorAfterStopIsNotAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pipeline.New()
		src := pipeline.Generate(p, func(ctx context.Context, emit func(int) bool) error {
			<-ctx.Done()
			return errors.Join(errors.New("receive aborted"), ctx.Err())
		})
		pipeline.Sink(src, func(context.Context, int) error { return nil })
		time.AfterFunc(time.Second, func() { p.Stop(time.Second) })
		require.NoError(t, p.Run(context.Background()))
	})
}

func TestBroadcastHoldsBackEveryBranchOnceASlowBranchsBufferIsFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pipeline.New()
		src := pipeline.FromSlice(p, numbers(100), pipeline.Buffer(1))
		branches := pipeline.Broadcast(src, 2, pipeline.Buffer(4))
		var fast, slow atomic.Int64
		pipeline.Sink(branches[0], func(context.Context, int) error { fast.Add(1); return nil })
		pipeline.Sink(branches[1], func(context.Context, int) error {
			time.Sleep(time.Second)
			slow.Add(1)
			return nil
		})
		done := make(chan error)
		go func() { done <- p.Run(context.Background()) }()

		time.Sleep(10*time.Second + time.Millisecond)
		synctest.Wait()
		// The slow branch took 11 items (one each second, the 11th in
		// progress); the fast one is ahead by at most the slow branch's
		// buffer and hand-off slices, never by the whole input.
		assert.EqualValues(t, 10, slow.Load())
		assert.LessOrEqual(t, fast.Load(), slow.Load()+1+4+2*4+1, "fast branch ran too far ahead")
		assert.GreaterOrEqual(t, fast.Load(), slow.Load())
		st := p.Stats().Stages[1]
		assert.Greater(t, st.WaitingOutput, 9*time.Second, "the broadcast waits on the slow branch: %+v", st)
		require.NoError(t, <-done)
		assert.EqualValues(t, 100, fast.Load(), "nothing is dropped")
		assert.EqualValues(t, 100, slow.Load(), "nothing is dropped")
	})
}

func TestASlowStageHandsOverEachItemSoTheNextStageNeverIdlesWithWorkUpstream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// enrich takes 1s per item, store 1.5s: store is the bottleneck and
		// must start each item as soon as it is done with the previous one.
		start := time.Now()
		p := pipeline.New()
		src := pipeline.FromSlice(p, numbers(5))
		rich := pipeline.Map(src, func(_ context.Context, v int) (int, error) {
			time.Sleep(time.Second)
			return v, nil
		})
		var began []time.Duration
		pipeline.Sink(rich, func(context.Context, int) error {
			began = append(began, time.Since(start))
			time.Sleep(1500 * time.Millisecond)
			return nil
		})
		require.NoError(t, p.Run(context.Background()))
		ms := func(d float64) time.Duration { return time.Duration(d * float64(time.Second)) }
		assert.Equal(t, []time.Duration{ms(1), ms(2.5), ms(4), ms(5.5), ms(7)}, began)
		assert.Equal(t, ms(8.5), time.Since(start))
	})
}

func TestQuickItemsTravelInSlicesButNeverWaitForOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Items come in bursts of 3 with long pauses: each burst must reach
		// the sink at once, not when a slice of 128 is full.
		start := time.Now()
		p := pipeline.New()
		src := pipeline.Generate(p, func(ctx context.Context, emit func(int) bool) error {
			for burst := range 3 {
				time.Sleep(time.Second)
				for i := range 3 {
					emit(burst*3 + i)
				}
			}
			return nil
		})
		sq := pipeline.Map(src, square)
		var at []time.Duration
		pipeline.Sink(sq, func(context.Context, int) error {
			at = append(at, time.Since(start))
			return nil
		})
		require.NoError(t, p.Run(context.Background()))
		s := time.Second
		assert.Equal(t, []time.Duration{s, s, s, 2 * s, 2 * s, 2 * s, 3 * s, 3 * s, 3 * s}, at)
	})
}

func TestPaceOnASourcePacesTheIntake(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &countingWaiter{interval: 10 * time.Millisecond}
		p := pipeline.New()
		src := pipeline.FromSlice(p, numbers(5), pipeline.Pace(w))
		start := time.Now()
		got, err := pipeline.RunCollect(context.Background(), src)
		require.NoError(t, err)
		assert.Equal(t, numbers(5), got)
		assert.Equal(t, 50*time.Millisecond, time.Since(start))
		assert.EqualValues(t, 5, w.calls.Load())
	})
}

// blockingWaiter never lets an item through: each wait ends with its ctx.
type blockingWaiter struct{}

func (blockingWaiter) WaitN(ctx context.Context, _ int) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestAnItemWhoseWaitForPaceEndsWithTheRunNeverStarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		p := pipeline.New()
		called := 0
		m := pipeline.Map(pipeline.FromSlice(p, numbers(10)), func(_ context.Context, v int) (int, error) {
			called++
			return v, nil
		}, pipeline.Pace(blockingWaiter{}))
		pipeline.Sink(m, func(context.Context, int) error { return nil })
		require.ErrorIs(t, p.Run(ctx), context.DeadlineExceeded)
		st := p.Stats().Stages[1]
		assert.Zero(t, called)
		assert.Zero(t, st.In, "%+v", st)
		assert.EqualValues(t, 10, st.NotStarted, "%+v", st)
	})
}
