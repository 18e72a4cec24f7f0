// Package parallel splits CPU-bound work over index ranges and slices into
// chunks and runs them on every core: reports over millions of records,
// image filters, hashing many blobs. For work that mostly waits, use pool
// or fanout.
//
//	For(ctx, n, body(ctx, lo, hi) error) error              disjoint ranges covering [0, n)
//	Map(ctx, in, fn(v) r) ([]r, error)                      results in input order
//	Reduce(ctx, in, identity, fold(ctx, acc, chunk) (acc, error), combine) (acc, error)
//
// The rule: a function called once per chunk (For's body, Reduce's fold)
// receives the ctx and may fail; a function called once per element (Map's
// fn) is pure, because a context argument and an error result per element
// would cost a cheap element a good part of its time. An element function
// that can fail is written with For over the caller's own slice. Options:
// Workers, Chunk, MinChunk, Progress.
//
// A call blocks. The caller works on its own call, helped by up to
// Workers-1 goroutines (default runtime.GOMAXPROCS(0), read on every call;
// the package never sets it) taken from one budget shared by the process:
// GOMAXPROCS-1 helpers at a time across every call, concurrent or nested.
// A helper exits when its call has no chunk left; nothing is parked between
// calls, and a nested call progresses on its own caller, so nesting never
// deadlocks. When a call returns or panics, no body of it is running and
// every helper it started has exited.
//
// The caller first works alone for a few microseconds in growing chunks
// and starts helpers only if work remains, so a small input starts no
// goroutine and allocates nothing; a call of at most min(2 x Workers, 8)
// items, or Chunk chunks, starts its helpers at once, as so few items are
// presumed expensive. Chunks
// are claimed from an atomic cursor, grow while fast and never exceed a
// share of half of what is left, so skewed work balances. Workers(1) with a
// ctx whose Done is nil (context.Background) and no Progress runs inline
// and reads no clock.
//
// Reduce's chunk boundaries depend only on len(in) and the options, and its
// chunk results are combined in chunk order: for a given GOARCH (and
// GOAMD64 level), input length and options a floating-point reduction is
// bit-identical on every run and machine, with any Workers; across
// architectures it may differ, as some fuse x*y+z into one FMA (see Reduce).
//
// Errors: the first error a body or fold returns stops the hand-out of
// chunks and is returned once the chunks in flight are done; the ctx they
// received is canceled with it as the cause. ctx is checked before every
// chunk, never when its Done is nil: once it is done no chunk starts and
// the call returns context.Cause(ctx). Partial results on failure: none
// (Map returns nil, Reduce the zero value, For just the error).
//
// Panics: a panic in any body is raised in the caller as a
// *tandem.PanicError with the panicking goroutine's stack and every other
// panic of the call in its Others (a nested call's is passed on, not
// wrapped again). runtime.Goexit in a body on a helper fails For and Reduce
// with tandem.ErrGoexit and makes Map panic with it; on the caller it ends
// the caller once the claimed chunks are done, raising on the way the
// panics helpers recorded. Misuse (a nil ctx, function or Option, a negative
// n, an option below 1) panics at once with "parallel: Name: ...".
//
// Costs, as orders: per element, nothing for For and Reduce (the body's own
// loop) and one call of fn for Map; per chunk, an atomic claim, a clock read
// and, when ctx can be done, one ctx.Err(); per call that goes parallel, a
// constant handful of allocations whatever n is. bench/README.md has the
// figures.
package parallel
