package fanout_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/ratelimit"
)

// These tests run a real HTTP server on loopback in real time, kept to a
// few hundred milliseconds each. They assert behaviour (429s or none, every
// item done, who won), never durations.

// quotaServer serves GET /item/N within a quota of perSecond requests with
// a burst (GCRA), and answers 429 with a Retry-After-Ms header (the time
// until the quota admits a request) beyond it.
type quotaServer struct {
	*httptest.Server
	interval time.Duration
	burst    int

	mu       sync.Mutex
	tat      time.Time
	ok       atomic.Int64
	rejected atomic.Int64
}

func newQuotaServer(t *testing.T, perSecond float64, burst int) *quotaServer {
	s := &quotaServer{interval: time.Duration(float64(time.Second) / perSecond), burst: burst}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *quotaServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	now := time.Now()
	tat := s.tat
	if tat.Before(now) {
		tat = now
	}
	allowAt := tat.Add(s.interval - time.Duration(s.burst)*s.interval)
	if allowAt.After(now) {
		s.mu.Unlock()
		s.rejected.Add(1)
		ms := (allowAt.Sub(now) + time.Millisecond - 1) / time.Millisecond
		w.Header().Set("Retry-After-Ms", strconv.FormatInt(int64(ms), 10))
		http.Error(w, "quota exceeded", http.StatusTooManyRequests)
		return
	}
	s.tat = tat.Add(s.interval)
	s.mu.Unlock()
	s.ok.Add(1)
	fmt.Fprint(w, r.URL.Path)
}

// httpClient returns a client whose idle connections close with the test,
// so goleak sees no transport goroutine left behind.
func httpClient(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// get fetches url and turns a 429 into fanout.RetryAfter with the server's
// hint.
func get(ctx context.Context, c *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		ms, _ := strconv.Atoi(resp.Header.Get("Retry-After-Ms"))
		return "", fanout.RetryAfter(errors.New(resp.Status), time.Duration(ms)*time.Millisecond)
	case resp.StatusCode != http.StatusOK:
		return "", errors.New(resp.Status)
	}
	return string(body), nil
}

func items(n int) []int {
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	return in
}

func TestHTTPAtTheRightRateGetsNo429(t *testing.T) {
	srv := newQuotaServer(t, 200, 20)
	c := httpClient(t)
	var st fanout.Stats
	results, err := fanout.Map(t.Context(), items(40), func(ctx context.Context, i int) (string, error) {
		return get(ctx, c, srv.URL+"/item/"+strconv.Itoa(i))
	}, fanout.Workers(8), fanout.Pace(ratelimit.New(200, 1)), fanout.StatsTo(&st))
	require.NoError(t, err)
	for i, r := range results {
		assert.Equal(t, "/item/"+strconv.Itoa(i), r.Value)
	}
	assert.Zero(t, srv.rejected.Load(), "429s at the server's own rate")
	assert.Equal(t, int64(40), srv.ok.Load())
	assert.Zero(t, st.Retries)
}

func TestHTTPTooFastRetriesWithTheServersHintAndCompletesEveryItem(t *testing.T) {
	for _, tc := range []struct {
		name string
		rate *watchedLimiter // nil: no client rate at all
	}{
		{"no client rate, the fan-out's gate backs off", nil},
		{"client rate 5x the quota, pushed back", watch(ratelimit.New(1000, 10))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newQuotaServer(t, 200, 5)
			c := httpClient(t)
			var st fanout.Stats
			opts := []fanout.Option{fanout.Workers(8), fanout.Attempts(50), fanout.StatsTo(&st)}
			if tc.rate != nil {
				opts = append(opts, fanout.Pace(tc.rate))
			}
			results, err := fanout.Map(t.Context(), items(40), func(ctx context.Context, i int) (string, error) {
				return get(ctx, c, srv.URL+"/item/"+strconv.Itoa(i))
			}, opts...)
			require.NoError(t, err)
			for i, r := range results {
				assert.Equal(t, fanout.Succeeded, r.Status, "item %d: %v", i, r.Err)
			}
			assert.Positive(t, srv.rejected.Load(), "the client was too fast; the server should have said so")
			assert.Equal(t, int64(40), srv.ok.Load())
			assert.Equal(t, int(srv.rejected.Load()), st.Retries, "one retry per 429")
			assert.Positive(t, st.Paced)
			if tc.rate != nil {
				assert.Positive(t, tc.rate.deferrals.Load(), "the hint pushed the client's limiter back")
			}
		})
	}
}

// replica serves after delay (or when the client gives up), counting the
// requests it saw canceled.
func replica(t *testing.T, name string, delay time.Duration, canceled *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
			fmt.Fprint(w, name)
		case <-r.Context().Done():
			canceled.Add(1)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPHedgedCallsLetTheFastReplicaWinAndCancelTheSlowOne(t *testing.T) {
	var canceled atomic.Int64
	slow := replica(t, "slow", 10*time.Second, &canceled)
	fast := replica(t, "fast", 0, &canceled)
	c := httpClient(t)
	results, err := fanout.Map(t.Context(), []string{slow.URL, fast.URL}, func(ctx context.Context, url string) (string, error) {
		return get(ctx, c, url)
	}, fanout.FirstSuccess(20*time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, fanout.Canceled, results[0].Status)
	assert.Equal(t, "fast", results[1].Value)
	slow.Close() // waits for the slow handler, which must see the cancellation
	assert.Equal(t, int64(1), canceled.Load(), "the slow replica's request was canceled")
}

func TestHTTPQuorumOfReplicasToleratesOneDown(t *testing.T) {
	var canceled atomic.Int64
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	a := replica(t, "a", 0, &canceled)
	b := replica(t, "b", 0, &canceled)
	c := httpClient(t)
	results, err := fanout.Map(t.Context(), []string{down.URL, a.URL, b.URL}, func(ctx context.Context, url string) (string, error) {
		return get(ctx, c, url)
	}, fanout.Quorum(2))
	require.NoError(t, err)
	assert.NotEqual(t, fanout.Succeeded, results[0].Status, "failed, or canceled once a and b answered")
	assert.Equal(t, "a", results[1].Value)
	assert.Equal(t, "b", results[2].Value)

	_, err = fanout.Map(t.Context(), []string{down.URL, down.URL, a.URL}, func(ctx context.Context, url string) (string, error) {
		return get(ctx, c, url)
	}, fanout.Quorum(2))
	require.ErrorIs(t, err, fanout.ErrNoQuorum)
	assert.Contains(t, err.Error(), "503")
}

func TestHTTPFailFastStopsSendingRequests(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path == "/item/5" {
			http.Error(w, "broken item", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)
	c := httpClient(t)
	var st fanout.Stats
	_, err := fanout.Map(t.Context(), items(100), func(ctx context.Context, i int) (string, error) {
		return get(ctx, c, srv.URL+"/item/"+strconv.Itoa(i))
	}, fanout.Workers(1), fanout.FailFast(), fanout.StatsTo(&st))
	require.EqualError(t, err, "500 Internal Server Error")
	assert.Equal(t, int64(6), requests.Load(), "requests: items 0 to 5, none after the failure")
	assert.Equal(t, fanout.Stats{Inputs: 100, Succeeded: 5, Failed: 1, NotStarted: 94, Attempts: 6}, st)
}
