package parallel

import (
	"context"

	"github.com/tandem-go/tandem/internal/misuse"
)

// For calls body(ctx, lo, hi) over disjoint chunks that together cover
// [0, n), on the caller and on up to Workers-1 helper goroutines, and
// returns when every chunk is done. It is the primitive of the package: a
// body that loops over its range costs nothing per item.
//
// Chunks are handed out dynamically and grow while they are fast, so their
// boundaries depend on timing; with Chunk(size) they are fixed and body runs
// once per chunk of size items. Calls of body may run concurrently, so they
// must only touch their own range, or synchronize. The ctx a body receives
// is ctx, or once helpers run a context derived from it that For cancels
// before it returns: it is for the body's own use, not to keep.
//
// For returns nil when every call of body returned nil. Otherwise it
// returns the first error a body returned, once the chunks in flight are
// done: the error stops the hand-out of chunks, and the ctx the other bodies
// received is canceled with the error as its cause, so a long chunk can stop
// early too. ctx is checked before every call of body: once it is done, no
// call starts and For returns context.Cause(ctx), unless every call had
// already started. An element function that can fail is written with For:
// loop over the range, return the first error.
//
// A panic in body stops the hand-out too and is raised in the caller as a
// *tandem.PanicError once the chunks in flight are done; a body that calls
// runtime.Goexit on a helper makes For return tandem.ErrGoexit.
//
// For panics with "parallel: For: nil context" when ctx is nil, "parallel:
// For: nil function" when body is nil, "parallel: For: n must not be
// negative, got n" when n < 0, and "parallel: For: nil Option" when an
// option is nil.
func For(ctx context.Context, n int, body func(ctx context.Context, lo, hi int) error, opts ...Option) error {
	const where = "parallel: For"
	misuse.Ctx(where, ctx)
	if body == nil {
		misuse.Panicf(where, "nil function")
	}
	if n < 0 {
		misuse.Panicf(where, "n must not be negative, got %d", n)
	}
	var c call[struct{}, struct{}]
	c.kind, c.body = forKind, body
	c.configure(where, ctx, n, opts)
	_, err := c.execute()
	return err
}
