package parallel

import "runtime"

// An Option configures one call of For, ForEach, Map, Reduce or MapReduce
// (or their Ctx twins).
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
}

// buildOptions is the one place that builds the defaults.
func buildOptions(opts []Option) options {
	o := options{minChunk: 1}
	for _, opt := range opts {
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
// inline on the caller. Workers panics with "parallel: workers must be at
// least 1" when n < 1.
func Workers(n int) Option {
	if n < 1 {
		panic("parallel: workers must be at least 1")
	}
	return workersOption(n)
}

// Chunk fixes the chunk size: every chunk is [k*size, min((k+1)*size, n)),
// so the boundaries depend only on n and size, and For and ForEach call the
// body once per chunk. It also fixes the chunks of Reduce and MapReduce, whose
// results are then bit-identical for a given size. The default is automatic:
// adaptive chunks for For, ForEach and Map, and for Reduce and MapReduce
// min(n, 8+n/128, 256) equal chunks (at least MinChunk items each). Chunk panics with "parallel: chunk size
// must be at least 1" when size < 1.
func Chunk(size int) Option {
	if size < 1 {
		panic("parallel: chunk size must be at least 1")
	}
	return chunkOption(size)
}

// MinChunk sets the grain of automatic chunking: no chunk is smaller than
// size items (except the last one). Use it when items are so cheap that the
// ~10 ns per chunk matters, or when the body has a per-chunk set-up cost. The
// default is 1. It has no effect together with Chunk. MinChunk panics with
// "parallel: minimum chunk size must be at least 1" when size < 1.
func MinChunk(size int) Option {
	if size < 1 {
		panic("parallel: minimum chunk size must be at least 1")
	}
	return minChunkOption(size)
}

// Progress makes the call report how many of its total items are done. fn
// runs on the calling goroutine only, between the caller's own chunks, at most
// about once per 1% of the items, so it needs no locking and costs nothing
// measurable; the last call reports (total, total) when every item was
// processed. The default is no reporting.
func Progress(fn func(done, total int)) Option {
	return progressOption(fn)
}
