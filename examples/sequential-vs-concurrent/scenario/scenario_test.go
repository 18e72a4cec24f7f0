package scenario_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/internal/standin"
	"github.com/tandem-go/tandem/examples/sequential-vs-concurrent/scenario"
)

func TestRunLoadsEveryUserBothWaysWithinTheLimit(t *testing.T) {
	cfg := scenario.Config{Lookups: 30, Limit: 8}
	var out bytes.Buffer
	res, err := scenario.Run(t.Context(), &out, cfg)
	require.NoError(t, err)
	require.Equal(t, cfg.Lookups, res.SequentialUsers, "users loaded one by one")
	require.Equal(t, cfg.Lookups, res.ConcurrentUsers, "users loaded by the group")
	require.LessOrEqual(t, res.PeakInFlight, int64(cfg.Limit), "peak queries at the database with limit %d", cfg.Limit)
	require.Positive(t, res.Speedup(), "speedup reported")
	require.Contains(t, out.String(), "faster", "the chart names the speedup")
}

func TestRunQueriesARealEndpointWhenGivenOne(t *testing.T) {
	db := standin.NewDB() // plays the real database, started outside Run
	defer db.Close()
	res, err := scenario.Run(t.Context(), new(bytes.Buffer), scenario.Config{DBURL: db.URL, Lookups: 12, Limit: 4})
	require.NoError(t, err)
	require.Equal(t, int64(24), db.Queries(), "queries at the given endpoint: 12 each way")
	require.Zero(t, res.PeakInFlight, "no stand-in was started")
}

func TestRunReportsAFailingDatabase(t *testing.T) {
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer broken.Close()
	_, err := scenario.Run(t.Context(), new(bytes.Buffer), scenario.Config{DBURL: broken.URL, Lookups: 5, Limit: 2})
	require.ErrorContains(t, err, "http 500")
}
