package ratelimit_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tandem-go/tandem/ratelimit"
)

// Allow drops what does not fit: 3 requests per second, bursts of 3.
func ExampleLimiter_Allow() {
	l := ratelimit.New(3, 3)
	for i := range 5 {
		fmt.Println(i, l.Allow())
	}
	// Output:
	// 0 true
	// 1 true
	// 2 true
	// 3 false
	// 4 false
}

// Wait paces work to the limit, here one call every 100ms, for as long as
// ctx allows. The wait that could not end before the deadline returns at
// once instead of sleeping into it.
func ExampleLimiter_Wait() {
	l := ratelimit.New(ratelimit.Every(100*time.Millisecond), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 290*time.Millisecond)
	defer cancel()
	calls := 0
	var err error
	for {
		if err = l.Wait(ctx); err != nil {
			break
		}
		calls++ // call the third-party API here
	}
	fmt.Println(calls, "calls, then:", err)
	// Output: 3 calls, then: ratelimit: wait would exceed the context deadline: context deadline exceeded
}

// Reserve books a slot without blocking; the caller decides whether the
// delay is worth it, and gives the slot back with Cancel if not.
func ExampleLimiter_Reserve() {
	l := ratelimit.New(1, 1)
	l.Allow() // the bucket is now empty
	r := l.Reserve()
	fmt.Println("the slot is in about", r.Delay().Round(time.Second))
	if r.Delay() > 100*time.Millisecond {
		r.Cancel() // too long: skip this optional work and give the slot back
		fmt.Println("skipped")
		return
	}
	time.Sleep(r.Delay())
	fmt.Println("done")
	// Output:
	// the slot is in about 1s
	// skipped
}

// DeferUntil honours an HTTP 429's Retry-After: nothing is admitted before
// the time the server asked for, and the pace resumes from there.
func ExampleLimiter_DeferUntil() {
	l := ratelimit.New(10, 5)
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"30"}}}
	if resp.StatusCode == http.StatusTooManyRequests {
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			l.DeferUntil(time.Now().Add(time.Duration(secs) * time.Second))
		}
	}
	fmt.Println("allowed now:", l.Allow())
	fmt.Println("next slot in about", l.Reserve().Delay().Round(time.Second))
	// Output:
	// allowed now: false
	// next slot in about 30s
}

// InitialTokens(0) starts the bucket empty: no burst at start-up.
func ExampleInitialTokens() {
	l := ratelimit.New(1, 10, ratelimit.InitialTokens(0))
	fmt.Println(l.Allow(), l.Tokens() < 1)
	// Output: false true
}

// Per states quotas the way API docs do.
func ExamplePer() {
	fmt.Println(ratelimit.Per(600, time.Minute), ratelimit.Every(250*time.Millisecond))
	// Output: 10 4
}

// Keyed gives each tenant its own bucket; idle tenants are forgotten inside
// calls, with no goroutine to stop.
func ExampleKeyed() {
	perTenant := ratelimit.NewKeyed[string](1, 2)
	for _, tenant := range []string{"acme", "acme", "acme", "globex"} {
		fmt.Println(tenant, perTenant.Allow(tenant))
	}
	fmt.Println("tenants tracked:", perTenant.Len())
	// Output:
	// acme true
	// acme true
	// acme false
	// globex true
	// tenants tracked: 2
}

// LimitFunc sets each key's limit and burst, here by plan; MaxKeys
// bounds memory against a flood of keys (lossy, see its doc).
func ExampleLimitFunc() {
	plans := map[string]string{"acme": "gold"}
	perTenant := ratelimit.NewKeyed[string](1, 1,
		ratelimit.LimitFunc(func(tenant string) (ratelimit.Limit, int) {
			if plans[tenant] == "gold" {
				return 10, 20
			}
			return 1, 1
		}),
		ratelimit.MaxKeys(100_000),
	)
	for _, tenant := range []string{"acme", "initech"} {
		n := 0
		for perTenant.Allow(tenant) {
			n++
		}
		fmt.Println(tenant, "burst:", n)
	}
	// Output:
	// acme burst: 20
	// initech burst: 1
}

// Limiter hands one key of a Keyed to code that takes a Waiter, such as
// fanout.Pace or pipeline.Pace: here a worker paced per host. The view
// holds no bucket, so it never keeps an idle host tracked.
func ExampleKeyed_Limiter() {
	perHost := ratelimit.NewKeyed[string](ratelimit.Every(100*time.Millisecond), 1)
	pace := func(ctx context.Context, w ratelimit.Waiter, calls int) time.Duration {
		start := time.Now()
		for range calls {
			if err := w.WaitN(ctx, 1); err != nil {
				break
			}
		}
		return time.Since(start)
	}
	took := pace(context.Background(), perHost.Limiter("api.example.com"), 3)
	fmt.Println("3 calls to one host took about", took.Round(100*time.Millisecond))
	fmt.Println("another host is not held back:", perHost.Allow("cdn.example.com"))
	// Output:
	// 3 calls to one host took about 200ms
	// another host is not held back: true
}
