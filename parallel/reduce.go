package parallel

import (
	"context"

	"github.com/tandem-go/tandem/internal/misuse"
)

// Reduce cuts in into chunks, folds each chunk into a fresh accumulator made
// by identity, in parallel, and combines the chunk results left to right in
// chunk order: combine(combine(fold(identity(), c0), fold(identity(), c1)), ...).
// An empty input returns identity().
//
// The chunks are fixed by len(in) and the options alone (by default
// min(n, 8+n/128, 256) chunks of equal size, see Chunk and MinChunk), never
// by timing or the number of workers, and the combine order is fixed too. So
// for a given GOARCH (on amd64, a given GOAMD64 level), input length and
// options, a floating-point result is bit-identical on every run and
// machine, with any Workers and GOMAXPROCS. Across architectures it may
// differ: the compiler fuses x*y+z into one FMA instruction, which rounds
// once, on arm64, loong64, ppc64, ppc64le, riscv64 and s390x, and on amd64
// from GOAMD64=v3 on (an explicit conversion, float64(x*y)+z, prevents the
// fusion). The result differs from a plain left-to-right loop, which
// associates differently.
// combine must be associative for the result to mean anything; it need not
// be commutative.
//
// identity is a function so that accumulators that are maps or slices are
// never shared between chunks. fold sees a whole chunk, so a loop inside it
// costs nothing per item; it receives a context and may fail, as For's body
// does. To map each element and combine the results, loop in fold:
// acc = combine(acc, f(v)) for every v of the chunk.
//
// Reduce returns the reduction and nil when every fold returned nil.
// Otherwise it returns the zero A, never a partial reduction, and the first
// error a fold returned, or context.Cause(ctx) when ctx ended the call;
// errors, cancellation, the context fold receives, panics and Goexit are
// those of For.
//
// Reduce panics with "parallel: Reduce: nil context" when ctx is nil,
// "parallel: Reduce: nil identity function", "nil fold function" or "nil
// combine function" when one of them is nil, and "parallel: Reduce: nil
// Option" when an option is nil.
func Reduce[T, A any](ctx context.Context, in []T, identity func() A, fold func(ctx context.Context, acc A, chunk []T) (A, error), combine func(a, b A) A, opts ...Option) (A, error) {
	const where = "parallel: Reduce"
	misuse.Ctx(where, ctx)
	switch {
	case identity == nil:
		misuse.Panicf(where, "nil identity function")
	case fold == nil:
		misuse.Panicf(where, "nil fold function")
	case combine == nil:
		misuse.Panicf(where, "nil combine function")
	}
	var c call[T, A]
	c.kind, c.in = reduceKind, in
	c.identity, c.fold, c.combine = identity, fold, combine
	c.configure(where, ctx, len(in), opts)
	return c.execute()
}
