package parallel

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tandem-go/tandem"
)

// chaos is what the chunks of one call did: each chunk, by a coin thrown
// from its lo and a seed, runs, fails, panics, calls Goexit or cancels the
// call's context.
type chaos struct {
	seed    uint64
	cause   error
	cancel  context.CancelCauseFunc
	visits  []atomic.Int32
	running atomic.Int32

	mu       sync.Mutex
	errs     []error
	panics   int
	goexits  int // on helpers
	canceled bool
}

func (c *chaos) body(_ context.Context, lo, hi int) error {
	c.running.Add(1)
	defer c.running.Add(-1)
	for i := lo; i < hi; i++ {
		c.visits[i].Add(1)
	}
	r := rand.New(rand.NewPCG(c.seed, uint64(lo)))
	c.mu.Lock()
	defer c.mu.Unlock()
	switch r.IntN(100) {
	case 0, 1:
		err := fmt.Errorf("chunk %d failed", lo)
		c.errs = append(c.errs, err)
		return err
	case 2:
		c.panics++
		panic(fmt.Sprintf("chunk %d panicked", lo))
	case 3:
		if onHelper() { // on the caller, Goexit would end the test's goroutine: see below
			c.goexits++
			c.mu.Unlock()
			defer c.mu.Lock()
			runtime.Goexit()
		}
	case 4:
		c.canceled = true
		c.cancel(c.cause)
	}
	return nil
}

// FuzzForUnderRandomErrorsPanicsGoexitsAndCancels holds For to its
// contract whatever its chunks do: the first error, a cancellation's cause
// or ErrGoexit comes back, a panic wins over all of them and keeps every
// panic, a nil result means every index ran once, no index runs twice, and
// when the call is over no body is running and every helper has exited.
func FuzzForUnderRandomErrorsPanicsGoexitsAndCancels(f *testing.F) {
	for i := range 8 {
		f.Add(uint16(100*i*i+1), uint8(i), uint8(i%3), uint64(i))
	}
	f.Fuzz(func(t *testing.T, n uint16, workers, chunk uint8, seed uint64) {
		ctx, cancel := context.WithCancelCause(bg)
		defer cancel(nil)
		c := &chaos{seed: seed, cause: errors.New("canceled by a chunk"), cancel: cancel, visits: make([]atomic.Int32, n)}
		opts := []Option{Workers(1 + int(workers)%6)}
		if chunk > 0 {
			opts = append(opts, Chunk(int(chunk)))
		}
		what := fmt.Sprintf("n=%d opts=%v seed=%d", n, opts, seed)
		var err error
		var raised any
		func() {
			defer func() { raised = recover() }()
			err = For(ctx, int(n), c.body, forced(4, opts...)...)
		}()
		if running := c.running.Load(); running != 0 {
			t.Fatalf("%s: %d bodies running after For returned", what, running)
		}
		requireHelpersGone(t)
		for i := range c.visits {
			if v := c.visits[i].Load(); v > 1 {
				t.Fatalf("%s: index %d ran %d times", what, i, v)
			}
		}
		switch {
		case c.panics > 0:
			p, ok := raised.(*tandem.PanicError)
			if !ok {
				t.Fatalf("%s: %d bodies panicked, For raised %v and returned %v", what, c.panics, raised, err)
			}
			if got := 1 + len(p.Others); got != c.panics {
				t.Fatalf("%s: %d bodies panicked, the PanicError keeps %d", what, c.panics, got)
			}
		case raised != nil:
			t.Fatalf("%s: no body panicked, For raised %v", what, raised)
		case err == nil:
			if len(c.errs) > 0 || c.goexits > 0 {
				t.Fatalf("%s: %d errors and %d Goexits, For returned nil", what, len(c.errs), c.goexits)
			}
			for i := range c.visits {
				if c.visits[i].Load() != 1 {
					t.Fatalf("%s: For returned nil, index %d never ran", what, i)
				}
			}
		default:
			known := (c.canceled && errors.Is(err, c.cause)) || (c.goexits > 0 && errors.Is(err, tandem.ErrGoexit))
			for _, e := range c.errs {
				known = known || err == e
			}
			if !known {
				t.Fatalf("%s: For returned %v, which no chunk caused (errors %v, canceled %v, Goexits %d)", what, err, c.errs, c.canceled, c.goexits)
			}
		}
	})
}
