package standin

import (
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Provider stands in for a third-party API with a quota (an SMS or e-mail
// gateway, say). It allows Rate requests per second, with bursts of Burst,
// and answers beyond that with 429 Too Many Requests and a Retry-After header
// in whole seconds, as RFC 9110 and most real APIs do. Routes:
//
//	POST /notify   accepted: 202 after the latency; over quota: 429 at once
type Provider struct {
	URL string

	srv     *httptest.Server
	latency Latency

	accepted  atomic.Int64
	throttled atomic.Int64

	// The quota is a token bucket: tokens refill at rate per second up to
	// burst, and each accepted request takes one.
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

// NewProvider starts a Provider that allows rate requests per second in
// bursts of at most burst, each accepted request taking 5-15 ms. Close it
// when done.
func NewProvider(rate, burst int) *Provider {
	p := &Provider{
		latency: Latency{Min: 5 * time.Millisecond, Max: 15 * time.Millisecond},
		rate:    float64(rate),
		burst:   float64(burst),
		tokens:  float64(burst),
		last:    time.Now(),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /notify", p.notify)
	p.srv = httptest.NewServer(mux)
	p.URL = p.srv.URL
	return p
}

// Close shuts the server down, waiting for requests in progress.
func (p *Provider) Close() { p.srv.Close() }

// Accepted is the number of requests served within the quota.
func (p *Provider) Accepted() int64 { return p.accepted.Load() }

// TooManyRequests is the number of requests answered with 429.
func (p *Provider) TooManyRequests() int64 { return p.throttled.Load() }

func (p *Provider) notify(w http.ResponseWriter, r *http.Request) {
	if wait, ok := p.take(); !ok {
		p.throttled.Add(1)
		secs := max(1, int(math.Ceil(wait.Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		http.Error(w, "quota exceeded", http.StatusTooManyRequests)
		return
	}
	p.accepted.Add(1)
	if p.latency.wait(r.Context()) != nil {
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// take spends a token if there is one, or says how long until there is.
func (p *Provider) take() (wait time.Duration, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	p.tokens = min(p.burst, p.tokens+now.Sub(p.last).Seconds()*p.rate)
	p.last = now
	if p.tokens >= 1 {
		p.tokens--
		return 0, true
	}
	return time.Duration((1 - p.tokens) / p.rate * float64(time.Second)), false
}
