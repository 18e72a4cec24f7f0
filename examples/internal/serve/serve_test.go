package serve_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/internal/httpjson"
	"github.com/tandem-go/tandem/examples/internal/serve"
)

func TestLoopbackServesUntilShutdownAndLeavesNothingRunning(t *testing.T) {
	srv, err := serve.Loopback(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpjson.Write(w, "pong")
	}))
	require.NoError(t, err)
	c := httpjson.Client(1)
	var got string
	require.NoError(t, httpjson.Get(t.Context(), c, srv.URL, &got))
	require.Equal(t, "pong", got)
	c.CloseIdleConnections()
	require.NoError(t, srv.Shutdown(t.Context()))
	require.Error(t, httpjson.Get(t.Context(), c, srv.URL, nil), "a request after Shutdown")
}

func TestCloseShutsDownGracefully(t *testing.T) {
	srv, err := serve.Loopback(http.NotFoundHandler())
	require.NoError(t, err)
	require.NoError(t, srv.Close())
}
