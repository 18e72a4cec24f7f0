package scenario

import (
	"context"
	"net/http"
	"strconv"

	fin "github.com/tandem-go/tandem/examples/financial-report/scenario"
	"github.com/tandem-go/tandem/examples/internal/httpjson"
	"github.com/tandem-go/tandem/examples/internal/standin"
	"github.com/tandem-go/tandem/pool"
)

// reportFunc computes the risk report over a ledger.
type reportFunc func(ctx context.Context, txs []fin.Transaction, accounts int) (RiskReport, error)

// Server is the service: a cheap I/O endpoint and a CPU-heavy report
// endpoint on one mux, the shape of most backends.
//
//	GET /orders/{id}   waits on the cache service, computes nothing
//	GET /report        the risk report over the whole ledger, pure CPU
type Server struct {
	ledger   []fin.Transaction
	accounts int
	cacheURL string
	client   *http.Client
	report   reportFunc
	// slots, when set, is the service-wide pool that admits reports: a
	// report waits (blocked, using no CPU) for a free slot before it
	// computes.
	slots *pool.Pool
}

// Handler returns the server's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", s.order)
	mux.HandleFunc("GET /report", s.riskReport)
	return mux
}

func (s *Server) order(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	var reply standin.BackendReply
	if err := httpjson.Get(r.Context(), s.client, s.cacheURL+"/orders/"+strconv.Itoa(id), &reply); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	httpjson.Write(w, reply)
}

func (s *Server) riskReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.compute(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	httpjson.Write(w, rep)
}

// compute runs the report, in a slot of s.slots when there is one: the
// request's own group of one task on the service's pool, so the request
// waits for its report and a client that leaves gives up its place.
func (s *Server) compute(ctx context.Context) (RiskReport, error) {
	if s.slots == nil {
		return s.report(ctx, s.ledger, s.accounts)
	}
	var rep RiskReport
	g := pool.NewGroup(ctx, 1, pool.OnPool(s.slots))
	g.Go(func(ctx context.Context) error {
		var err error
		rep, err = s.report(ctx, s.ledger, s.accounts)
		return err
	})
	return rep, g.Wait()
}
