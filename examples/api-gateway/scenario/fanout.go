package scenario

import (
	"context"
	"fmt"
	"time"

	"github.com/tandem-go/tandem/examples/internal/standin"
	"github.com/tandem-go/tandem/fanout"
)

// Per-call budgets of the fanout handler.
const (
	// callTimeout bounds each attempt of each backend call.
	callTimeout = 200 * time.Millisecond
	// hedgeAfter is how long the primary recommendations replica has before
	// the same request goes to the other replica too; the first answer wins
	// and the other call is canceled. It sits above the replicas' usual
	// latency (10-25 ms), so only calls stuck in the slow tail are hedged:
	// about one in 20, the extra load hedging costs.
	hedgeAfter = 40 * time.Millisecond
)

// part is one backend call a dashboard needs.
type part struct {
	name string
	call func(ctx context.Context) (standin.BackendReply, error)
}

// buildFanout is the handler with fanout: the three calls at once, each
// attempt bounded by callTimeout, failed calls retried (up to 3 attempts,
// with jittered backoff), and recommendations hedged across two replicas.
// Profile and orders are required; without recommendations the dashboard
// is served degraded rather than failed. Every call is a task of the
// gateway's pool (OnPool), so all requests together keep under one bound
// of backend calls; the hedged race runs inside the recommendations call,
// a task of that pool, and lends it its worker rather than wait for one.
func (g *Gateway) buildFanout(ctx context.Context, user string) (Dashboard, error) {
	parts := []part{
		{"profile", func(ctx context.Context) (standin.BackendReply, error) {
			return g.get(ctx, g.backends.Profile, "/profiles/"+user)
		}},
		{"orders", func(ctx context.Context) (standin.BackendReply, error) {
			return g.get(ctx, g.backends.Orders, "/orders/"+user)
		}},
		{"recommendations", func(ctx context.Context) (standin.BackendReply, error) {
			replicas := []string{g.backends.Recs, g.backends.RecsReplica}
			return fanout.First(ctx, replicas, func(ctx context.Context, base string) (standin.BackendReply, error) {
				return g.get(ctx, base, "/recommendations/"+user)
			}, hedgeAfter, fanout.OnPool(g.calls))
		}},
	}
	results, _ := fanout.Map(ctx, parts, func(ctx context.Context, p part) (standin.BackendReply, error) {
		return p.call(ctx)
	}, fanout.Timeout(callTimeout), fanout.Attempts(3), fanout.Backoff(5*time.Millisecond, 50*time.Millisecond), fanout.OnPool(g.calls))

	d := Dashboard{User: user, Profile: results[0].Value, Orders: results[1].Value}
	for i, r := range results[:2] {
		if r.Err != nil {
			return d, fmt.Errorf("%s: %w", parts[i].name, r.Err)
		}
	}
	if recs := results[2]; recs.Err == nil {
		d.Recs, d.RecsFrom = &recs.Value, recs.Value.Backend
	}
	return d, nil
}
