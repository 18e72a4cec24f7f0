package parallel

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
)

// knobs is an Option that only tests can build: it sets the fields of
// options that have no exported option, so production code reads no
// package variable and keeps no counter for the tests' sake.
type knobs struct {
	probe       time.Duration
	helperLimit int
}

func (k knobs) apply(o options) options {
	o.probe, o.helperLimit = k.probe, k.helperLimit
	return o
}

func (k knobs) String() string {
	return fmt.Sprintf("knobs(probe %v, helpers %d)", k.probe, k.helperLimit)
}

// forced returns opts plus a knob that makes the call start helpers as soon
// as work is left after its first chunk, from a budget of limit helpers,
// so that the tests exercise the parallel path on small inputs and on a
// 2-core machine.
func forced(limit int, opts ...Option) []Option {
	return append(slices.Clip(opts), knobs{probe: 0, helperLimit: limit})
}

// requireHelpersGone fails unless every helper has given its token back:
// a call returns only once every helper it started has exited.
func requireHelpersGone(t testing.TB) {
	t.Helper()
	if inUse := helpersInUse.Load(); inUse != 0 {
		t.Fatalf("helpers still hold %d tokens, want 0", inUse)
	}
}

// loop adapts a body that cannot fail to For's signature.
func loop(f func(lo, hi int)) func(context.Context, int, int) error {
	return func(_ context.Context, lo, hi int) error {
		f(lo, hi)
		return nil
	}
}

// onHelper reports whether the calling goroutine is one of the package's
// helpers rather than the caller.
func onHelper() bool { return strings.Contains(string(debug.Stack()), ".help(") }

func recoverPanicError(t *testing.T, f func()) (p *tandem.PanicError) {
	t.Helper()
	defer func() {
		r := recover()
		require.NotNil(t, r, "no panic was raised")
		var ok bool
		p, ok = r.(*tandem.PanicError)
		require.True(t, ok, "raised %T (%v), want *tandem.PanicError", r, r)
	}()
	f()
	return nil
}

func spinFor(steps int) float64 {
	x := 1.0
	for range steps {
		x = x*1.0000001 + 1e-9
	}
	return x
}

func squares(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i)
	}
	return xs
}

func ints(n int) []int {
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	return in
}

// inFlight is a high-water mark of the bodies running at once.
type inFlight struct {
	mu        sync.Mutex
	now, peak int
}

func (f *inFlight) enter() {
	f.mu.Lock()
	f.now++
	f.peak = max(f.peak, f.now)
	f.mu.Unlock()
}

func (f *inFlight) leave() {
	f.mu.Lock()
	f.now--
	f.mu.Unlock()
}

func (f *inFlight) max() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.peak
}

func (f *inFlight) reset() {
	f.mu.Lock()
	f.now, f.peak = 0, 0
	f.mu.Unlock()
}
