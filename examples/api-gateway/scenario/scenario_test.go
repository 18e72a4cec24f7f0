package scenario_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/api-gateway/scenario"
	"github.com/tandem-go/tandem/examples/internal/standin"
)

// backends starts stand-ins where the primary recommendations replica
// always stalls and ordersFailure of the orders calls fail.
func backends(t *testing.T, ordersFailure float64) scenario.Backends {
	ms := time.Millisecond
	all := []*standin.Backend{
		standin.NewBackend("profile", standin.Latency{Min: ms, Max: 2 * ms}, 0),
		standin.NewBackend("orders", standin.Latency{Min: ms, Max: 2 * ms}, ordersFailure),
		standin.NewBackend("recs-primary", standin.Latency{SlowFraction: 1, Slow: 300 * ms}, 0),
		standin.NewBackend("recs-replica", standin.Latency{Min: ms, Max: 2 * ms}, 0),
	}
	t.Cleanup(func() {
		for _, b := range all {
			b.Close()
		}
	})
	return scenario.Backends{Profile: all[0].URL, Orders: all[1].URL, Recs: all[2].URL, RecsReplica: all[3].URL}
}

func TestRunHedgesAStalledReplicaAndServesEveryDashboard(t *testing.T) {
	cfg := scenario.Config{Backends: backends(t, 0), Clients: 4, Duration: 700 * time.Millisecond}
	var out bytes.Buffer
	res, err := scenario.Run(t.Context(), &out, cfg)
	require.NoError(t, err, "output:\n%s", out.String())
	require.Len(t, res.Versions, 2, "versions measured")
	seq, fan := res.Versions[0], res.Versions[1]
	require.Positive(t, seq.Load.Requests, "sequential requests")
	require.Zero(t, seq.Load.Errors, "sequential errors")
	require.Zero(t, seq.RecsFrom["recs-replica"], "the sequential version never asks the replica")
	require.Positive(t, fan.Load.Requests, "fanout requests")
	require.Zero(t, fan.Load.Errors, "fanout errors")
	require.Positive(t, fan.RecsFrom["recs-replica"], "hedged calls won by the replica: %v", fan.RecsFrom)
}

func TestRunReportsFailedDashboardsWhenABackendIsDown(t *testing.T) {
	cfg := scenario.Config{Backends: backends(t, 1), Clients: 2, Duration: 300 * time.Millisecond}
	res, err := scenario.Run(t.Context(), new(bytes.Buffer), cfg)
	require.NoError(t, err, "the run itself succeeds; its figures show the failures")
	for _, v := range res.Versions {
		require.Equal(t, v.Load.Requests, v.Load.Errors, "%s: every dashboard fails without orders", v.Name)
		require.ErrorContains(t, v.Load.FirstErr, "http 502", "%s: the gateway answers 502", v.Name)
	}
}
