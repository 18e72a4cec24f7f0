package pool

import "context"

// ResultGroup is a Group whose tasks return a value: Wait returns the
// values in the order the tasks were given to Go, whatever order they
// finished in, and Errs tells which of them failed. Everything said of
// Group holds for it.
type ResultGroup[T any] struct {
	g      group
	values []T
}

// NewResultGroup returns a ResultGroup whose tasks run with a ctx derived
// from ctx, at most limit at once. Options: OnPool, CollectErrors,
// WithTaskTimeout. It panics if ctx is nil, limit < 1, or given an option
// of New.
func NewResultGroup[T any](ctx context.Context, limit int, opts ...Option) *ResultGroup[T] {
	r := &ResultGroup[T]{}
	r.g.keepErrs = true
	r.g.init(ctx, limit, opts, r.runTask, r.addSlot)
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

// Go starts task, or queues it, as Group.Go does. Its value lands at the
// index of this call among all calls of Go. It panics if task is nil or if
// Wait has returned.
func (r *ResultGroup[T]) Go(task func(ctx context.Context) (T, error)) {
	if task == nil {
		panic("pool: ResultGroup.Go with a nil task")
	}
	r.g.submit(task)
}

// Wait waits for every task as Group.Wait does, panics as it does, and
// returns the same error, with the tasks' values in submission order. A
// task that failed keeps the value it returned with its error; one that
// never started leaves the zero value. The slice is the group's: Wait
// returns the same slice each time.
func (r *ResultGroup[T]) Wait() ([]T, error) {
	err := r.g.wait()
	return r.values, err
}

// Errs returns, after Wait, the error of each task in submission order: nil
// for a task that succeeded, the task's error, the *tandem.PanicError of a
// task that panicked, or the ctx's error (or ErrClosed) for one that never
// started. It returns nil when every task succeeded, and panics if called
// before Wait has returned.
func (r *ResultGroup[T]) Errs() []error {
	r.g.mu.Lock()
	defer r.g.mu.Unlock()
	if !r.g.waited {
		panic("pool: ResultGroup.Errs called before Wait returned")
	}
	return r.g.itemErrs
}
