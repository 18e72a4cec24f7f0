package pool

import (
	"context"

	"github.com/tandem-go/tandem/internal/misuse"
)

// ResultGroup is a Group whose tasks return a value: Wait returns the
// values in the order the tasks were given to Go, whatever order they
// finished in, and Errs tells which of them failed and how. Everything
// said of Group holds for it.
//
// Partial results: on failure as on success, Wait returns one value per
// task, in submission order: the value a task returned, even beside its
// error, and the zero value for a task that panicked or never ran. Errs
// gives each task's error at the same index.
type ResultGroup[T any] struct {
	g      group
	values []T
}

// NewResultGroup returns a ResultGroup whose tasks run with a ctx derived
// from ctx, at most workers at once, or all at once with Unlimited.
// Options: OnPool, FailFast, CollectAll, Timeout. It panics as NewGroup
// does.
func NewResultGroup[T any](ctx context.Context, workers int, opts ...Option) *ResultGroup[T] {
	r := &ResultGroup[T]{}
	r.g.keepErrs = true
	r.g.init("pool: NewResultGroup", "pool: ResultGroup", ctx, workers, groupOptions("pool: NewResultGroup", opts), r.runTask, r.addSlot)
	return r
}

func (r *ResultGroup[T]) addSlot() {
	var zero T
	r.values = append(r.values, zero)
}

func (r *ResultGroup[T]) runTask(ctx context.Context, task any, index int) error {
	v, err := task.(func(context.Context) (T, error))(ctx)
	r.g.mu.Lock()
	r.values[index] = v // kept even with an error: a partial result
	r.g.mu.Unlock()
	return err
}

// Go starts task, or holds it, as Group.Go does. Its value lands at the
// index of this call among all calls of Go. It panics if task is nil or if
// Wait has returned.
func (r *ResultGroup[T]) Go(task func(ctx context.Context) (T, error)) {
	if task == nil {
		misuse.Panicf("pool: ResultGroup.Go", "nil function")
	}
	r.g.submit(task)
}

// Wait waits for every task as Group.Wait does, panics as it does, and
// returns the same error, with every task's value in submission order (see
// ResultGroup). The slice is the group's: Wait returns the same slice each
// time.
func (r *ResultGroup[T]) Wait() ([]T, error) {
	err := r.g.wait()
	return r.values, err
}

// Errs returns, after Wait, the error of each task in submission order: nil
// for a task that succeeded, the task's error, the *tandem.PanicError of a
// task that panicked, tandem.ErrGoexit for one that called runtime.Goexit,
// or the ctx's error (or ErrClosed) for one that never started. It returns
// nil when every task succeeded, and panics if called before Wait has
// returned.
func (r *ResultGroup[T]) Errs() []error {
	r.g.mu.Lock()
	defer r.g.mu.Unlock()
	if !r.g.waited {
		misuse.Panicf("pool: ResultGroup.Errs", "called before Wait returned")
	}
	return r.g.itemErrs
}
