package parallel

import "context"

// Map returns fn applied to every element of in, in parallel; out[i] is
// fn(in[i]). It allocates the result (one allocation) and costs an indirect
// call per element. Scheduling, panics and options are those of For. To fill
// a slice you already have, use For: out[i] = f(in[i]) over each range.
func Map[T, R any](in []T, fn func(v T) R, opts ...Option) []R {
	if fn == nil {
		panic("parallel: nil body")
	}
	var c call[T, R]
	c.in, c.mapf = in, fn
	c.out = make([]R, len(in))
	c.configure(len(in), opts)
	_, _ = c.execute()
	return c.out
}

// MapCtx is Map for functions that can fail. It returns the results when
// every call returned nil, and otherwise nil and the first error (or
// context.Cause(ctx) when ctx ended the call); errors, cancellation and the
// context fn receives are those of ForCtx.
func MapCtx[T, R any](ctx context.Context, in []T, fn func(ctx context.Context, v T) (R, error), opts ...Option) ([]R, error) {
	if fn == nil {
		panic("parallel: nil body")
	}
	var c call[T, R]
	c.in, c.mapCtx, c.fails = in, fn, true
	c.out = make([]R, len(in))
	c.configureCtx(ctx, len(in), opts)
	if _, err := c.execute(); err != nil {
		return nil, err
	}
	return c.out, nil
}
