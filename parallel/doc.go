// Package parallel splits CPU-bound work over slices and index ranges into
// chunks and runs them on every core: reports over millions of records,
// image filters, hashing many blobs. It is the "mostly computing" half of
// tandem; for work that mostly waits (I/O), use pool or fanout.
//
// # The functions
//
// One primitive and four conveniences, each with a Ctx twin whose function
// receives a context and can fail:
//
//	For(n, body(lo, hi))                         ForCtx     ranges covering [0, n)
//	ForEach(in, fn(i, *v))                       ForEachCtx every element, in place
//	Map(in, fn(v) r) []r                         MapCtx     results in input order
//	Reduce(in, identity, fold(acc, chunk), combine) A
//	                                             ReduceCtx  a chunk per fold
//	MapReduce(in, identity, mapf(v) a, combine) A
//	                                             MapReduceCtx  a call per element
//
// For is the primitive: its body loops over a range, so it costs nothing
// per item and runs at the speed of a hand-written loop on each core.
// ForEach, Map and MapReduce call a function per element, about 1-2 ns each
// (4x a chunk loop on trivially cheap items); they are for items that cost
// more than that, or for readability. Reduce's fold also sees a whole chunk.
// There is no MapInto: For with out[i] = f(in[i]) fills a slice you have.
// There is no iter.Seq input: chunks need random access, and a stream is
// the business of package pipeline.
//
// Options: Workers(n), Chunk(size), MinChunk(size), Progress(fn).
//
// # Sizing
//
// A call uses up to Workers goroutines, the caller included; the default is
// runtime.GOMAXPROCS(0), read on every call. GOMAXPROCS equals
// runtime.NumCPU() unless a container CPU limit or the program lowers it, and
// since Go 1.25 it follows the container's CPU limit while the program runs.
// The package never calls runtime.GOMAXPROCS(n), which would stop the world
// and switch those updates off.
//
// The calling goroutine always works on its own call, and helpers come from
// one budget shared by the whole process: GOMAXPROCS-1 helper goroutines at
// a time across every call, concurrent or nested. A helper starts when its
// call has work left and a token is free, and exits when its call has no
// chunk left; no goroutine is parked between calls. So a server whose 100
// requests each call Map runs at most GOMAXPROCS-1 helpers beside its 100
// request goroutines, not 100 x GOMAXPROCS goroutines that would crowd out
// its I/O work, and a nested call makes progress on its caller even when no
// helper is free: nesting never deadlocks. A call that got fewer helpers than it may use asks again at
// each of the caller's chunks.
//
// # Scheduling
//
// Small inputs run inline. The caller first works alone for about 10 µs, in
// growing chunks, and starts helpers only if work remains: a call that
// finishes within the probe starts no goroutine and allocates nothing beyond
// what its body does (about 0.2-0.3 µs over a plain loop for 100 items). A
// count of items cannot tell cheap from expensive items; the time can.
// Starting a helper costs ~1 µs when the cores are busy and 10-100 µs when
// they idled, so only longer work is worth it. A call of at most
// min(2 x Workers, 8) items, or of that many chunks fixed by Chunk, skips the
// probe: so few items are presumed expensive, and two 2 ms items should run
// side by side, not one after the other. (The automatic chunks of a
// reduction do not count: 100 cheap items make 8 of them.)
//
// Chunks are handed out from an atomic cursor, so a worker that finishes
// early takes more and skewed work balances. Each worker's chunks double
// while they take less than ~20 µs and halve when they take far longer, and
// a claim never exceeds an equal share of half of what is left, so the tail
// is split finely. With Chunk(size) the chunk boundaries are fixed (For and
// ForEach call the body once per chunk) and only the hand-out adapts.
//
// The caller waits only for the chunks that helpers actually claimed: a
// helper that starts late, after the caller has taken every chunk, costs the
// call nothing. It exits at once without touching the caller's data.
//
// # Determinism
//
// Reduce and MapReduce cut the input into chunks whose boundaries depend
// only on its length and the options, never on timing or the number of
// workers: by default min(n, 8+n/128, 256) chunks of ceil(n/chunks) items
// (Chunk and MinChunk change the size). Each chunk is folded into a fresh
// accumulator from identity, and the chunk results are combined strictly
// left to right in chunk order. So, for a given length and options, a
// floating-point sum gives the same bits on every run, with any Workers and
// GOMAXPROCS, on every machine. The rule to remember: the result equals
//
//	combine(...combine(combine(fold(identity(), c0), fold(identity(), c1)), fold(identity(), c2))...)
//
// which is not the association of a plain loop over all items (its bits can
// differ from it), and combine must be associative for it to be the same
// value; it need not be commutative. Adaptive scheduling only decides who
// folds which chunk and when. A skew concentrated inside one chunk of a
// reduction is not split further; pass a smaller Chunk for such inputs.
//
// # Failure
//
// A Ctx function's first error stops the hand-out of new chunks and is
// returned once the chunks in flight are done; their bodies see their context
// canceled with that error as the cause, so long chunks can stop early. The
// caller's ctx is checked before every call of the body (every chunk; every
// element for ForEachCtx, MapCtx and MapReduceCtx), also within a claim of
// many chunks: once it is done, no call starts and the call returns
// context.Cause(ctx), unless every call had already started. A panic in any
// body stops the hand-out too and is raised in the caller as a
// *tandem.PanicError with the stack of the goroutine that panicked, every
// other panic of the call in its Others (a panic raised by a nested call is
// passed on as is, not wrapped again). A body that calls runtime.Goexit on a
// helper fails a Ctx call with tandem.ErrGoexit and makes the other forms
// panic with it; on the caller, Goexit ends the caller once the claimed
// chunks are done, raising on the way the panics that helpers recorded (a
// recover up the caller's stack gets them, and the Goexit goes on); errors
// are dropped with the call. When a call returns or panics, no body of it is
// running and every helper goroutine it started has exited and given its
// token back (a helper started late, which finds nothing left to claim,
// delays the return until it is scheduled).
//
// # Costs
//
// Measured in bench/parallel_test.go on a 2-core virtual machine (see the
// README for the numbers). A call that stays inline costs 10-50 ns over a
// plain loop with Workers(1), which reads no clock (the spread is code
// layout, from build to build), and ~0.2-0.3 µs for 100 items otherwise
// (the probe reads the monotonic clock three times, ~30 ns each on a VM); a
// reduction folds 8 chunks for 100 items, ~20 ns more than one loop with
// Workers(1).
// A function literal that captures variables escapes to the heap, because
// helpers may run it: one allocation (~50-90 ns with its GC share) per call,
// which a body made once avoids. A call that goes parallel allocates a
// constant ~5 objects (~2.5 KB for a reduction's chunk results) whatever n
// is, and pays an atomic add and a clock read per chunk; per item, nothing
// for For and Reduce, one indirect call for ForEach, Map and MapReduce;
// the per-element Ctx forms add a ctx.Err() per element (an interface call
// and an atomic load), the price of starting none after cancellation.
//
// The speedup is bounded by the hardware, not only by the scheduling: where
// two cores share execution units (SMT siblings, or the vCPUs of a virtual
// machine placed on them), cheap bodies with much instruction-level
// parallelism gain far less than the core count with any split, static or
// dynamic. On the 2-vCPU machine of the benchmarks, two copies of the
// uniform skew loop running at once took 1.45x as long as one alone, while
// long dependent chains ran side by side at full speed.
package parallel
