package parallel

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
)

var errBoom = errors.New("boom")

func TestForReturnsTheFirstErrorAndStopsHandingOutChunks(t *testing.T) {
	const n = 100_000
	var ran atomic.Int64
	err := For(bg, n, func(ctx context.Context, lo, hi int) error {
		ran.Add(1)
		if lo >= 10 {
			return fmt.Errorf("chunk %d: %w", lo, errBoom)
		}
		return nil
	}, forced(4, Chunk(1), Workers(4))...)
	require.ErrorIs(t, err, errBoom)
	assert.Less(t, ran.Load(), int64(n/2), "chunks run after the first error")
}

func TestForStopsAloneAtTheFirstError(t *testing.T) {
	var ran int
	err := For(bg, 100, func(ctx context.Context, lo, hi int) error {
		ran++
		return errBoom
	}, Workers(1), Chunk(1))
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, 1, ran, "chunks run")
}

func TestBodiesSeeTheirContextCanceledAfterAFailure(t *testing.T) {
	err := For(bg, 2, func(ctx context.Context, lo, hi int) error {
		if lo == 0 {
			return errBoom
		}
		<-ctx.Done() // must not hang: the failure cancels it
		assert.ErrorIs(t, context.Cause(ctx), errBoom)
		return ctx.Err()
	}, forced(4, Workers(2))...)
	require.ErrorIs(t, err, errBoom)
}

func TestABodysContextKeptAfterTheCallEndsWithTheCall(t *testing.T) {
	// Inline, a body receives the caller's ctx itself; with helpers, a
	// derived one that must not outlive the call (a leaked child of the
	// caller's ctx would stay in its children until the caller's ends).
	parent, cancel := context.WithCancel(bg)
	defer cancel()
	for _, opts := range [][]Option{{Workers(1)}, forced(4, Workers(4))} {
		helpers := len(opts) > 1
		var mu sync.Mutex
		var kept []context.Context
		require.NoError(t, For(parent, 1000, func(ctx context.Context, lo, hi int) error {
			mu.Lock()
			kept = append(kept, ctx)
			mu.Unlock()
			return nil
		}, opts...))
		derived := 0
		for _, ctx := range kept {
			if ctx != parent {
				derived++
				assert.ErrorIs(t, ctx.Err(), context.Canceled, "opts %v: a derived ctx kept after For returned", opts)
			}
		}
		assert.Equal(t, helpers, derived > 0, "opts %v: bodies that got a derived ctx: %d of %d", opts, derived, len(kept))
	}
	require.NoError(t, parent.Err(), "the caller's ctx is the caller's")
}

// runs is each function of the package run over in with an entry hook per
// body call (per chunk for For and Reduce, per element for Map), so that a
// test can hold every form to the same contract.
var runs = map[string]func(ctx context.Context, in []int, enter func(lo, hi int), opts ...Option) error{
	"For": func(ctx context.Context, in []int, enter func(lo, hi int), opts ...Option) error {
		return For(ctx, len(in), loop(enter), opts...)
	},
	"Map": func(ctx context.Context, in []int, enter func(lo, hi int), opts ...Option) error {
		out, err := Map(ctx, in, func(v int) int { enter(v, v+1); return v }, opts...)
		if err != nil && out != nil {
			return fmt.Errorf("a partial result of %d items with %w", len(out), err)
		}
		return err
	},
	"Reduce": func(ctx context.Context, in []int, enter func(lo, hi int), opts ...Option) error {
		sum, err := Reduce(ctx, in, func() int { return 0 }, func(_ context.Context, acc int, chunk []int) (int, error) {
			enter(chunk[0], chunk[0]+len(chunk))
			return acc + len(chunk), nil
		}, addInts, opts...)
		if err != nil && sum != 0 {
			return fmt.Errorf("a partial result %d with %w", sum, err)
		}
		return err
	},
}

func TestACanceledContextStartsNoChunkAndReturnsItsCause(t *testing.T) {
	cause := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(bg)
	cancel(cause)
	for name, run := range runs {
		for _, w := range []int{1, 4} {
			ran := false
			err := run(ctx, ints(1000), func(int, int) { ran = true }, Workers(w))
			assert.ErrorIs(t, err, cause, "%s, workers %d", name, w)
			assert.False(t, ran, "%s, workers %d: a chunk ran", name, w)
		}
	}
}

func TestNoChunkStartsAfterTheContextIsCanceledEvenWithinAClaim(t *testing.T) {
	// A claim covers many leaves (and a leaf many items): the context must
	// be checked before each chunk, not only before each claim, and the
	// skipped chunks must make the call fail with the cause and no result.
	const n, at = 20_000, 5000
	in := ints(n)
	chunkings := map[string][]Option{"Chunk(1)": {Chunk(1)}, "Chunk(7)": {Chunk(7)}, "default": nil}
	for name, run := range runs {
		for chunking, opts := range chunkings {
			for _, w := range []int{1, 2, 4} {
				cause := errors.New("stop")
				ctx, cancel := context.WithCancelCause(bg)
				var canceled atomic.Bool
				var after atomic.Int64
				err := run(ctx, in, func(lo, hi int) {
					if canceled.Load() {
						after.Add(1)
					}
					if lo <= at && at < hi {
						cancel(cause)
						canceled.Store(true)
					}
				}, forced(4, append(opts, Workers(w))...)...)
				cancel(nil)
				what := fmt.Sprintf("%s, %s, Workers(%d)", name, chunking, w)
				assert.ErrorIs(t, err, cause, "%s: got error %v", what, err)
				if name == "Map" {
					continue // its chunks run to their end: see TestMapChecksItsContextBeforeEachChunkNotEachElement
				}
				// Only bodies that passed their check before the cancel may
				// start after it: at most one per other worker.
				assert.LessOrEqual(t, after.Load(), int64(w-1), "%s: bodies started after the cancel", what)
			}
		}
	}
}

// neverDone is a context whose Done is nil, like context.Background's, but
// whose Err reports it canceled and counts its calls: the package must
// never ask it.
type neverDone struct {
	context.Context
	errCalls atomic.Int64
}

func (c *neverDone) Done() <-chan struct{} { return nil }

func (c *neverDone) Err() error {
	c.errCalls.Add(1)
	return context.Canceled
}

func TestAContextThatIsNeverDoneIsNeverChecked(t *testing.T) {
	for name, run := range runs {
		for _, opts := range [][]Option{{Workers(1)}, {Workers(1), Chunk(1)}, forced(4, Workers(4)), forced(4, Workers(4), Chunk(3))} {
			ctx := &neverDone{Context: bg}
			var ran atomic.Int64
			err := run(ctx, ints(5000), func(lo, hi int) { ran.Add(int64(hi - lo)) }, opts...)
			assert.NoError(t, err, "%s, opts %v", name, opts)
			assert.Equal(t, int64(5000), ran.Load(), "%s, opts %v: items run", name, opts)
			assert.Zero(t, ctx.errCalls.Load(), "%s, opts %v: calls of ctx.Err", name, opts)
		}
	}
}

//go:noinline
func panickingBody(lo int) { panic(fmt.Sprintf("bad chunk %d", lo)) }

func TestAPanicInAHelperIsRaisedInTheCallerWithTheHelpersStack(t *testing.T) {
	helperRan := make(chan struct{})
	var once sync.Once
	p := recoverPanicError(t, func() {
		_ = For(bg, 1000, loop(func(lo, hi int) {
			if lo == 0 {
				return // the probe's first chunk, on the caller
			}
			if onHelper() {
				once.Do(func() { close(helperRan) })
				panickingBody(lo)
			}
			<-helperRan
		}), forced(1, Workers(2), Chunk(1))...)
	})
	assert.Contains(t, fmt.Sprint(p.Value), "bad chunk")
	assert.Contains(t, p.Stack, "panickingBody")
	assert.Contains(t, p.Stack, ".help(", "the stack is the helper's")
	requireHelpersGone(t)
}

func TestEveryPanicIsKept(t *testing.T) {
	var panicked atomic.Int32
	p := recoverPanicError(t, func() {
		_, _ = Map(bg, ints(4), func(i int) int {
			panicked.Add(1)
			panic(i)
		}, forced(3, Workers(4))...)
	})
	assert.Equal(t, int(panicked.Load()), 1+len(p.Others), "panics raised vs panics kept")
}

func TestAPanicInTheCallerIsRaisedAsPanicError(t *testing.T) {
	for _, w := range []int{1, 2} {
		p := recoverPanicError(t, func() {
			_, _ = Reduce(bg, squares(10), zero, func(context.Context, float64, []float64) (float64, error) { panic(errBoom) }, add, Workers(w))
		})
		assert.ErrorIs(t, p, errBoom, "workers=%d", w)
	}
}

func TestAPanicInANestedCallIsRaisedOnceNotWrappedPerLevel(t *testing.T) {
	nested := func() {
		_ = For(bg, 4, loop(func(lo, hi int) {
			if lo == 3 {
				panickingBody(lo)
			}
		}), forced(4, Workers(2))...)
	}
	for name, outer := range map[string]func(){
		"a body": func() { _ = For(bg, 4, loop(func(int, int) { nested() }), forced(4, Workers(2))...) },
		"the identity of an empty reduction": func() {
			_, _ = Reduce(bg, []int{}, func() int { nested(); return 0 }, sumInts, addInts)
		},
	} {
		p := recoverPanicError(t, outer)
		assert.Equal(t, "bad chunk 3", p.Value, "%s: the value is the body's, not a PanicError", name)
		assert.Contains(t, p.Stack, "panickingBody", name)
	}
}

// goexitOnHelper returns a body for two items (which skip the probe): the
// helper's item calls Goexit, the caller's waits until it has.
func goexitOnHelper() func(lo int) {
	exited := make(chan struct{})
	return func(lo int) {
		if onHelper() {
			close(exited)
			runtime.Goexit()
		}
		<-exited
	}
}

func TestGoexitInAHelperFailsTheCallInsteadOfHanging(t *testing.T) {
	opts := forced(1, Workers(2))
	run := goexitOnHelper()
	err := For(bg, 2, loop(func(lo, hi int) { run(lo) }), opts...)
	assert.ErrorIs(t, err, tandem.ErrGoexit, "For")

	// The helper that called Goexit gives its token back while it unwinds,
	// before the call returns: with the only token still held, the next
	// call would get no helper and its caller would wait on item 0 for ever.
	requireHelpersGone(t)
	run = goexitOnHelper()
	sum, err := Reduce(bg, ints(2), func() int { return 0 }, func(_ context.Context, acc int, c []int) (int, error) {
		run(c[0])
		return acc + 1, nil
	}, addInts, opts...)
	assert.ErrorIs(t, err, tandem.ErrGoexit, "Reduce")
	assert.Zero(t, sum, "Reduce")

	requireHelpersGone(t)
	run = goexitOnHelper()
	p := recoverPanicError(t, func() { _, _ = Map(bg, ints(2), func(v int) int { run(v); return v }, opts...) })
	assert.ErrorIs(t, p, tandem.ErrGoexit, "Map, whose only error is its context's, raises it as a panic")
	requireHelpersGone(t)
}

func TestGoexitInTheCallerWaitsForTheHelpersAndDoesNotHang(t *testing.T) {
	var running atomic.Int32
	var wg sync.WaitGroup
	out := make([]float64, 1000)
	wg.Go(func() {
		_ = For(bg, len(out), loop(func(lo, hi int) {
			running.Add(1)
			defer running.Add(-1)
			if lo > 0 && !onHelper() {
				// The caller's first chunk after the probe: helpers run.
				runtime.Goexit()
			}
			out[lo] = spinFor(1000)
		}), forced(4, Workers(4), Chunk(1))...)
		assert.Fail(t, "For returned after its caller called Goexit")
	})
	wg.Wait()
	assert.Zero(t, running.Load(), "bodies still running after the caller exited")
	requireHelpersGone(t)
}

func TestGoexitInTheCallerStillRaisesThePanicsOfTheHelpers(t *testing.T) {
	var helperPanicked atomic.Bool
	var got any
	var wg sync.WaitGroup
	wg.Go(func() {
		defer func() { got = recover() }()
		_ = For(bg, 1000, loop(func(lo, hi int) {
			if onHelper() {
				helperPanicked.Store(true)
				panic("helper boom")
			}
			if lo > 0 {
				for !helperPanicked.Load() {
					runtime.Gosched()
				}
				runtime.Goexit()
			}
		}), forced(2, Workers(2), Chunk(1))...)
		assert.Fail(t, "For returned after its caller called Goexit")
	})
	wg.Wait()
	p, ok := got.(*tandem.PanicError)
	require.True(t, ok, "recovered %#v, want the helper's *tandem.PanicError", got)
	assert.Equal(t, "helper boom", p.Value)
	requireHelpersGone(t)
}
