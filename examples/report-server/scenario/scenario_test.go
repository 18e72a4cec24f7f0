package scenario_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/report-server/scenario"
)

func TestRunServesBothEndpointsInEveryPhaseWithoutErrors(t *testing.T) {
	cfg := scenario.Config{Transactions: 20_000, Accounts: 100, IOClients: 4, ReportClients: 3, Phase: 400 * time.Millisecond}
	var out bytes.Buffer
	res, err := scenario.Run(t.Context(), &out, cfg)
	require.NoError(t, err, "output:\n%s", out.String())
	require.Len(t, res.Phases, 4, "phases")
	require.Positive(t, res.Phases[0].IO.Requests, "I/O requests served with no report running")
	for i, p := range res.Phases {
		// Under load, an I/O request may wait for a core past the end of a
		// short phase: it counts as unfinished, with the wait it had.
		require.Positive(t, p.IO.Requests+p.IO.Unfinished, "%s: I/O requests made", p.Name)
		require.Equal(t, p.IO.Requests+p.IO.Unfinished, p.IO.Latency.Count, "%s: every I/O request is in the latency figures", p.Name)
		require.Zero(t, p.IO.Errors, "%s: I/O errors", p.Name)
		if i == 0 {
			require.Zero(t, p.Reports.Requests, "%s: no report requested", p.Name)
			continue
		}
		require.Zero(t, p.Reports.Errors, "%s: report errors", p.Name)
	}
	require.Contains(t, out.String(), "p99 latency", "the chart of I/O latency")
}
