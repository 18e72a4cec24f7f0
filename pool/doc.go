// Package pool bounds the concurrency of I/O tasks (database queries, HTTP
// calls, queue reads): code that mostly waits. It offers two shapes:
//
//   - Pool, long-lived and shared by a whole service: at most Limit tasks
//     run at once, a bounded queue holds the next ones, and Close or
//     Shutdown stops it.
//   - Group and ResultGroup, scoped to one piece of work: start N tasks,
//     Wait for all of them, get the first error (or all errors) and, for a
//     ResultGroup, the values in submission order. A group runs on its own
//     limit, or on a shared Pool (OnPool) so that every request can make its
//     own group while the whole service stays under the pool's limit.
//
// # Tasks and contexts
//
// A task is a func(ctx context.Context) error (a ResultGroup's returns a
// value too). A Pool task receives the ctx given to Submit; a group's task
// receives the group's ctx, derived from the ctx given to NewGroup. A task
// whose ctx is done before a worker starts it never starts and is counted
// as canceled. WithTaskTimeout gives every task its own deadline, counted
// from when it starts, inside that ctx.
//
// # Workers
//
// Workers are goroutines started on demand, up to the limit. A worker runs
// queued tasks one after another, so the stack a deep client call chain
// grew is reused (a fresh goroutine per task pays about 5-10 µs of CPU to
// grow a 20 KiB stack every time; see BenchmarkPoolDeepStack). When the
// queue is empty a worker parks for up to 100 ms, and Submit hands the next
// task straight to the worker that parked last, whose stack is the warmest.
// Parked workers are woken one at a time: a woken worker wakes the next
// only if tasks are still queued when it gets to run, so a burst after a
// lull stays on as few warm workers as keep up with it, and a producer
// that is descheduled for a moment no longer makes every worker exit and
// restart with a cold stack. A worker parked for 100 ms exits on its own,
// on its own timer: an idle Pool soon has no goroutine, there is no ticker
// or janitor, and forgetting Close leaks nothing once the tasks are done.
// Close dismisses parked workers at once, and Close and a group's Wait
// return only when every worker has exited.
//
// # Queue and backpressure
//
// The queue is bounded: by default it holds as many tasks as the limit
// (WithQueueSize; 0 means none). When the workers are busy and the queue is
// full, Submit blocks until there is room, and returns as soon as its own
// ctx is done (the task never runs); TrySubmit returns ErrFull at once.
// Blocked submitters wait in line, first come first served, and a worker
// that frees a slot moves the waiting task into the queue itself, so a slot
// never stays empty while its submitter is being scheduled. Submitters are
// woken once the queue is half empty, so that a producer refills it in one
// go rather than sleeping and waking for every task.
//
// # Submitting from a task
//
// A task that submits into its own pool while the pool is full would wait
// for itself, and once every worker does, the pool deadlocks (ants #197).
// Workers mark the ctx they hand to tasks, and Submit called with that ctx
// (or one derived from it) on a full pool runs the task inline, on the
// calling worker, instead of blocking: the worker's own task waits for it,
// so the number of busy workers stays within the limit (Stats.Running
// counts both). Submit with an unrelated ctx, such as context.Background,
// cannot be recognised and blocks as usual: pass the task's ctx. Marking
// costs one context.WithValue per worker and distinct ctx (none while tasks
// share a ctx, one small allocation per task when each has its own).
//
// A group's Go never blocks while one of the group's tasks is in flight,
// since that task will start the next one when it ends: a task may call Go
// on its own group. With nothing in flight and a shared pool that is full,
// Go waits for room there, or until the group's ctx is done.
//
// # Shutting down
//
// Close stops intake: Submit and TrySubmit return ErrClosed, blocked
// submitters are woken with it, and tasks that were accepted all run (tasks
// of the pool may still submit with their ctx, so work they fan out drains
// too). Shutdown(ctx) does the same until ctx is done, then drops the tasks
// that have not started (counted as canceled; a group's tasks fail with
// ErrClosed) and waits for the running ones. Running tasks are never
// interrupted by the pool: cancel the ctx they were given. Close, Shutdown
// and Submit are safe to call concurrently and Close is idempotent.
//
// # Groups
//
// By default a group fails fast: the first task error cancels the group's
// ctx, tasks that have not started never start, and Wait returns that
// error, the cause, not the context.Canceled its siblings saw. With
// CollectErrors every task runs and Wait returns errors.Join of all task
// errors in submission order. Tasks that never started because the parent
// ctx ended make Wait return the ctx's cause when nothing else failed.
// ResultGroup.Wait returns the values in submission order, a failed task
// keeping the value it returned beside its error, and Errs says which task
// failed how.
//
// A group's limit caps how many of its tasks are handed to the pool at
// once; the rest wait in the group, in order, and the group's Go never
// blocks on them. On a shared pool a group's next task queues behind the
// tasks already waiting there, so a big group cannot keep workers to
// itself, and its tasks count toward the pool's limit and Stats. A group on
// a closed pool fails its tasks with ErrClosed.
//
// # Panics and Goexit
//
// A panic is never swallowed. In a group it is recovered with the task's
// stack, the group is cancelled, and Wait re-panics with a
// *tandem.PanicError that keeps every panic of the group (Others). A Pool
// task has no waiter: its panic crashes the program, as in a go statement,
// unless WithPanicHandler is set; one run inline panics into the task that
// submitted it, which fails the same way. A task that calls runtime.Goexit fails
// with tandem.ErrGoexit and never hangs a waiter. Either way the worker is
// replaced, so capacity never shrinks.
//
// # Stats
//
// Stats takes its counts under the pool's lock, so they add up:
// Submitted = Queued + Running + Completed + Failed + Panicked + Canceled,
// and Rejected counts what was never accepted. A group's tasks are counted
// by the pool they run on before the group's Wait can return.
//
// # Costs
//
// Measured with bench/run in bench/pool_test.go, limit 100, pool
// construction and teardown included, medians of 6 runs on a shared,
// busy 2-core machine (see the README for the tables; compare rows of one
// run only):
//
//   - Trivial tasks (1e6): about 100 ns of wall time and of CPU per task,
//     where pond takes 85-150 (its figures swing widely from run to run);
//     no allocation per task. A worker costs about 6 allocations when it
//     starts (its goroutine, its parking channel and timer): 100 per pool
//     here, so 0.0005 per task.
//   - I/O-like tasks (1e5 x 1 ms sleep): wall time within a few percent of
//     a plain goroutine-and-semaphore loop (12.8 against 13.6 µs per task),
//     with 40% less CPU and no allocation per task, where the loop has
//     two (a closure and the sleeping goroutine's timer).
//   - Deep-stack tasks (1e5, about 20 KiB of stack each): about 0.7 µs of
//     CPU per task, as pond, against 9 µs for a goroutine per task, since a
//     worker grows its stack once, not per task, and parking instead of
//     exiting keeps it when the producer falls behind for a moment.
//   - ResultGroup (1e5 results): about 0.01 allocation per task besides the
//     caller's closure, where conc's ResultPool adds 1 and pond's result
//     group 3.
//   - WithTaskTimeout: a context.WithTimeout per task (3 allocations).
//   - Marking task contexts (see above): one context.WithValue per worker
//     and distinct ctx.
//
// # Why not errgroup or semaphore
//
// errgroup starts a goroutine per task (no stack reuse, a closure and a
// timer per task) and its Go blocks without a ctx; semaphore.Weighted has a
// ctx-aware Acquire but no queue of task values, no worker reuse and no
// inline path for nested submission. The Pool needs all three, so it keeps
// its own small mutex-guarded ring buffer of tasks and line of blocked
// submitters, and uses neither.
package pool
