package httpjson_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/internal/httpjson"
)

func TestGetTurnsA429IntoAStatusErrorWithTheRetryAfterHint(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"2", 2 * time.Second},
		{"", 0},
		{"soon", 0},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.header != "" {
				w.Header().Set("Retry-After", tc.header)
			}
			w.WriteHeader(http.StatusTooManyRequests)
		}))
		err := httpjson.Get(t.Context(), srv.Client(), srv.URL, nil)
		srv.Close()
		require.True(t, httpjson.IsStatus(err, http.StatusTooManyRequests), "Retry-After %q: got %v, want a 429", tc.header, err)
		got, ok := httpjson.RetryAfter(err)
		require.Equal(t, tc.want, got, "Retry-After %q", tc.header)
		require.Equal(t, tc.want > 0, ok, "Retry-After %q", tc.header)
	}
}

func TestPostSendsJSONAndDecodesTheAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]int
		if err := httpjsonDecode(r, &in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		httpjson.Write(w, map[string]int{"doubled": 2 * in["n"]})
	}))
	defer srv.Close()
	var out map[string]int
	require.NoError(t, httpjson.Post(t.Context(), srv.Client(), srv.URL, map[string]int{"n": 21}, &out))
	require.Equal(t, 42, out["doubled"], "answer to n=21")
}
