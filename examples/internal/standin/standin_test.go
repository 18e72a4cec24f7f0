package standin_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/internal/httpjson"
	"github.com/tandem-go/tandem/examples/internal/standin"
)

func TestProviderAnswers429WithRetryAfterBeyondItsBurst(t *testing.T) {
	// A rate of 1/s refills nothing noticeable during the test, so exactly
	// the burst is accepted.
	p := standin.NewProvider(1, 5)
	defer p.Close()
	c := httpjson.Client(1)
	defer c.CloseIdleConnections()
	var throttled int
	for range 8 {
		err := httpjson.Post(t.Context(), c, p.URL+"/notify", map[string]string{"to": "a"}, nil)
		if err == nil {
			continue
		}
		require.True(t, httpjson.IsStatus(err, http.StatusTooManyRequests), "got %v, want a 429", err)
		d, ok := httpjson.RetryAfter(err)
		require.True(t, ok && d > 0, "Retry-After hint: got %v", d)
		throttled++
	}
	require.Equal(t, int64(5), p.Accepted(), "accepted of 8 with burst 5")
	require.Equal(t, 3, throttled, "429s of 8 with burst 5")
	require.Equal(t, int64(3), p.TooManyRequests(), "429s counted by the provider")
}

func TestDBCountsRowsWrittenTwice(t *testing.T) {
	db := standin.NewDBWithLatency(standin.Latency{})
	defer db.Close()
	c := httpjson.Client(1)
	defer c.CloseIdleConnections()
	rows := []standin.Row{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}
	require.NoError(t, httpjson.Post(t.Context(), c, db.URL+"/rows", rows, nil))
	require.NoError(t, httpjson.Post(t.Context(), c, db.URL+"/rows", rows[1:], nil))
	require.Equal(t, 2, db.Rows(), "distinct rows")
	require.Equal(t, 1, db.Duplicates(), "rows written twice")

	var u standin.User
	require.NoError(t, httpjson.Get(t.Context(), c, db.URL+"/users/7", &u))
	require.Equal(t, 7, u.ID, "user id")
}

func TestBackendTracksThePeakOfRequestsInFlight(t *testing.T) {
	b := standin.NewBackend("b", standin.Latency{Min: 20e6, Max: 20e6}, 0) // 20 ms each
	defer b.Close()
	c := httpjson.Client(4)
	defer c.CloseIdleConnections()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			var r standin.BackendReply
			err := httpjson.Get(t.Context(), c, b.URL+"/x", &r)
			if err == nil && r.Backend != "b" {
				t.Errorf("reply from %q, want b", r.Backend)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(3), b.Calls(), "calls")
	require.LessOrEqual(t, b.PeakInFlight(), int64(3), "peak in flight")
	require.GreaterOrEqual(t, b.PeakInFlight(), int64(1), "peak in flight")
}
