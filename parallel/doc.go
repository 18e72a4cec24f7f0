// Package parallel splits CPU-bound work over index ranges and slices into
// chunks and runs them on every core: reports over millions of records,
// image filters, hashing many blobs. For work that mostly waits, use pool
// or fanout.
//
// Three functions, each taking a ctx first and returning an error:
//
//	For(ctx, n, body(ctx, lo, hi) error)                     disjoint ranges covering [0, n)
//	Map(ctx, in, fn(v) r) ([]r, error)                       results in input order
//	Reduce(ctx, in, identity, fold(ctx, acc, chunk) (acc, error), combine) (acc, error)
//
// The rule: a function called once per chunk (For's body, Reduce's fold)
// receives the ctx and may fail; a function called once per element (Map's
// fn) is pure, because a context argument and an error result per element
// would cost a cheap element a good part of its time. An element function
// that can fail is written with For over the caller's own slice.
//
// A call blocks: the caller works on its own call, helped by up to
// Workers-1 goroutines (default runtime.GOMAXPROCS(0), read on every call;
// the package never sets it). Helpers come from one budget shared by the
// process, GOMAXPROCS-1 at a time across every call, concurrent or nested;
// a helper exits when its call has no chunk left, and nothing is parked
// between calls. A nested call always progresses on its own caller, so
// nesting never deadlocks. When a call returns or panics, no body of it is
// running and every helper it started has exited.
//
// Scheduling. The caller first works alone for a few microseconds, in
// growing chunks, and starts helpers only if work remains: a small input
// starts no goroutine and allocates nothing. A call of at most
// min(2 x Workers, 8) items (or of that many Chunk chunks) starts its
// helpers at once: so few items are presumed expensive. Chunks are claimed
// from an atomic cursor, grow while fast and never exceed a share of half of
// what is left, so skewed work balances. Workers(1) with a ctx that is never
// done (context.Background) and no Progress runs inline with no clock read.
//
// Determinism. Reduce's chunk boundaries depend only on len(in) and the
// options, and chunk results are combined strictly in chunk order, so for a
// given GOARCH, input length and options a floating-point reduction is
// bit-identical on every run, with any Workers. Across architectures it may
// differ, because the compiler fuses x*y+z into one FMA instruction on
// arm64, ppc64le, s390x and riscv64 (see Reduce).
//
// Errors. The first error a body or fold returns stops the hand-out of
// chunks and is returned once the chunks in flight are done; the ctx those
// received is then canceled with the error as its cause. ctx is checked
// before every chunk (never when ctx.Done() is nil): once it is done no
// chunk starts and the call returns context.Cause(ctx). There are no
// partial results on failure: Map returns nil, Reduce the zero value, For
// just the error.
//
// Panics. A panic in any body is raised in the caller as a
// *tandem.PanicError with the panicking goroutine's stack and every other
// panic of the call in its Others (a nested call's PanicError is passed on,
// not wrapped again). A body that calls runtime.Goexit on a helper fails For
// and Reduce with tandem.ErrGoexit and makes Map panic with it; on the
// caller, Goexit ends the caller once the claimed chunks are done, raising
// on the way the panics that helpers recorded. Misuse (a nil ctx, function
// or Option, a negative n, an option below 1) panics at once with a
// "parallel: Name: " message, as each function's doc says.
//
// Costs, as orders: per element, nothing for For and Reduce (your loop) and
// one call of fn for Map; per chunk, an atomic claim, a clock read and, when
// ctx can be done, one ctx.Err(); per call that goes parallel, a constant
// handful of allocations whatever n is. bench/README.md has the figures.
package parallel
