package scenario_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/internal/standin"
	"github.com/tandem-go/tandem/examples/rate-limited-notifications/scenario"
)

func TestRunPacedGetsNo429AndUnpacedStillSendsEverything(t *testing.T) {
	cfg := scenario.Config{Notifications: 120, Quota: 100, Workers: 50}
	var out bytes.Buffer
	res, err := scenario.Run(t.Context(), &out, cfg)
	require.NoError(t, err, "output:\n%s", out.String())
	require.Len(t, res.Sends, 2, "runs")
	paced, unpaced := res.Sends[0], res.Sends[1]

	require.Equal(t, cfg.Notifications, paced.Sent, "paced: sent")
	require.Zero(t, paced.TooMany, "paced: 429s at the quota's rate")
	require.Zero(t, paced.Stats.Retries, "paced: retries")

	require.Equal(t, cfg.Notifications, unpaced.Sent, "unpaced: sent, after retries")
	require.Positive(t, unpaced.TooMany, "unpaced: 429s beyond the provider's burst")
	require.Equal(t, unpaced.TooMany, int64(unpaced.Stats.Retries), "unpaced: every 429 was retried once")

	for _, s := range res.Sends {
		st := s.Stats
		require.Equal(t, cfg.Notifications, st.Inputs, "%s: inputs accounted for", s.Name)
		require.Equal(t, st.Inputs, st.Succeeded+st.Failed+st.Canceled+st.NotStarted, "%s: stats add up: %+v", s.Name, st)
	}
}

func TestRunSendsToARealProviderWhenGivenOne(t *testing.T) {
	p := standin.NewProvider(1000, 1000) // plays the real provider, a roomy one
	defer p.Close()
	_, err := scenario.Run(t.Context(), new(bytes.Buffer),
		scenario.Config{ProviderURL: p.URL, Notifications: 30, Quota: 1000, Workers: 5})
	require.NoError(t, err)
	require.Equal(t, int64(60), p.Accepted(), "notifications accepted by the given provider: 30 per run")
}
