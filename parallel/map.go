package parallel

import (
	"context"

	"github.com/tandem-go/tandem/internal/misuse"
)

// Map returns fn applied to every element of in, in parallel: out[i] is
// fn(in[i]). It allocates the result (one allocation) and costs one call
// of fn per element and nothing more, so fn is pure: it receives no context
// and cannot fail (see the package documentation for why). An element function that
// can fail is written with For over the caller's own result slice.
// Scheduling and options are those of For; an empty in gives an empty,
// non-nil result.
//
// Map's only error is context.Cause(ctx), when ctx ends before every chunk
// started: ctx is checked before each chunk, never per element. The result
// is then nil: no partial result. A panic in fn is raised in the caller as
// a *tandem.PanicError once the chunks in flight are done, and so is a
// runtime.Goexit of fn on a helper, with tandem.ErrGoexit as the value.
//
// Map panics with "parallel: Map: nil context" when ctx is nil, "parallel:
// Map: nil function" when fn is nil, and "parallel: Map: nil Option" when
// an option is nil.
func Map[T, R any](ctx context.Context, in []T, fn func(v T) R, opts ...Option) ([]R, error) {
	const where = "parallel: Map"
	misuse.Ctx(where, ctx)
	if fn == nil {
		misuse.Panicf(where, "nil function")
	}
	var c call[T, R]
	c.kind, c.in, c.mapf = mapKind, in, fn
	c.configure(where, ctx, len(in), opts)
	c.out = make([]R, len(in))
	if _, err := c.execute(); err != nil {
		return nil, err
	}
	return c.out, nil
}

// mapInto sets out[i] = f(in[i]) in order. The loop is unrolled by four:
// with a call per element that the compiler cannot inline, the loop's own
// bookkeeping (bounds checks, the index, the branch) is a good part of the
// cost of a trivial f (bench/README.md has the figures).
func mapInto[T, R any](out []R, in []T, f func(T) R) {
	out = out[:len(in)]
	i := 0
	for ; i+4 <= len(in); i += 4 {
		in4, out4 := in[i:i+4], out[i:i+4]
		out4[0], out4[1], out4[2], out4[3] = f(in4[0]), f(in4[1]), f(in4[2]), f(in4[3])
	}
	for ; i < len(in); i++ {
		out[i] = f(in[i])
	}
}
