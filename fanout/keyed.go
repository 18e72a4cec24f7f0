package fanout

import (
	"context"
	"reflect"
	"time"

	"github.com/tandem-go/tandem/ratelimit"
)

// inputLimiter paces the inputs of one fan-out by a key taken from each
// input. PacePerKey stores one, typed on the input, as an anyInputLimiter
// (options are not generic); Map, Stream and First assert it back to their
// input type.
type inputLimiter[In any] interface {
	anyInputLimiter
	wait(ctx context.Context, in In) error
	deferUntil(in In, t time.Time)
}

// anyInputLimiter is an inputLimiter of any input type.
type anyInputLimiter interface {
	// keyInput is the type the key function takes, for the misuse message
	// when it is not the inputs' type.
	keyInput() reflect.Type
}

type keyedLimiter[In any, K comparable] struct {
	waiter   ratelimit.KeyedWaiter[K]
	key      func(In) K
	deferrer ratelimit.KeyedDeferrer[K] // nil when the waiter cannot be pushed back
}

func (l *keyedLimiter[In, K]) keyInput() reflect.Type { return reflect.TypeFor[In]() }

func (l *keyedLimiter[In, K]) wait(ctx context.Context, in In) error {
	return l.waiter.WaitN(ctx, l.key(in), 1)
}

func (l *keyedLimiter[In, K]) deferUntil(in In, t time.Time) {
	if l.deferrer != nil {
		l.deferrer.DeferUntil(l.key(in), t)
	}
}
