package parallel

import "context"

// For calls body(lo, hi) over disjoint chunks that together cover [0, n),
// on the caller and on up to Workers-1 helper goroutines, and returns when
// every chunk is done. It is the primitive of the package: a body that loops
// over its range costs nothing per item, where ForEach and Map pay a function
// call per item.
//
// Chunks are handed out dynamically and grow while they are fast, so their
// boundaries depend on timing; with Chunk(size) they are fixed and body runs
// once per chunk of size items. Calls of body may run concurrently, so they
// must only touch their own range, or synchronize.
//
// A panic in body stops the hand-out of chunks and is raised in the caller
// as a *tandem.PanicError once the chunks in flight are done. For panics with
// "parallel: n must not be negative" when n < 0 and "parallel: nil body"
// when body is nil.
func For(n int, body func(lo, hi int), opts ...Option) {
	if body == nil {
		panic("parallel: nil body")
	}
	var c call[struct{}, struct{}]
	c.body = body
	c.configure(n, opts)
	_, _ = c.execute()
}

// ForCtx is For for bodies that can fail or should stop early. body receives
// a context that is canceled, with the error as its cause, once any chunk
// fails or panics, so a long chunk can stop too.
//
// The first error stops the hand-out of chunks and is returned once the
// chunks in flight are done. ctx is checked before each call of body (each
// chunk here; each element for the per-element Ctx forms): once it is done,
// no new call starts and ForCtx returns context.Cause(ctx), unless every
// call had already started. It returns nil when every chunk returned nil.
func ForCtx(ctx context.Context, n int, body func(ctx context.Context, lo, hi int) error, opts ...Option) error {
	if body == nil {
		panic("parallel: nil body")
	}
	var c call[struct{}, struct{}]
	c.bodyCtx, c.fails = body, true
	c.configureCtx(ctx, n, opts)
	_, err := c.execute()
	return err
}
