package pool

import (
	"time"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/misuse"
)

// Unlimited, given to NewGroup or NewResultGroup as the number of workers,
// lets a group run every task at once, as a zero errgroup.Group does. On a
// shared Pool (OnPool) the pool's bound still applies. New does not accept
// it: a Pool is shared, and its bound is the point of it.
const Unlimited = -1

// Option configures a Pool (New) or a group (NewGroup, NewResultGroup).
// Each option says where it applies; passing a Pool-only option to a group
// constructor, or the reverse, panics with a "pool: " message.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	queueSize int // -1: the default, as many as the workers
	onPanic   func(*tandem.PanicError)
	onError   func(error)
	timeout   time.Duration
	on        *Pool
	collect   bool

	poolOnly  string // name of a Pool-only option given, for the misuse panic
	groupOnly string // name of a group-only option given
}

// buildOptions is the one place defaults are set. where is "pool: Name",
// the constructor that received opts.
func buildOptions(where string, opts []Option) options {
	o := options{queueSize: -1}
	for _, opt := range opts {
		if opt == nil {
			misuse.Panicf(where, "nil Option")
		}
		opt.apply(&o)
	}
	return o
}

func poolOptions(opts []Option) options {
	o := buildOptions("pool: New", opts)
	if o.groupOnly != "" {
		misuse.NotApplicable("pool: New", o.groupOnly, "groups")
	}
	return o
}

func groupOptions(where string, opts []Option) options {
	o := buildOptions(where, opts)
	if o.poolOnly != "" {
		misuse.NotApplicable(where, o.poolOnly, "New")
	}
	return o
}

// QueueSize sets how many accepted tasks may wait for a worker when every
// worker is busy: beyond it Submit blocks and TrySubmit fails with ErrFull.
// Zero means no queue: a task is accepted only when a worker can start it.
// The queue's memory follows what it holds, not n. Default: as many as the
// workers given to New. Pool only. QueueSize panics if n < 0.
func QueueSize(n int) Option {
	if n < 0 {
		misuse.Panicf("pool: QueueSize", "n must not be negative, got %d", n)
	}
	return optionFunc(func(o *options) { o.queueSize, o.poolOnly = n, "QueueSize" })
}

// OnPanic makes a panic in a task submitted with Submit or TrySubmit,
// which has no waiter, call handle on the worker instead of crashing the
// program; the task counts as Panicked and the pool goes on. Default: none,
// so such a panic crashes the program as a panic in a go statement does.
// Tasks with a waiter (a group's, Do's) are not affected: their waiter
// re-raises the panic.
//
// A handler runs on the worker, which it holds until it returns. If handle
// panics, the program crashes, the handler being the last code that could
// deal with the panic. If it calls runtime.Goexit, the worker is replaced
// and nothing else changes. Like the task, it must not call Close or
// Shutdown. Pool only. OnPanic panics if handle is nil.
func OnPanic(handle func(*tandem.PanicError)) Option {
	misuse.Nil("pool: OnPanic", "function", handle)
	return optionFunc(func(o *options) { o.onPanic, o.poolOnly = handle, "OnPanic" })
}

// OnError makes the pool call handle with every error a task submitted
// with Submit or TrySubmit returns, on the worker, after the task returned:
// its own errors, the ctx errors of a task stopped by its ctx or by Timeout,
// and tandem.ErrGoexit for a task that called runtime.Goexit. A panic goes
// to OnPanic instead, never to handle, so that setting OnError alone does
// not make panics survivable. A task that never started is not reported:
// its ctx ended, or Shutdown dropped it, and Stats.NotStarted counts it.
// Default: none, and the errors are only counted in Stats. Tasks with a
// waiter (a group's, Do's) are not affected: their waiter gets the error.
// A handler that fails behaves as OnPanic's does. Pool only. OnError
// panics if handle is nil.
func OnError(handle func(error)) Option {
	misuse.Nil("pool: OnError", "function", handle)
	return optionFunc(func(o *options) { o.onError, o.poolOnly = handle, "OnError" })
}

// Timeout runs each task with a ctx that ends d after the task starts,
// inside the ctx it was submitted with; time in the queue does not count.
// A task that returns an error because only its Timeout ran out counts as
// Failed, not Canceled: being too slow is its own failure. It costs a
// context.WithTimeout per task. For a group it applies to the group's
// tasks, whichever pool runs them. Default, and d = 0: no timeout. Timeout
// panics if d < 0.
func Timeout(d time.Duration) Option {
	if d < 0 {
		misuse.Panicf("pool: Timeout", "d must not be negative, got %v", d)
	}
	return optionFunc(func(o *options) { o.timeout = d })
}

// OnPool runs a group's tasks on the workers of p, so they count toward
// p's bound and its Stats as well as the group's own. A group's tasks
// queue in p behind the tasks already waiting there, so that a big group
// cannot keep workers to itself; but a group made with the ctx of a task
// of p, whose Wait is likely to hold one of p's workers, never queues
// there: its tasks take free workers, run inline on the worker of the
// goroutine that gives them to Go, or wait in the group for the group's
// tasks in flight. Default: the group starts its own workers, up to its
// bound, and stops them in Wait. Group only. OnPool panics if p is nil.
func OnPool(p *Pool) Option {
	if p == nil {
		misuse.Panicf("pool: OnPool", "nil Pool")
	}
	return optionFunc(func(o *options) { o.on, o.groupOnly = p, "OnPool" })
}

// CollectAll makes a group run every task whatever the others return, and
// Wait return errors.Join of all task errors, in submission order. The
// default is FailFast. A panic cancels the group in both modes. Of
// CollectAll and FailFast, the last given wins. Group only.
func CollectAll() Option {
	return optionFunc(func(o *options) { o.collect, o.groupOnly = true, "CollectAll" })
}

// FailFast, the default, makes a group's first task error cancel the
// group's ctx: tasks not yet started never start, and Wait returns that
// first error. A group's tasks share one outcome, as errgroup's do; use
// CollectAll when each task's own outcome matters. Group only.
func FailFast() Option {
	return optionFunc(func(o *options) { o.collect, o.groupOnly = false, "FailFast" })
}
