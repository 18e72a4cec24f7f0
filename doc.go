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
// done before it starts never starts: handed in with a context already done,
// it is refused at once (pool counts it Rejected); accepted, then its context
// ends while it waits, it is counted NotStarted.
//
// Errors. Runtime conditions are returned as errors; sentinels are exported
// and matched with errors.Is. A construct that cancels on the first error
// returns that error (the cause, not a context.Canceled it provoked); one that
// does not cancel returns errors.Join of every error. Results that belong to
// inputs come back in input order, each with its own error where partial
// results make sense.
//
// Misuse. Programmer errors panic at once, in one format,
// "pkg: Name: what is wrong[, got value]", where Name is the function,
// Type.Method or option that was misused: "pool: New: workers must be at least 1, got 0",
// "fanout: Pace: nil Waiter" (a typed nil, such as a nil *ratelimit.Limiter
// in a Waiter, counts as nil), "parallel: For: nil context". Every function
// that can panic says so in its doc comment. Nothing misbehaves silently.
//
// Panics. A panic is a bug and is never swallowed. In every construct that
// has a waiter (a group's Wait, a parallel call, a pipeline's Run, a fanout
// call), a task's panic is recovered in the worker with the stack of the
// task, the construct is canceled, and the panic is raised again in the
// waiting goroutine as a *[PanicError]. Every panic is kept: the first is
// raised and the later ones ride along in its Others, and errors.Is and
// errors.As see every one whose value is an error. A task that calls
// runtime.Goexit never hangs its waiter; it fails with [ErrGoexit].
// Fire-and-forget work on a long-lived pool, with no waiter, crashes the
// program like a go statement would, unless the pool has a panic handler.
//
// Goroutines. Every goroutine has an owner that waits for it. No goroutine
// starts at import, and there are no background tickers or janitors. When a
// construct's Wait, Run or Close returns, every goroutine it started has
// exited.
//
// Nothing lost. Every item handed in is accounted for in exactly one of the
// outcomes of the table below, and the counts add up; long-lived and
// streaming constructs report them in a Stats snapshot.
//
// Time. Only the standard time package is used, so tests of time-dependent
// behavior run under testing/synctest, instantly and deterministically.
//
// # Vocabulary
//
// One word per concept in every package, so that one dashboard can put
// pool, pipeline and fanout side by side. A new option or Stats field uses
// the word of its row, or adds a row.
//
//	concept                word          meaning; where
//	---------------------  ------------  -----------------------------------------------
//	concurrency bound      Workers       the most tasks, items or calls running at once:
//	                                     pool.New(workers), pool.NewGroup(ctx, workers),
//	                                     pool.Stats.Workers, parallel.Workers(n),
//	                                     pipeline.Workers(n), fanout.Workers(n)
//	no bound               Unlimited     pool.NewGroup(ctx, pool.Unlimited), as errgroup
//	never started          NotStarted    accepted, then never began: its ctx ended or its
//	                                     construct stopped first (pool.Stats,
//	                                     pipeline.StageStats, fanout.NotStarted)
//	started, then stopped  Canceled      began, then ended early because its ctx or run
//	                                     was canceled, not by a failure of its own
//	                                     (pool.Stats, pipeline.StageStats,
//	                                     fanout.Canceled)
//	success                Succeeded     returned nil (pool.Stats, pipeline.StageStats,
//	                                     fanout.Succeeded)
//	failure                Failed        returned an error of its own, or called
//	                                     runtime.Goexit; a pool, which can outlive
//	                                     panics, also counts Panicked apart
//	never accepted         Rejected      refused at the door: ErrFull, ErrClosed, or the
//	                                     submitter's ctx ended while it waited (pool)
//	flow                   In, Out       pipeline stages: items taken, items handed on
//	run all, join errors   CollectAll    every task runs and the errors are joined; the
//	                                     other policy is FailFast. pool's groups fail
//	                                     fast by default (their tasks share one outcome,
//	                                     as errgroup's do); fanout collects all by
//	                                     default (its results belong to inputs)
//	pacing                 Pace          wait on a ratelimit.Waiter before each item or
//	                                     call (pipeline.Pace, fanout.Pace,
//	                                     fanout.PacePerKey); the time it takes is Paced
//	per-item timeout       Timeout(d)    each task, item, call or attempt at most d;
//	                                     0 means no timeout, the default, everywhere
//	options                bare names    pool.QueueSize(n), fanout.Workers(n),
//	                                     ratelimit.MaxKeys(n); a nil Option panics
//	declaring vs running   Run...        in pipeline, constructors (Map, Filter, Sink,
//	                                     ...) declare; only (*Pipeline).Run, RunCollect,
//	                                     RunReduce and RunAll run. Elsewhere a function
//	                                     that takes a ctx runs at once
//	partial results        per package   on failure, pool's ResultGroup and fanout return
//	                                     every input's result with its own error or
//	                                     status; parallel returns none; pipeline's
//	                                     RunCollect returns what it collected before the
//	                                     stop, RunReduce the zero value
package tandem
