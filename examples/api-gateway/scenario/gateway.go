package scenario

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tandem-go/tandem/examples/internal/httpjson"
	"github.com/tandem-go/tandem/examples/internal/standin"
	"github.com/tandem-go/tandem/pool"
)

// Backends are the base URLs of the services a dashboard is built from.
type Backends struct {
	Profile, Orders string
	// Recs and RecsReplica serve the same recommendations; either can answer.
	Recs, RecsReplica string
}

// Dashboard is what GET /dashboard/{user} answers.
type Dashboard struct {
	User    string                `json:"user"`
	Profile standin.BackendReply  `json:"profile"`
	Orders  standin.BackendReply  `json:"orders"`
	Recs    *standin.BackendReply `json:"recommendations,omitempty"` // nil: degraded, shown without them
	// RecsFrom names the replica that answered.
	RecsFrom string `json:"recommendations_from,omitempty"`
}

// Gateway is the API in front of the backends. Route:
//
//	GET /dashboard/{user}   profile, orders and recommendations in one answer
type Gateway struct {
	backends Backends
	client   *http.Client
	// calls bounds the backend calls in flight across all requests of the
	// fanout handler, whatever the number of users.
	calls *pool.Pool
	build func(ctx context.Context, user string) (Dashboard, error)
}

// Handler returns the gateway's routes.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dashboard/{user}", func(w http.ResponseWriter, r *http.Request) {
		d, err := g.build(r.Context(), r.PathValue("user"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		httpjson.Write(w, d)
	})
	return mux
}

func (g *Gateway) get(ctx context.Context, base, path string) (standin.BackendReply, error) {
	var r standin.BackendReply
	err := httpjson.Get(ctx, g.client, base+path, &r)
	return r, err
}

// buildSequential is the handler as first written: one backend after the
// other, no timeout of its own, no retry, the primary recommendations
// replica only. Its latency is the sum of the three, and the slow tail of
// any one of them is the dashboard's tail.
func (g *Gateway) buildSequential(ctx context.Context, user string) (Dashboard, error) {
	d := Dashboard{User: user}
	var err error
	if d.Profile, err = g.get(ctx, g.backends.Profile, "/profiles/"+user); err != nil {
		return d, fmt.Errorf("profile: %w", err)
	}
	if d.Orders, err = g.get(ctx, g.backends.Orders, "/orders/"+user); err != nil {
		return d, fmt.Errorf("orders: %w", err)
	}
	if recs, err := g.get(ctx, g.backends.Recs, "/recommendations/"+user); err == nil {
		d.Recs, d.RecsFrom = &recs, recs.Backend
	}
	return d, nil
}

// standinBackends starts the loopback stand-ins and returns their URLs, and
// the stand-ins to close.
func standinBackends() (Backends, []*standin.Backend) {
	ms := time.Millisecond
	// The recommendation replicas are usually quick but one call in 20
	// hits a 300 ms stall (a cold cache, a GC pause): the tail that hedging
	// is for.
	recsLatency := standin.Latency{Min: 10 * ms, Max: 25 * ms, SlowFraction: 0.05, Slow: 300 * ms}
	all := []*standin.Backend{
		standin.NewBackend("profile", standin.Latency{Min: 5 * ms, Max: 15 * ms}, 0),
		standin.NewBackend("orders", standin.Latency{Min: 10 * ms, Max: 30 * ms}, 0.05),
		standin.NewBackend("recs-primary", recsLatency, 0),
		standin.NewBackend("recs-replica", recsLatency, 0),
	}
	return Backends{Profile: all[0].URL, Orders: all[1].URL, Recs: all[2].URL, RecsReplica: all[3].URL}, all
}
