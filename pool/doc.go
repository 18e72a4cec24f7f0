// Package pool bounds the concurrency of I/O tasks (database queries, HTTP
// calls, queue reads): code that mostly waits.
//
// A Pool is long-lived and shared, by all the requests of a server say: at
// most Workers tasks run at once, on worker goroutines reused from task to
// task, and a bounded queue holds the next ones. When both are full,
// Submit blocks until its ctx is done and TrySubmit fails with ErrFull; a
// parked worker always counts as room. Close and Shutdown stop a Pool and
// wait for its workers. Do runs one task on a Pool and returns its result;
// Call does so for a task with no value, allocating nothing, and TryCall
// only if a worker is free now.
// A Group or ResultGroup is scoped to one piece of work: Go starts tasks,
// at most Workers at once (or Unlimited), on the group's own workers or on
// a shared Pool (OnPool), and Wait waits for all of them. It returns the
// first error, which cancels the rest (FailFast, the default), or all of
// them (CollectAll); a ResultGroup also returns every task's value in
// submission order, failed or not, with each task's error. No zero value
// is usable: each is made by its constructor.
//
// A task is a func(ctx) error (a ResultGroup's and Do's also return a
// value). A ctx already done is refused at once; a task whose ctx ends
// before it starts never starts. Timeout gives each task its own deadline
// from when it starts; 0 means none.
//
// Who waits. A group's Wait and Do wait for their tasks, return their
// errors, and re-raise a task's panic as a *tandem.PanicError; a task that
// calls runtime.Goexit fails with tandem.ErrGoexit. A Pool task has no
// waiter: its error goes to OnError and its panic to OnPanic, or else
// crashes the program as in a go statement. A handler that panics crashes
// the program; one that calls Goexit loses nothing. When Close, Shutdown or
// Wait returns, every goroutine it started has exited, and no task of a
// Pool runs after Close returns. Idle workers exit after a short while and
// nothing runs in the background, so an idle Pool has no goroutine.
//
// A task may submit into its own pool. Submit called from the task's own
// goroutine, with its ctx, on a full pool runs the new task inline, on
// that worker, rather than wait for itself (ants #197): the task waits
// while its worker runs the new one, so no more than Workers goroutines
// ever run tasks. A group made with a task's ctx on the task's own pool,
// and Do, never queue their tasks there, where they could wait behind
// workers that all wait for them: they take a free worker or run inline on
// the waiting one; Call from a task does the same. The privilege belongs to
// the task's goroutine while the task runs, not to its ctx: a goroutine it
// started, or its ctx kept after it returned, submits as any caller does
// (InTask tells which a caller is). A group's Go never blocks while
// one of its tasks is in flight. Close and Shutdown called from a task of
// the pool panic. These deadlocks are not detected: a group's Wait called
// by one of its own tasks, a task that waits for a goroutine calling Close
// or for a task it gave Submit, and two full pools whose tasks submit into
// each other and wait.
//
// Stats counts every task handed to a Pool, by any route, exactly once, and
// its counts add up.
//
// Costs, as orders: accepting a task is a lock and no allocation, a Call a
// few locks, a wake-up and no allocation; a worker grows its stack once,
// not per task; a group costs a few allocations, then none per task
// besides the task's closure; memory follows what is queued and running,
// not Workers. The figures are in bench/README.md.
package pool
