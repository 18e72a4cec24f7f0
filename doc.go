// Package tandem is the map of a library of concurrency and parallelism
// primitives for backend services, and the home of the vocabulary its
// packages share ([PanicError], [ErrGoexit]).
//
// # Waiting or computing?
//
// Ask one question of any piece of work: is this code mostly waiting, or
// mostly computing?
//
//   - Mostly waiting (I/O-bound: database queries, HTTP calls, queues,
//     files): run many things at once, bounded, cancellable and paced.
//     Use package pool for a bounded group of tasks or a pool shared by a
//     whole service, fanout to call one slow or quota-limited service for many
//     inputs in one call, pipeline for a stream of items through stages, and
//     ratelimit to stay under a quota (ratelimit/redisrate when every replica
//     of a service shares it).
//   - Mostly computing (CPU-bound: reports over big slices, image filters,
//     hashing): split the data into chunks and use every core. Use package
//     parallel.
//   - Both: a server handles requests concurrently with pool or fanout and
//     hands heavy computation to parallel. Parallel's helpers come from one
//     budget shared by the whole process, so a hundred concurrent reports do
//     not start a hundred times GOMAXPROCS goroutines; and admitting the
//     reports themselves through a small pool (a few report slots) keeps the
//     cores free enough that I/O latency stays low while they run
//     (examples/report-server measures both).
//
// Concurrency and parallelism side by side:
//
//	                  concurrency (waiting)         parallelism (computing)
//	execution style   many tasks interleaved,       one job split in chunks
//	                  most of them blocked          that all run at once
//	hardware          one core can serve thousands  needs one core per chunk
//	                  of waiting tasks              in flight
//	goal              hide latency, raise           cut the wall time of one
//	                  throughput under a limit      job by the core count
//	typical use       fan out HTTP/DB calls,        reports, image filters,
//	                  consume a queue               hashing, big reductions
//	in tandem         pool, fanout, pipeline,       parallel
//	                  ratelimit
//
// # Policies every package follows
//
// Context first. Anything that can block takes a context.Context as its first
// argument, and task functions receive the context as a parameter. A blocked
// submitter returns as soon as its own context is done. Work whose context is
// done before it starts never starts and is reported as canceled.
//
// Errors. Runtime conditions are returned as errors; sentinels are exported
// and matched with errors.Is. A construct that cancels on the first error
// returns that error (the cause, not a context.Canceled it provoked); one that
// does not cancel returns errors.Join of every error. Results that belong to
// inputs come back in input order, each with its own error where partial
// results make sense.
//
// Misuse. Programmer errors (a limit below 1, a negative count) panic at once
// with a message prefixed by the package name, such as "pool: limit must be
// at least 1", and the doc comment of the function says so.
//
// Panics. A panic is a bug and is never swallowed. In every construct that
// has a waiter (a group's Wait, a parallel call, a pipeline's Run, a fanout
// call), a task's panic is recovered in the worker with the stack of the
// task, the construct is canceled, and the panic is raised again in the
// waiting goroutine as a *[PanicError]. Every panic is kept: the first is
// raised and the later ones ride along in its Others. A task that calls
// runtime.Goexit never hangs its waiter; it fails with [ErrGoexit].
// Fire-and-forget work on a long-lived pool, with no waiter, crashes the
// program like a go statement would, unless the pool has a panic handler.
//
// Goroutines. Every goroutine has an owner that waits for it. No goroutine
// starts at import, and there are no background tickers or janitors. When a
// construct's Wait, Run or Close returns, every goroutine it started has
// exited.
//
// Nothing lost. Every item handed in is accounted for as completed, failed,
// canceled or rejected, and the counts add up; long-lived and streaming
// constructs report them in a Stats snapshot.
//
// Time. Only the standard time package is used, so tests of time-dependent
// behavior run under testing/synctest, instantly and deterministically.
package tandem
