package parallel

import (
	"runtime"
	"time"

	"github.com/tandem-go/tandem/internal/misuse"
)

// An Option configures one call of For, Map or Reduce. Options are plain
// values that may be kept and shared between calls and goroutines; a nil
// Option panics in the function that receives it.
//
// Unlike the usual apply(*options), apply takes and returns the options by
// value: a pointer passed through an interface method escapes, which would
// cost every call an allocation. Each option is a small named type rather
// than a closure for the same reason (an int below 256 or a func boxes into
// an interface without allocating).
type Option interface{ apply(options) options }

type (
	workersOption  int
	chunkOption    int
	minChunkOption int
	progressOption func(done, total int)
)

func (n workersOption) apply(o options) options   { o.workers = int(n); return o }
func (n chunkOption) apply(o options) options     { o.chunk = int(n); return o }
func (n minChunkOption) apply(o options) options  { o.minChunk = int(n); return o }
func (fn progressOption) apply(o options) options { o.progress = fn; return o }

type options struct {
	workers  int // 0: runtime.GOMAXPROCS(0), read on every call
	chunk    int // 0: automatic
	minChunk int
	progress func(done, total int)

	// The fields below have no exported option: tests set them through an
	// Option of their own (see knobs_test.go), so that production code
	// reads no package variable on its way and keeps no test counter.
	probe       time.Duration // how long the caller works alone first (see probe)
	helperLimit int           // the process-wide helper budget; 0: GOMAXPROCS-1
}

// defaultProbe is how long the caller works alone before it asks for
// helpers: a goroutine costs about a microsecond to start when the cores
// are busy and tens of microseconds to get running when the other cores
// idled, so work that is over within this budget is best done inline.
const defaultProbe = 10 * time.Microsecond

// buildOptions is the one place that builds the defaults. where is the
// function that received opts, for the message of a nil Option.
func buildOptions(where string, opts []Option) options {
	o := options{minChunk: 1, probe: defaultProbe}
	for _, opt := range opts {
		if opt == nil {
			misuse.Panicf(where, "nil Option")
		}
		o = opt.apply(o)
	}
	if o.workers == 0 {
		o.workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// Workers sets the most goroutines that work on the call, the caller
// included. The default is runtime.GOMAXPROCS(0), read on every call: it
// equals runtime.NumCPU() unless a container CPU limit or the program lowers
// it, and since Go 1.25 it follows the container's CPU limit while the program
// runs. Whatever the count, helpers come from the process-wide budget (see the
// package documentation), so a call may get fewer. Workers(1) runs the call
// on the caller alone.
//
// Workers panics with "parallel: Workers: n must be at least 1, got n" when
// n < 1.
func Workers(n int) Option {
	if n < 1 {
		misuse.Panicf("parallel: Workers", "n must be at least 1, got %d", n)
	}
	return workersOption(n)
}

// Chunk fixes the chunk size: every chunk is [k*size, min((k+1)*size, n)),
// so the boundaries depend only on n and size, and For calls its body once
// per chunk. It also fixes the chunks of Reduce, whose results are then
// reproducible for a given size (see Reduce). The default is automatic:
// adaptive chunks for For and Map, and for Reduce min(n, 8+n/128, 256) equal
// chunks (at least MinChunk items each).
//
// Chunk panics with "parallel: Chunk: size must be at least 1, got size"
// when size < 1.
func Chunk(size int) Option {
	if size < 1 {
		misuse.Panicf("parallel: Chunk", "size must be at least 1, got %d", size)
	}
	return chunkOption(size)
}

// MinChunk sets the grain of automatic chunking: no chunk is smaller than
// size items (except the last one). Use it when items are so cheap that the
// fixed cost of a chunk shows, or when the body has a per-chunk set-up cost.
// The default is 1. It has no effect together with Chunk.
//
// MinChunk panics with "parallel: MinChunk: size must be at least 1, got
// size" when size < 1.
func MinChunk(size int) Option {
	if size < 1 {
		misuse.Panicf("parallel: MinChunk", "size must be at least 1, got %d", size)
	}
	return minChunkOption(size)
}

// Progress makes the call report how many of its total items are done. fn
// runs on the calling goroutine only, between the caller's own chunks, at
// most about once per 1% of the items, so it needs no locking; the last
// call reports (total, total) when every item was processed (an empty input
// reports nothing). A call with
// Progress reads the clock between chunks even with Workers(1). The default
// is no reporting.
//
// Progress panics with "parallel: Progress: nil function" when fn is nil.
func Progress(fn func(done, total int)) Option {
	if fn == nil {
		misuse.Panicf("parallel: Progress", "nil function")
	}
	return progressOption(fn)
}
