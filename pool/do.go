package pool

import (
	"context"

	"github.com/tandem-go/tandem/internal/misuse"
)

// Do runs task on p, with a ctx derived from ctx, and returns what it
// returns: one call for "take one of the shared pool's slots, do this,
// give me the result". While every worker of p is busy and its queue is
// full, Do waits for room, until ctx is done (it returns ctx's cause and
// task never runs) or p is closed (ErrClosed). Once task runs, Do waits for
// it to return: task should honour its ctx. p's Timeout applies, and the
// task counts in p's Stats like any other. Called from a task of p with
// its ctx, Do never queues task behind workers that may all be waiting: it
// takes a free worker or runs task inline, on the calling worker (see
// OnPool).
//
// A panic in task is re-raised in the caller as a *tandem.PanicError (p's
// OnPanic handler is not called: the caller is the waiter); a task that
// calls runtime.Goexit fails with tandem.ErrGoexit. Do is a one-task
// ResultGroup on p and costs its few allocations. Do panics if ctx, p or
// task is nil.
func Do[T any](ctx context.Context, p *Pool, task func(ctx context.Context) (T, error)) (T, error) {
	misuse.Ctx("pool: Do", ctx)
	if p == nil {
		misuse.Panicf("pool: Do", "nil Pool")
	}
	if task == nil {
		misuse.Panicf("pool: Do", "nil function")
	}
	r := &ResultGroup[T]{}
	r.g.init("pool: Do", "pool: Do", ctx, 1, options{on: p, timeout: p.timeout}, r.runTask, r.addSlot)
	r.g.submit(task)
	values, err := r.Wait()
	return values[0], err
}
