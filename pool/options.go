package pool

import (
	"fmt"
	"time"

	"github.com/tandem-go/tandem"
)

// Option configures a Pool (New) or a group (NewGroup, NewResultGroup).
// Each option says where it applies; passing a Pool-only option to a group
// constructor, or the reverse, panics with a "pool: " message.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	queueSize   int
	onPanic     func(*tandem.PanicError)
	taskTimeout time.Duration
	on          *Pool
	collect     bool

	poolOnly  string // name of a Pool-only option given, for the misuse panic
	groupOnly string // name of a group-only option given
}

// buildOptions is the one place defaults are set.
func buildOptions(limit int, opts []Option) options {
	o := options{queueSize: limit}
	for _, opt := range opts {
		if opt == nil {
			panic("pool: nil Option")
		}
		opt.apply(&o)
	}
	return o
}

func poolOptions(limit int, opts []Option) options {
	o := buildOptions(limit, opts)
	if o.groupOnly != "" {
		panic(fmt.Sprintf("pool: %s is an option of groups, not of New", o.groupOnly))
	}
	return o
}

func groupOptions(limit int, opts []Option) options {
	o := buildOptions(limit, opts)
	if o.poolOnly != "" {
		panic(fmt.Sprintf("pool: %s is an option of New, not of groups", o.poolOnly))
	}
	return o
}

// WithQueueSize sets how many accepted tasks may wait for a worker when all
// are busy: Submit blocks and TrySubmit fails with ErrFull beyond it. Zero
// means no queue: a task is accepted only when a worker can start it.
// Default: the limit given to New. Pool only. Panics if n < 0.
func WithQueueSize(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("pool: WithQueueSize(%d): size must be >= 0", n))
	}
	return optionFunc(func(o *options) { o.queueSize, o.poolOnly = n, "WithQueueSize" })
}

// WithPanicHandler makes a panic in a Pool task (one submitted with Submit
// or TrySubmit, which has no waiter) call handle in the worker instead of
// crashing the program. Group tasks are not affected: their panics are
// re-raised by Wait. Default: none, so such a panic crashes the program
// like a panic in a go statement does. Pool only. Panics if handle is nil.
func WithPanicHandler(handle func(*tandem.PanicError)) Option {
	if handle == nil {
		panic("pool: WithPanicHandler(nil)")
	}
	return optionFunc(func(o *options) { o.onPanic, o.poolOnly = handle, "WithPanicHandler" })
}

// WithTaskTimeout runs each task with a ctx that ends d after the task
// starts, separate from (and inside) the ctx it was submitted with; time in
// the queue does not count. It costs a context.WithTimeout per task (3
// allocations). For a group it applies to the group's tasks, whichever pool
// runs them. Default: no timeout. Panics if d <= 0.
func WithTaskTimeout(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("pool: WithTaskTimeout(%v): timeout must be > 0", d))
	}
	return optionFunc(func(o *options) { o.taskTimeout = d })
}

// OnPool runs a group's tasks on the workers of p, so they count toward p's
// limit (and its Stats) as well as the group's own limit. Default: the group
// starts its own workers, up to its limit, and stops them in Wait. Group
// only. Panics if p is nil.
func OnPool(p *Pool) Option {
	if p == nil {
		panic("pool: OnPool(nil)")
	}
	return optionFunc(func(o *options) { o.on, o.groupOnly = p, "OnPool" })
}

// CollectErrors makes a group run every task whatever the others return,
// and Wait return errors.Join of all task errors, in submission order.
// Default: fail fast, the first error cancels the group's ctx, tasks not yet
// started never start, and Wait returns that first error. A panic cancels
// the group in both modes. Group only.
func CollectErrors() Option {
	return optionFunc(func(o *options) { o.collect, o.groupOnly = true, "CollectErrors" })
}
