package fanout

import (
	"context"
	"time"
)

// First races replicas of one request and returns the first value to
// succeed: Map under FirstSuccess(hedge), reduced to the winner. The losers'
// calls are canceled before First returns. When none succeeds, the error is
// ErrNoQuorum joined with every failure (and ctx's cause, if it stopped the
// race). opts may add Workers, Timeout, Pace, Attempts, StatsTo...; the
// race is First's policy, so a policy option among them is overridden
// whole. First panics as Map does, and if hedge < 0.
func First[In, Out any](ctx context.Context, replicas []In, call func(context.Context, In) (Out, error), hedge time.Duration, opts ...Option) (Out, error) {
	o, perKey := prepare("fanout: First", ctx, call, opts)
	checkHedge("fanout: First", hedge)
	o.policy = firstSuccess(hedge) // whatever policy opts chose
	results, err := mapInputs(ctx, replicas, call, &o, perKey)
	for _, r := range results {
		if r.Status == Succeeded {
			return r.Value, nil
		}
	}
	var zero Out
	return zero, err
}
