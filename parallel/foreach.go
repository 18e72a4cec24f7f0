package parallel

import "context"

// ForEach calls fn(i, &in[i]) for every element, in parallel, and returns
// when all are done. fn may modify the element it is given. It costs an
// indirect call per element (about 1-2 ns), which matters only when fn is
// trivial; For over the indexes then runs at the speed of a plain loop.
// Scheduling, panics and options are those of For.
func ForEach[T any](in []T, fn func(i int, v *T), opts ...Option) {
	if fn == nil {
		panic("parallel: nil body")
	}
	var c call[T, struct{}]
	c.in, c.each = in, fn
	c.configure(len(in), opts)
	_, _ = c.execute()
}

// ForEachCtx is ForEach for functions that can fail; errors, cancellation
// and the context fn receives are those of ForCtx.
func ForEachCtx[T any](ctx context.Context, in []T, fn func(ctx context.Context, i int, v *T) error, opts ...Option) error {
	if fn == nil {
		panic("parallel: nil body")
	}
	var c call[T, struct{}]
	c.in, c.eachCtx, c.fails = in, fn, true
	c.configureCtx(ctx, len(in), opts)
	_, err := c.execute()
	return err
}
