package fanout_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/ratelimit"
)

// Fetch 20 user profiles from an API that allows 100 requests a second and
// answers 429 with Retry-After beyond that: pace the calls at the API's
// rate, 5 at a time, each bounded to 2 s, and retry what the server rejects
// when it says to. (The stand-in server here always answers.)
func Example_rateLimitedHTTPAPI() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"user": %q}`, r.URL.Query().Get("id"))
	}))
	defer api.Close()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()

	ids := make([]int, 20)
	for i := range ids {
		ids[i] = i + 1
	}
	fetchProfile := func(ctx context.Context, id int) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, api.URL+"/users?id="+strconv.Itoa(id), nil)
		if err != nil {
			return "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		switch resp.StatusCode {
		case http.StatusOK:
			return string(body), nil
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			err := fmt.Errorf("user %d: %s", id, resp.Status)
			if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
				return "", fanout.RetryAfter(err, d)
			}
			return "", err
		default:
			return "", fmt.Errorf("user %d: %s", id, resp.Status) // retried too; a RetryIf could refuse 4xx
		}
	}

	var st fanout.Stats
	results, err := fanout.Map(context.Background(), ids, fetchProfile,
		fanout.Workers(5),
		fanout.Pace(ratelimit.New(100, 1)), // burst 1: at most 100 in any second
		fanout.Timeout(2*time.Second),
		fanout.Attempts(4),
		fanout.StatsTo(&st),
	)
	if err != nil {
		fmt.Println("error:", err)
	}
	fmt.Println(results[0].Value)
	fmt.Println(results[19].Value)
	fmt.Printf("%d profiles, %d failed\n", st.Succeeded, st.Failed)
	// Output:
	// {"user": "1"}
	// {"user": "20"}
	// 20 profiles, 0 failed
}

// retryAfter reads a Retry-After header in seconds (the HTTP-date form is
// left out for brevity).
func retryAfter(header string) (time.Duration, bool) {
	secs, err := strconv.ParseFloat(header, 64)
	if err != nil || secs < 0 {
		return 0, false
	}
	return time.Duration(secs * float64(time.Second)), true
}
