package fanout_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/pool"
	"github.com/tandem-go/tandem/ratelimit"
)

// backend is a fake service: it counts the calls in flight at once (an
// atomic high-water mark) and every call made.
type backend struct {
	inFlight
	calls atomic.Int64
}

// call returns a fanout call that takes d (on the synctest clock) and
// returns its input.
func (b *backend) call(d time.Duration) func(context.Context, int) (int, error) {
	return func(ctx context.Context, x int) (int, error) {
		b.enter()
		defer b.leave()
		b.calls.Add(1)
		select {
		case <-time.After(d):
			return x, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// checkPoolAddsUp checks the pool's invariant and that nothing is left in
// it once every fan-out on it has returned and the pool is closed.
func checkPoolAddsUp(t *testing.T, s pool.Stats) {
	t.Helper()
	sum := s.Queued + s.Running + s.Succeeded + s.Failed + s.Canceled + s.Panicked + s.NotStarted
	assert.Equal(t, s.Submitted, sum, "Submitted vs its parts in %+v", s)
	assert.Zero(t, s.Queued+s.Running+s.Goroutines, "left in the pool: %+v", s)
}

// The scenario: 20 requests at once, each fanning out at
// Workers(10). On their own workers they put 200 calls in flight at the
// backend; on one pool of 10 they never have more than 10, and use all 10.
// Every call is one task of the pool, and every input succeeds.
func TestTwentyFanOutsOnAPoolOfTenNeverHaveMoreThanTenCallsInFlight(t *testing.T) {
	for _, onPool := range []bool{false, true} {
		t.Run(fmt.Sprint("OnPool=", onPool), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := pool.New(10)
				var b backend
				opts := []fanout.Option{fanout.Workers(10)}
				if onPool {
					opts = append(opts, fanout.OnPool(p))
				}
				var wg sync.WaitGroup
				for range 20 {
					wg.Go(func() {
						var st fanout.Stats
						results, err := fanout.Map(t.Context(), make([]int, 30), b.call(10*time.Millisecond), append(opts, fanout.StatsTo(&st))...)
						assert.NoError(t, err)
						assert.Len(t, results, 30)
						assert.Equal(t, fanout.Stats{Inputs: 30, Succeeded: 30, Attempts: 30}, st)
					})
				}
				wg.Wait()
				p.Close()
				if !onPool {
					assert.Equal(t, 200, b.peak(), "calls in flight, each fan-out on its own workers")
					return
				}
				assert.Equal(t, 10, b.peak(), "calls in flight on a pool of 10")
				s := p.Stats()
				checkPoolAddsUp(t, s)
				assert.Equal(t, pool.Stats{Workers: 10, Submitted: 600, Succeeded: 600}, s)
			})
		})
	}
}

// The scenario again, with every kind of fan-out: paced by one
// shared limiter, retried after RetryAfter hints or a backoff, timed out
// and retried, racing for a first success or a quorum, streamed and left
// early. The pool's bound holds whatever the fan-outs do, and its Stats
// count exactly the calls the backend saw.
func TestTwentyFanOutsOnAPoolOfTenStayWithinItWhateverTheirOptions(t *testing.T) {
	busy := errors.New("busy")
	for _, variant := range []string{"Pace", "RetryAfter", "Backoff", "Timeout", "FirstSuccess", "Quorum", "StreamBreak"} {
		t.Run(variant, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := pool.New(10)
				var b backend
				quick, slow := b.call(10*time.Millisecond), b.call(time.Second)
				var tried sync.Map
				call := func(ctx context.Context, x int) (int, error) {
					first := false
					if _, loaded := tried.LoadOrStore(x, true); !loaded {
						first = true
					}
					switch {
					case variant == "Timeout" && first && x%3 == 0:
						return slow(ctx, x) // runs out of its Timeout, then is retried
					case variant == "FirstSuccess" && x%2 == 0:
						return slow(ctx, x)
					}
					v, err := quick(ctx, x)
					switch {
					case err != nil:
						return 0, err
					case variant == "RetryAfter" && first && x%4 == 0:
						return 0, fanout.RetryAfter(busy, 50*time.Millisecond)
					case variant == "Backoff" && first && x%2 == 0:
						return 0, busy
					}
					return v, nil
				}
				limiter := ratelimit.New(500, 10)
				opts := []fanout.Option{fanout.Workers(10), fanout.OnPool(p), fanout.Attempts(2), fanout.Backoff(time.Millisecond, 20*time.Millisecond)}
				switch variant {
				case "Pace":
					opts = append(opts, fanout.Pace(limiter))
				case "Timeout":
					opts = append(opts, fanout.Timeout(50*time.Millisecond))
				case "FirstSuccess":
					opts = append(opts, fanout.FirstSuccess(5*time.Millisecond))
				case "Quorum":
					opts = append(opts, fanout.Quorum(12))
				}
				var wg sync.WaitGroup
				for r := range 20 {
					inputs := make([]int, 30)
					for i := range inputs {
						inputs[i] = 100*r + i // distinct across requests, for tried
					}
					wg.Go(func() {
						if variant == "StreamBreak" {
							n := 0
							for range fanout.Stream(t.Context(), slices.Values(inputs), call, opts...) {
								if n++; n == 7 {
									break
								}
							}
							return
						}
						_, err := fanout.Map(t.Context(), inputs, call, opts...)
						assert.NoError(t, err)
					})
				}
				wg.Wait()
				synctest.Wait()
				p.Close()
				assert.LessOrEqual(t, b.peak(), 10, "calls in flight on a pool of 10")
				s := p.Stats()
				checkPoolAddsUp(t, s)
				assert.Equal(t, int(b.calls.Load()), s.Succeeded+s.Failed+s.Canceled+s.Panicked, "calls the backend saw vs the pool's: %+v", s)
				t.Logf("%d calls, peak %d: %+v", b.calls.Load(), b.peak(), s)
			})
		})
	}
}

// Every mix of the pool's bound, the fan-outs' Workers and their number:
// the calls in flight never exceed the pool's bound, nor one fan-out's
// its Workers, and they reach the smaller of the bound and the demand.
func TestFanOutsOnAPoolStayWithinBothBounds(t *testing.T) {
	for _, bound := range []int{1, 3, 10} {
		for _, workers := range []int{1, 4, 16} {
			for _, fanOuts := range []int{1, 5} {
				t.Run(fmt.Sprintf("pool=%d/workers=%d/fanouts=%d", bound, workers, fanOuts), func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						p := pool.New(bound, pool.QueueSize(1))
						var all backend
						var wg sync.WaitGroup
						for range fanOuts {
							wg.Go(func() {
								var mine inFlight
								call := all.call(time.Millisecond)
								_, err := fanout.Map(t.Context(), make([]int, 20), func(ctx context.Context, x int) (int, error) {
									mine.enter()
									defer mine.leave()
									return call(ctx, x)
								}, fanout.Workers(workers), fanout.OnPool(p))
								assert.NoError(t, err)
								assert.LessOrEqual(t, mine.peak(), workers, "one fan-out's calls in flight")
							})
						}
						wg.Wait()
						p.Close()
						assert.Equal(t, min(bound, workers*fanOuts), all.peak(), "calls in flight")
						assert.Equal(t, 20*fanOuts, p.Stats().Succeeded)
					})
				})
			}
		}
	}
}

// An input waits for its token without a worker of the pool: a fan-out
// held back by a slow rate leaves the pool to the others. Were the slot
// taken before the token, the slow fan-out's ten inputs would hold both
// workers for seconds and the other would wait for them.
func TestAPacedFanOutHoldsNoWorkerOfThePoolWhileItWaitsForItsRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2)
		var b backend
		slow := ratelimit.New(1, 1) // one call a second
		pacedDone := make(chan struct{})
		go func() {
			defer close(pacedDone)
			_, err := fanout.Map(t.Context(), make([]int, 10), b.call(time.Millisecond), fanout.Workers(10), fanout.Pace(slow), fanout.OnPool(p))
			assert.NoError(t, err)
		}()
		time.Sleep(time.Millisecond / 2) // the paced fan-out has its first call on the pool
		start := time.Now()
		_, err := fanout.Map(t.Context(), make([]int, 10), b.call(10*time.Millisecond), fanout.Workers(10), fanout.OnPool(p))
		require.NoError(t, err)
		assert.Less(t, time.Since(start), 100*time.Millisecond, "the unpaced fan-out waited for the paced one's rate")
		synctest.Wait()
		assert.Zero(t, p.Stats().Running, "a worker held by the fan-out waiting for its rate")
		<-pacedDone
		p.Close()
		assert.LessOrEqual(t, b.peak(), 2)
		checkPoolAddsUp(t, p.Stats())
	})
}

// Retries on a pool: an attempt gives its worker back when its call
// returns, and waits out the RetryAfter hint and the backoff holding none.
// Each attempt is one task of the pool.
func TestRetriesOnAPoolWaitHoldingNoWorkerAndEachAttemptIsATask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2)
		var b backend
		var tries sync.Map // input -> attempts so far
		busy := errors.New("busy")
		call := b.call(time.Millisecond)
		results, err := fanout.Map(t.Context(), []int{0, 1, 2, 3, 4, 5}, func(ctx context.Context, x int) (int, error) {
			n, _ := tries.LoadOrStore(x, new(atomic.Int64))
			v, err := call(ctx, x)
			switch k := n.(*atomic.Int64).Add(1); {
			case err != nil:
				return 0, err
			case k == 1 && x%2 == 0:
				return 0, fanout.RetryAfter(busy, time.Second)
			case k < 3 && x%2 == 1:
				return 0, busy // jittered backoff
			}
			return v, nil
		}, fanout.Workers(6), fanout.Attempts(3), fanout.Backoff(100*time.Millisecond, 100*time.Millisecond), fanout.OnPool(p))
		require.NoError(t, err)
		for i, res := range results {
			assert.Equal(t, fanout.Succeeded, res.Status, "input %d", i)
		}
		p.Close()
		assert.LessOrEqual(t, b.peak(), 2)
		assert.Equal(t, pool.Stats{Workers: 2, Submitted: 15, Succeeded: 6, Failed: 9}, p.Stats(),
			"3 inputs × 2 attempts + 3 × 3, each attempt a task: a failed attempt is the call's own failure")
	})
}

// While the inputs wait on a RetryAfter gate or a backoff, the pool runs
// nothing of theirs.
func TestARetryAfterHintHoldsTheFanOutsInputsButNoWorkerOfThePool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(4)
		var first atomic.Bool
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, err := fanout.Map(t.Context(), make([]int, 8), func(ctx context.Context, x int) (int, error) {
				if !first.Swap(true) {
					return 0, fanout.RetryAfter(errors.New("slow down"), time.Minute)
				}
				return x, nil
			}, fanout.Workers(8), fanout.Attempts(2), fanout.OnPool(p))
			assert.NoError(t, err)
		}()
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Zero(t, p.Stats().Running, "a worker held through the hint")
		<-done
		p.Close()
		assert.Equal(t, 9, p.Stats().Submitted)
	})
}

// Hedged on a pool: the hedge starts when the first replica is slow, the
// winner's value comes back, the loser's call is canceled on its worker
// (Canceled in the pool's Stats too), and a replica that never got a
// worker never ran.
func TestFirstSuccessOnAPoolHedgesAndCancelsTheLosersCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2)
		var b backend
		slow, fast := b.call(time.Hour), b.call(10*time.Millisecond)
		start := time.Now()
		v, err := fanout.First(t.Context(), []int{1, 2, 3}, func(ctx context.Context, x int) (int, error) {
			if x == 1 {
				return slow(ctx, x)
			}
			return fast(ctx, x)
		}, 50*time.Millisecond, fanout.OnPool(p))
		require.NoError(t, err)
		assert.Equal(t, 2, v)
		assert.Equal(t, 60*time.Millisecond, time.Since(start))
		p.Close()
		assert.Equal(t, pool.Stats{Workers: 2, Submitted: 2, Succeeded: 1, Canceled: 1}, p.Stats())
	})
}

// A Stream on a pool, left early: the calls in flight are canceled, those
// waiting for a worker never start, and once the loop statement returns
// nothing of the fan-out runs on the pool.
func TestAStreamOnAPoolLeftEarlyLeavesNothingRunningOnIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(3)
		var b backend
		var st fanout.Stats
		seen := 0
		for _, res := range fanout.Stream(t.Context(), slices.Values(make([]int, 100)), b.call(time.Millisecond),
			fanout.Workers(8), fanout.OnPool(p), fanout.StatsTo(&st)) {
			assert.Equal(t, fanout.Succeeded, res.Status)
			if seen++; seen == 5 {
				break
			}
		}
		assert.Zero(t, b.now.Load(), "calls still in flight after the loop")
		synctest.Wait()
		s := p.Stats()
		assert.Zero(t, s.Running, "%+v", s)
		assert.LessOrEqual(t, b.peak(), 3)
		assert.Equal(t, st.Attempts, s.Succeeded+s.Failed+s.Canceled+s.Panicked, "calls made: fan-out %+v, pool %+v", st, s)
		assert.Equal(t, st.Inputs, st.Succeeded+st.Failed+st.Canceled+st.NotStarted)
		p.Close()
		checkPoolAddsUp(t, p.Stats())
	})
}

// A fan-out called from a task of its own pool, with the task's ctx, while
// every worker of the pool is such a task: the calls cannot wait for a
// worker, since all of them wait for calls. The fan-outs lend their
// callers' workers to their calls, so all complete within the pool's
// bound, also two levels deep (a call that fans out again), for Map,
// hedged Map (the stream path) and Stream.
//
// With closeEarly, the pool is closed while the tasks fan out: as a task
// may still submit while its pool drains, so may its fan-out, whose calls
// then run on the caller's worker.
func TestAFanOutInsideATaskOfItsOwnPoolNeverDeadlocks(t *testing.T) {
	for _, bound := range []int{1, 2, 4} {
		for _, via := range []string{"Map", "FirstSuccess", "Stream"} {
			for _, closeEarly := range []bool{false, true} {
				t.Run(fmt.Sprintf("pool=%d/%s/closeEarly=%v", bound, via, closeEarly), func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						p := pool.New(bound, pool.QueueSize(bound))
						var b backend
						leaf := b.call(time.Millisecond)
						var fanOut func(ctx context.Context, depth int) error
						call := func(ctx context.Context, depth int) (int, error) {
							if depth == 0 {
								return leaf(ctx, 1)
							}
							return 1, fanOut(ctx, depth-1)
						}
						fanOut = func(ctx context.Context, depth int) error {
							inputs := slices.Repeat([]int{depth}, 5)
							opts := []fanout.Option{fanout.Workers(3), fanout.OnPool(p)}
							switch via {
							case "Map":
								_, err := fanout.Map(ctx, inputs, call, opts...)
								return err
							case "FirstSuccess":
								// a quorum of all: every input runs, one at a time
								_, err := fanout.Map(ctx, inputs, call, append(opts, fanout.FirstSuccess(time.Millisecond), fanout.Quorum(5))...)
								return err
							default:
								for _, res := range fanout.Stream(ctx, slices.Values(inputs), call, opts...) {
									if res.Err != nil {
										return res.Err
									}
								}
								return nil
							}
						}
						var failed atomic.Int64
						var tasks sync.WaitGroup
						for range 2 * bound { // every worker, and the queue
							tasks.Add(1)
							require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
								defer tasks.Done()
								if err := fanOut(ctx, 1); err != nil {
									failed.Add(1)
									t.Errorf("a fan-out failed: %v", err)
								}
								return nil
							}))
						}
						if !closeEarly {
							tasks.Wait() // a deadlock here is the bug; synctest reports it
						}
						p.Close()
						assert.Zero(t, failed.Load())
						assert.Equal(t, int64(2*bound*5*5), b.calls.Load(), "leaf calls")
						assert.LessOrEqual(t, b.peak(), bound, "calls in flight")
						s := p.Stats()
						checkPoolAddsUp(t, s)
						assert.Zero(t, s.Failed+s.Canceled+s.Panicked+s.NotStarted, "%+v", s)
					})
				})
			}
		}
	}
}

// A fan-out inside a task whose pool has free workers takes them: its
// calls run at once, not one at a time on the caller's worker.
func TestAFanOutInsideATaskTakesThePoolsFreeWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(5)
		var b backend
		done := make(chan struct{})
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			defer close(done)
			_, err := fanout.Map(ctx, make([]int, 8), b.call(time.Millisecond), fanout.Workers(8), fanout.OnPool(p))
			return err
		}))
		<-done // Close would refuse the fan-out's own goroutines (see below)
		p.Close()
		assert.Equal(t, 5, b.peak(), "4 free workers and the caller's")
		s := p.Stats()
		checkPoolAddsUp(t, s)
		assert.Equal(t, s.Succeeded-1+s.Rejected, 8, "each call a task of its own or run on the caller's worker: %+v", s)
	})
}

// A call run on the caller's worker that panics: Map raises it in the
// task, with the call's stack; one that calls runtime.Goexit ends the
// task's goroutine, and the fan-out's goroutines exit first.
func TestALentCallsPanicAndGoexitReachTheTaskThatMadeTheFanOut(t *testing.T) {
	t.Run("panic", func(t *testing.T) {
		p := pool.New(1)
		var raised any
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			defer func() { raised = recover() }()
			_, _ = fanout.Map(ctx, []int{1}, func(context.Context, int) (int, error) { panicInACall(); return 0, nil }, fanout.OnPool(p))
			return nil
		}))
		p.Close()
		pe, ok := raised.(*tandem.PanicError)
		require.True(t, ok, "raised %T (%v)", raised, raised)
		assert.Equal(t, "a call panicked", pe.Value, "the panic is the call's, not wrapped")
		assert.Contains(t, pe.Stack, "panicInACall")
	})
	for _, via := range []string{"Map", "Stream"} {
		t.Run("Goexit/"+via, func(t *testing.T) {
			p := pool.New(1)
			after := false
			call := func(_ context.Context, x int) (int, error) {
				if x == 2 {
					runtime.Goexit()
				}
				return x, nil
			}
			require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
				opts := []fanout.Option{fanout.Workers(1), fanout.OnPool(p)}
				if via == "Map" {
					_, _ = fanout.Map(ctx, []int{1, 2, 3}, call, opts...)
				} else {
					for range fanout.Stream(ctx, slices.Values([]int{1, 2, 3}), call, opts...) {
					}
				}
				after = true
				return nil
			}))
			p.Close() // a fan-out goroutine left behind fails goleak
			assert.False(t, after, "the task went on after a Goexit on its goroutine")
			assert.Equal(t, 1, p.Stats().Failed, "the task, ended by Goexit")
		})
	}
}

// p's Timeout bounds a call on p as it bounds any task: the call fails
// with the deadline's error, p's limit, not the fan-out's ErrCallTimeout,
// and is not retried by default.
func TestThePoolsTimeoutBoundsACallAsThePoolsOwnLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.Timeout(100*time.Millisecond))
		defer p.Close()
		var b backend
		results, err := fanout.Map(t.Context(), []int{1}, b.call(time.Second), fanout.Attempts(3), fanout.OnPool(p))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, fanout.ErrCallTimeout)
		assert.Equal(t, fanout.Failed, results[0].Status)
		assert.Equal(t, 1, results[0].Attempts)
		assert.Equal(t, 100*time.Millisecond, results[0].Duration)
	})
}

func panicInACall() { panic("a call panicked") }

// On the pool's workers, a call's panic is raised by Map with the call's
// stack, once; a call's Goexit fails its input with tandem.ErrGoexit and
// is never retried, and the fan-out goes on.
func TestACallsPanicAndGoexitOnThePoolsWorkers(t *testing.T) {
	t.Run("panic", func(t *testing.T) {
		p := pool.New(2, pool.OnPanic(func(*tandem.PanicError) { t.Error("the pool's handler saw the call's panic") }))
		defer p.Close()
		var st fanout.Stats
		raised := func() (v any) {
			defer func() { v = recover() }()
			_, _ = fanout.Map(t.Context(), []int{1, 2}, func(_ context.Context, x int) (int, error) {
				if x == 1 {
					panicInACall()
				}
				return x, nil
			}, fanout.OnPool(p), fanout.StatsTo(&st))
			return nil
		}()
		pe, ok := raised.(*tandem.PanicError)
		require.True(t, ok, "raised %T (%v)", raised, raised)
		assert.Equal(t, "a call panicked", pe.Value, "the panic is the call's, not wrapped")
		assert.Contains(t, pe.Stack, "panicInACall")
		assert.Empty(t, pe.Others)
		assert.Equal(t, 1, st.Failed)
		assert.Equal(t, 1, p.Stats().Panicked)
	})
	t.Run("Goexit", func(t *testing.T) {
		p := pool.New(2)
		var st fanout.Stats
		results, err := fanout.Map(t.Context(), []int{1, 2, 3}, func(_ context.Context, x int) (int, error) {
			if x == 2 {
				runtime.Goexit()
			}
			return x, nil
		}, fanout.Attempts(3), fanout.OnPool(p), fanout.StatsTo(&st))
		assert.ErrorIs(t, err, tandem.ErrGoexit)
		assert.Equal(t, fanout.Failed, results[1].Status)
		assert.ErrorIs(t, results[1].Err, tandem.ErrGoexit)
		assert.Equal(t, 1, results[1].Attempts, "a Goexit is not retried")
		assert.Equal(t, fanout.Stats{Inputs: 3, Succeeded: 2, Failed: 1, Attempts: 3}, st)
		p.Close()
		assert.Equal(t, pool.Stats{Workers: 2, Submitted: 3, Succeeded: 2, Failed: 1}, p.Stats())
	})
}

// A pool closed mid-fan-out stops its starts, not its calls: the calls
// running finish with their own results, the inputs waiting for a worker
// and those not taken yet end NotStarted with pool.ErrClosed, an input
// between attempts ends Canceled, and Map's error says the pool closed.
func TestAPoolClosedMidFanOutStopsTheStartsAndLetsTheCallsFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2, pool.QueueSize(0))
		release := make(chan struct{})
		fail := errors.New("try again")
		var results []fanout.Result[int]
		var err error
		var st fanout.Stats
		done := make(chan struct{})
		go func() {
			defer close(done)
			results, err = fanout.Map(t.Context(), []int{0, 1, 2, 3, 4, 5, 6, 7}, func(ctx context.Context, x int) (int, error) {
				if x == 0 {
					return 0, fail // retried after a backoff: the pool closes meanwhile
				}
				<-release
				return x, ctx.Err()
			}, fanout.Workers(4), fanout.Attempts(2), fanout.Backoff(time.Second, time.Second), fanout.OnPool(p), fanout.StatsTo(&st))
		}()
		synctest.Wait() // input 0 waits to retry, two others run, a third waits for a worker
		closed := make(chan struct{})
		go func() { defer close(closed); p.Close() }()
		synctest.Wait()
		close(release)
		<-done
		<-closed
		require.ErrorIs(t, err, pool.ErrClosed)
		assert.NotErrorIs(t, err, context.Canceled)
		assert.Equal(t, fanout.Canceled, results[0].Status)
		assert.ErrorIs(t, results[0].Err, fail)
		assert.ErrorIs(t, results[0].Err, pool.ErrClosed)
		var refusal error
		succeeded := 0
		for i, res := range results[1:] {
			if res.Status == fanout.Succeeded {
				succeeded++ // running when the pool closed: not canceled
				continue
			}
			assert.Equal(t, fanout.NotStarted, res.Status, "input %d", i+1)
			assert.ErrorIs(t, res.Err, fanout.ErrNotStarted, "input %d", i+1)
			assert.ErrorIs(t, res.Err, pool.ErrClosed, "input %d", i+1)
			if refusal == nil {
				refusal = res.Err
			}
			assert.True(t, res.Err == refusal, "one error value for every input the closed pool refused")
		}
		assert.Equal(t, 2, succeeded)
		assert.Equal(t, fanout.Stats{Inputs: 8, Succeeded: 2, Canceled: 1, NotStarted: 5, Attempts: 3, Backoff: st.Backoff}, st)
		s := p.Stats()
		checkPoolAddsUp(t, s)
		assert.Equal(t, pool.Stats{Workers: 2, Submitted: 3, Succeeded: 2, Failed: 1, Rejected: 1}, s)
	})
}

// A Stream on a closed pool reads no further input: over a sequence that
// never ends, the loop still ends.
func TestAStreamOnAClosedPoolStopsReadingItsInputs(t *testing.T) {
	p := pool.New(2)
	p.Close()
	endless := func(yield func(int) bool) {
		for i := 0; yield(i); i++ {
		}
	}
	var st fanout.Stats
	n := 0
	for _, res := range fanout.Stream(t.Context(), iter.Seq[int](endless), double, fanout.Workers(4), fanout.OnPool(p), fanout.StatsTo(&st)) {
		assert.Equal(t, fanout.NotStarted, res.Status)
		assert.ErrorIs(t, res.Err, pool.ErrClosed)
		n++
	}
	assert.Equal(t, st.Inputs, n)
	assert.LessOrEqual(t, n, 2*4+1, "inputs read: at most Workers+1 ahead of the calls")
	rejected := p.Stats().Rejected
	assert.True(t, rejected >= 1 && rejected <= 4, "refusals of the closed pool: %d, want one at least and one per worker at most", rejected)
}

// A fan-out whose ctx ends while its inputs wait for a worker returns at
// once: they never start (NotStarted with the ctx's cause), also those
// the pool had queued, which its workers later drop.
func TestAFanOutWhoseCtxEndsWhileItWaitsForThePoolReturnsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1) // a queue of 1
		release := make(chan struct{})
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-release; return nil }))
		ctx, cancel := context.WithTimeoutCause(t.Context(), time.Second, errors.New("request over"))
		defer cancel()
		start := time.Now()
		var st fanout.Stats
		results, err := fanout.Map(ctx, make([]int, 5), func(context.Context, int) (int, error) { t.Error("a call ran"); return 0, nil },
			fanout.Workers(5), fanout.OnPool(p), fanout.StatsTo(&st))
		assert.Equal(t, time.Second, time.Since(start), "Map waited for the pool's worker")
		assert.EqualError(t, err, "request over")
		for i, res := range results {
			assert.Equal(t, fanout.NotStarted, res.Status, "input %d", i)
			assert.ErrorIs(t, res.Err, fanout.ErrNotStarted, "input %d", i)
		}
		assert.Equal(t, fanout.Stats{Inputs: 5, NotStarted: 5}, st)
		close(release)
		p.Close()
		s := p.Stats()
		checkPoolAddsUp(t, s)
		assert.Equal(t, pool.Stats{Workers: 1, Submitted: 2, Succeeded: 1, NotStarted: 1, Rejected: 4}, s,
			"one attempt was queued, the others waited for room")
	})
}

// The fan-out's Timeout runs from the call's start on a worker, not from
// when the input began to wait for one.
func TestTimeoutOnAPoolStartsWithTheCallNotWithTheWaitForAWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(0))
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { time.Sleep(time.Second); return nil }))
		var b backend
		results, err := fanout.Map(t.Context(), []int{1}, b.call(100*time.Millisecond), fanout.Timeout(500*time.Millisecond), fanout.OnPool(p))
		require.NoError(t, err)
		assert.Equal(t, fanout.Succeeded, results[0].Status)
		assert.Equal(t, 1100*time.Millisecond, results[0].Duration, "the wait for the worker is the input's")
		p.Close()
	})
}

// A call on the pool runs as a task of it: one that submits into the pool
// with its ctx runs its task inline on a full pool rather than wait for a
// worker held by its own fan-out.
func TestACallOnThePoolMaySubmitIntoItAsATaskMay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2, pool.QueueSize(0))
		results, err := fanout.Map(t.Context(), make([]int, 4), func(ctx context.Context, _ int) (int, error) {
			inner := 0
			err := p.Call(ctx, func(context.Context) error { inner = 7; time.Sleep(time.Millisecond); return nil })
			return inner, err
		}, fanout.Workers(4), fanout.OnPool(p))
		require.NoError(t, err)
		for _, res := range results {
			assert.Equal(t, 7, res.Value)
		}
		p.Close()
		assert.Equal(t, pool.Stats{Workers: 2, Submitted: 8, Succeeded: 8}, p.Stats())
	})
}

// Many fan-outs at once on one pool, with calls that succeed, fail (and
// are retried), panic, run Goexit, time out or cancel their request, and
// one run closing the pool midway: the pool's Stats account for every
// call the fan-outs made, each outcome equal to what the calls themselves
// saw, and the fan-outs' own Stats agree.
func TestAPoolsStatsAddUpAgainstTheCallsOfManyFanOuts(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 7))
				p := pool.New(1+rng.IntN(6), pool.QueueSize(rng.IntN(4)))
				var started, succeeded, errored, panicked, goexited atomic.Int64
				var attempts atomic.Int64
				var wg sync.WaitGroup
				for range 20 {
					plan := make([]int, 1+rng.IntN(30)) // what each input's calls do
					for i := range plan {
						plan[i] = rng.IntN(100)
					}
					opts := []fanout.Option{fanout.Workers(1 + rng.IntN(8)), fanout.OnPool(p), fanout.Attempts(1 + rng.IntN(3)),
						fanout.Backoff(time.Millisecond, 10*time.Millisecond), fanout.Timeout(50 * time.Millisecond)}
					if rng.IntN(3) == 0 {
						opts = append(opts, fanout.FailFast())
					}
					wg.Go(func() {
						ctx, cancel := context.WithCancel(t.Context())
						defer cancel()
						var st fanout.Stats
						defer func() {
							if v := recover(); v != nil {
								_, ok := v.(*tandem.PanicError)
								assert.True(t, ok, "Map raised %T (%v)", v, v)
							}
							attempts.Add(int64(st.Attempts))
							assert.Equal(t, st.Inputs, st.Succeeded+st.Failed+st.Canceled+st.NotStarted, "%+v", st)
						}()
						_, _ = fanout.Map(ctx, plan, func(ctx context.Context, kind int) (int, error) {
							started.Add(1)
							time.Sleep(time.Millisecond)
							switch {
							case kind < 15:
								errored.Add(1)
								return 0, errors.New("failed")
							case kind < 17:
								panicked.Add(1)
								panic("a call panicked")
							case kind < 20:
								goexited.Add(1)
								runtime.Goexit()
							case kind < 21:
								cancel()
							case kind < 25:
								<-ctx.Done() // runs out of its Timeout, or the request ends
								errored.Add(1)
								return 0, ctx.Err()
							}
							if ctx.Err() != nil {
								errored.Add(1)
								return 0, ctx.Err()
							}
							succeeded.Add(1)
							return kind, nil
						}, append(opts, fanout.StatsTo(&st))...)
					})
				}
				if seed == 2 {
					time.Sleep(20 * time.Millisecond)
					p.Close()
				}
				wg.Wait()
				p.Close()
				s := p.Stats()
				checkPoolAddsUp(t, s)
				assert.Equal(t, int(started.Load()), s.Succeeded+s.Failed+s.Canceled+s.Panicked, "calls that ran: %+v", s)
				assert.Equal(t, int(attempts.Load()), int(started.Load()), "the fan-outs' Attempts vs the calls that ran")
				assert.Equal(t, int(succeeded.Load()), s.Succeeded, "%+v", s)
				assert.Equal(t, int(panicked.Load()), s.Panicked, "%+v", s)
				assert.Equal(t, int(errored.Load()+goexited.Load()), s.Failed+s.Canceled, "%+v", s)
				t.Logf("%d calls: %+v", started.Load(), s)
			})
		})
	}
}
