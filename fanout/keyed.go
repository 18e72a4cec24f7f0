package fanout

import (
	"context"
	"time"

	"github.com/tandem-go/tandem/ratelimit"
)

// inputLimiter paces the inputs of one fan-out by a key taken from each
// input. PacePerKey stores one, typed on the input, behind an any (options are
// not generic); Map and Stream assert it back to their input type.
type inputLimiter[In any] interface {
	wait(ctx context.Context, in In) error
	deferUntil(in In, t time.Time)
}

type keyedLimiter[In any, K comparable] struct {
	waiter   ratelimit.KeyedWaiter[K]
	key      func(In) K
	deferrer ratelimit.KeyedDeferrer[K] // nil when the waiter cannot be pushed back
}

func (l *keyedLimiter[In, K]) wait(ctx context.Context, in In) error {
	return l.waiter.WaitN(ctx, l.key(in), 1)
}

func (l *keyedLimiter[In, K]) deferUntil(in In, t time.Time) {
	if l.deferrer != nil {
		l.deferrer.DeferUntil(l.key(in), t)
	}
}
