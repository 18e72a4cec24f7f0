package standin

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/tandem-go/tandem/examples/internal/httpjson"
)

// Backend stands in for an internal service (profiles, orders,
// recommendations, an enrichment API). Routes:
//
//	GET /{path...}   {"backend": name, "path": path} after the latency,
//	                 or 503 Service Unavailable for a FailureRate of requests
type Backend struct {
	URL  string
	Name string

	srv         *httptest.Server
	latency     Latency
	failureRate float64

	calls    atomic.Int64
	failures atomic.Int64
	inFlight gauge
}

// BackendReply is what a Backend answers.
type BackendReply struct {
	Backend string `json:"backend"`
	Path    string `json:"path"`
}

// NewBackend starts a Backend named name, answering with latency l and
// failing a fraction failureRate (0 to 1) of requests with 503. Close it when
// done.
func NewBackend(name string, l Latency, failureRate float64) *Backend {
	b := &Backend{Name: name, latency: l, failureRate: failureRate}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	b.URL = b.srv.URL
	return b
}

// Close shuts the server down, waiting for requests in progress.
func (b *Backend) Close() { b.srv.Close() }

// Calls is the number of requests received, including failed and abandoned ones.
func (b *Backend) Calls() int64 { return b.calls.Load() }

// Failures is the number of requests answered with 503.
func (b *Backend) Failures() int64 { return b.failures.Load() }

// PeakInFlight is the most requests the backend was serving at one moment.
func (b *Backend) PeakInFlight() int64 { return b.inFlight.Peak() }

func (b *Backend) serve(w http.ResponseWriter, r *http.Request) {
	b.calls.Add(1)
	b.inFlight.Inc()
	defer b.inFlight.Dec()
	if b.latency.wait(r.Context()) != nil {
		return
	}
	if b.failureRate > 0 && rand.Float64() < b.failureRate {
		b.failures.Add(1)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	httpjson.Write(w, BackendReply{Backend: b.Name, Path: r.URL.Path})
}
