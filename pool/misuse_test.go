package pool_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/pool"
)

// Every misuse panics at the call that made it, with a "pool: Name: "
// message, Name being the function that received the bad value.
func TestMisusePanicsWithTheNameOfTheFunctionThatReceivedIt(t *testing.T) {
	var nilCtx context.Context
	var nilTask func(context.Context) error
	var nilValueTask func(context.Context) (int, error)
	ctx := t.Context()
	p := pool.New(1)
	defer p.Close()

	cases := []struct {
		want string
		call func()
	}{
		{"pool: New: workers must be at least 1, got 0", func() { pool.New(0) }},
		{"pool: New: workers must be at least 1, got -2", func() { pool.New(-2) }},
		{"pool: New: a Pool cannot be Unlimited (groups can)", func() { pool.New(pool.Unlimited) }},
		{"pool: New: nil Option", func() { pool.New(1, nil) }},
		{"pool: New: CollectAll does not apply here, it is an option of groups", func() { pool.New(1, pool.CollectAll()) }},
		{"pool: New: FailFast does not apply here, it is an option of groups", func() { pool.New(1, pool.FailFast()) }},
		{"pool: New: OnPool does not apply here, it is an option of groups", func() { pool.New(1, pool.OnPool(p)) }},
		{"pool: QueueSize: n must not be negative, got -1", func() { pool.QueueSize(-1) }},
		{"pool: Timeout: d must not be negative, got -1ns", func() { pool.Timeout(-1) }},
		{"pool: OnPanic: nil function", func() { pool.OnPanic(nil) }},
		{"pool: OnError: nil function", func() { pool.OnError(nil) }},
		{"pool: OnPool: nil Pool", func() { pool.OnPool(nil) }},

		{"pool: Submit: nil context", func() { _ = p.Submit(nilCtx, func(context.Context) error { return nil }) }},
		{"pool: Submit: nil function", func() { _ = p.Submit(ctx, nilTask) }},
		{"pool: TrySubmit: nil context", func() { _ = p.TrySubmit(nilCtx, func(context.Context) error { return nil }) }},
		{"pool: TrySubmit: nil function", func() { _ = p.TrySubmit(ctx, nil) }},
		{"pool: Shutdown: nil context", func() { _ = pool.New(1).Shutdown(nilCtx) }},
		{"pool: Resize: workers must be at least 1, got 0", func() { p.Resize(0) }},

		{"pool: NewGroup: nil context", func() { pool.NewGroup(nilCtx, 1) }},
		{"pool: NewGroup: workers must be at least 1 or Unlimited, got 0", func() { pool.NewGroup(ctx, 0) }},
		{"pool: NewGroup: workers must be at least 1 or Unlimited, got -2", func() { pool.NewGroup(ctx, -2) }},
		{"pool: NewGroup: nil Option", func() { pool.NewGroup(ctx, 1, pool.CollectAll(), nil) }},
		{"pool: NewGroup: QueueSize does not apply here, it is an option of New", func() { pool.NewGroup(ctx, 1, pool.QueueSize(1)) }},
		{"pool: NewGroup: OnPanic does not apply here, it is an option of New", func() {
			pool.NewGroup(ctx, 1, pool.OnPanic(func(*tandem.PanicError) {}))
		}},
		{"pool: NewGroup: OnError does not apply here, it is an option of New", func() { pool.NewGroup(ctx, 1, pool.OnError(func(error) {})) }},
		{"pool: NewResultGroup: nil context", func() { pool.NewResultGroup[int](nilCtx, 1) }},
		{"pool: NewResultGroup: workers must be at least 1 or Unlimited, got 0", func() { pool.NewResultGroup[int](ctx, 0) }},
		{"pool: NewResultGroup: nil Option", func() { pool.NewResultGroup[int](ctx, 1, nil) }},
		{"pool: NewResultGroup: QueueSize does not apply here, it is an option of New", func() {
			pool.NewResultGroup[int](ctx, 1, pool.QueueSize(1))
		}},
		{"pool: Group.Go: nil function", func() { pool.NewGroup(ctx, 1).Go(nil) }},
		{"pool: ResultGroup.Go: nil function", func() { pool.NewResultGroup[int](ctx, 1).Go(nilValueTask) }},

		{"pool: Do: nil context", func() { _, _ = pool.Do(nilCtx, p, func(context.Context) (int, error) { return 0, nil }) }},
		{"pool: Do: nil Pool", func() { _, _ = pool.Do(ctx, nil, func(context.Context) (int, error) { return 0, nil }) }},
		{"pool: Do: nil function", func() { _, _ = pool.Do(ctx, p, nilValueTask) }},
	}
	for _, c := range cases {
		assert.PanicsWithValue(t, c.want, c.call)
	}
}

func TestMisuseOfAGroupAfterWaitPanics(t *testing.T) {
	g := pool.NewGroup(t.Context(), 1)
	require.NoError(t, g.Wait())
	require.NoError(t, g.Wait(), "a second Wait returns the same")
	// conc #103 panicked with "send on closed channel" on reuse after Wait.
	assert.PanicsWithValue(t, "pool: Group.Go: called after Wait returned", func() {
		g.Go(func(context.Context) error { return nil })
	})
	r := pool.NewResultGroup[int](t.Context(), 1)
	assert.PanicsWithValue(t, "pool: ResultGroup.Errs: called before Wait returned", func() { r.Errs() })
	_, _ = r.Wait()
	assert.PanicsWithValue(t, "pool: ResultGroup.Go: called after Wait returned", func() {
		r.Go(func(context.Context) (int, error) { return 0, nil })
	})
}

// The zero Timeout is no timeout, everywhere, and never a panic.
func TestTimeoutZeroMeansNoTimeout(t *testing.T) {
	assert.NotPanics(t, func() { pool.Timeout(0) })
	p := pool.New(1, pool.Timeout(0))
	var hasDeadline bool
	require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error { _, hasDeadline = ctx.Deadline(); return nil }))
	p.Close()
	assert.False(t, hasDeadline, "Timeout(0) gave the task a deadline")
}
