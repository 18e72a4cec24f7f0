package redisrate_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// The examples use redisAddr, the Redis that the tests run against; a
// service would use its own address.

func ExampleLimiter() {
	ctx := context.Background()
	// A client that serves limiters: every timeout set, one attempt per
	// command and one dial per connection (go-redis's defaults retry a
	// command 3 times and dial 5 times), so the timeouts bound every
	// decision (see Timeout); past them the failure policy, here the
	// default FailClosed, decides. (The example allows a second, so that a
	// busy test machine cannot change its output; a service that had
	// rather fail fast would set 50-100ms.)
	client := redis.NewClient(&redis.Options{Addr: redisAddr,
		DialTimeout: time.Second, ReadTimeout: time.Second,
		WriteTimeout: time.Second, PoolTimeout: time.Second,
		MaxRetries: -1, DialerRetries: 1})
	defer client.Close()
	client.Del(ctx, "example:{partner-api}") // start from a full bucket

	// The partner API allows 10 requests per minute to all our replicas
	// together, in bursts of up to 3.
	limiter := redisrate.New(client, "example:{partner-api}", ratelimit.Per(10, time.Minute), 3)
	for range 4 {
		res, err := limiter.Allow(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("allowed:", res.Allowed, "remaining:", res.Remaining, "retry later:", res.RetryAfter > 0)
	}
	// Output:
	// allowed: 1 remaining: 2 retry later: false
	// allowed: 1 remaining: 1 retry later: false
	// allowed: 1 remaining: 0 retry later: false
	// allowed: 0 remaining: 0 retry later: true
}

func ExampleLimiter_WaitN() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer client.Close()
	client.Del(ctx, "example:{pacing}")

	// 100 events per second with no burst: each WaitN is one round trip to
	// reserve a slot, then a local timer until it.
	limiter := redisrate.New(client, "example:{pacing}", 100, 1)
	start := time.Now()
	for range 11 {
		if err := limiter.WaitN(ctx, 1); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("11 events took at least 100ms:", time.Since(start) >= 100*time.Millisecond)

	// *Limiter is a ratelimit.Waiter: fanout and pipeline take it as they
	// take the in-process limiter.
	var w ratelimit.Waiter = limiter
	fmt.Println(w.WaitN(ctx, 2))
	// Output:
	// 11 events took at least 100ms: true
	// ratelimit: n exceeds the burst
}

func ExampleLimiter_DeferUntil() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer client.Close()
	client.Del(ctx, "example:{partner}")
	limiter := redisrate.New(client, "example:{partner}", 10, 5)

	// The partner answered 429 with "Retry-After: 30": every replica holds
	// back until then. (fanout does this itself when a call returns
	// fanout.RetryAfter and this limiter is its Rate.)
	limiter.DeferUntil(time.Now().Add(30 * time.Second))
	res, _ := limiter.Allow(ctx)
	fmt.Println("allowed:", res.Allowed)
	fmt.Println("retry in about 30s:", res.RetryAfter > 29*time.Second && res.RetryAfter <= 30*time.Second)
	// Output:
	// allowed: 0
	// retry in about 30s: true
}

func ExampleLimiter_ReserveN() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer client.Close()
	client.Del(ctx, "example:{reports}")

	limiter := redisrate.New(client, "example:{reports}", ratelimit.Every(time.Minute), 1)
	first, _ := limiter.ReserveN(ctx, 1, 0)
	fmt.Println("first: ok", first.OK(), "delay", first.Delay())

	// The next slot is a minute away: take it only if it is within 2 minutes.
	next, _ := limiter.ReserveN(ctx, 1, 2*time.Minute)
	fmt.Println("next: ok", next.OK(), "delay about a minute", next.Delay() > 59*time.Second)
	// Plans changed: give the slot back for others.
	if err := next.Cancel(ctx); err != nil {
		fmt.Println(err)
	}
	// Output:
	// first: ok true delay 0s
	// next: ok true delay about a minute true
}

func ExampleLimiter_AllowAtMost() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer client.Close()
	client.Del(ctx, "example:{batch}")

	// Send as much of a batch of 8 as the quota allows now; keep the rest.
	limiter := redisrate.New(client, "example:{batch}", ratelimit.Per(5, time.Minute), 5)
	res, _ := limiter.AllowAtMost(ctx, 8)
	fmt.Println("send", res.Allowed, "keep", 8-res.Allowed)
	// Output:
	// send 5 keep 3
}

func ExampleKeyed() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer client.Close()
	client.Del(ctx, "example:tenant:acme", "example:tenant:globex")

	// Each tenant gets 2 requests per minute, bursts of 2, across replicas.
	perTenant := redisrate.NewKeyed(client, "example:tenant:", ratelimit.Per(2, time.Minute), 2)
	for _, tenant := range []string{"acme", "acme", "acme", "globex"} {
		res, _ := perTenant.Allow(ctx, tenant)
		fmt.Println(tenant, "allowed:", res.Allowed)
	}
	// Output:
	// acme allowed: 1
	// acme allowed: 1
	// acme allowed: 0
	// globex allowed: 1
}

func ExampleResult() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer client.Close()
	client.Del(ctx, "example:{http}")
	limiter := redisrate.New(client, "example:{http}", 10, 3)

	handler := func(w http.ResponseWriter, r *http.Request) {
		res, err := limiter.Allow(r.Context())
		if err != nil { // FailClosed: Redis is down
			http.Error(w, "try again later", http.StatusServiceUnavailable)
			return
		}
		h := w.Header()
		h.Set("RateLimit-Limit", strconv.Itoa(limiter.Burst()))
		h.Set("RateLimit-Remaining", strconv.Itoa(res.Remaining))
		h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(res.ResetAfter.Seconds()))))
		if res.Allowed == 0 {
			h.Set("Retry-After", strconv.Itoa(int(math.Ceil(res.RetryAfter.Seconds()))))
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		fmt.Fprintln(w, "hello")
	}

	rec := httptest.NewRecorder()
	handler(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println(rec.Code, rec.Header().Get("RateLimit-Remaining"), rec.Header().Get("RateLimit-Reset"))
	// Output:
	// 200 2 1
}

func ExampleFailLocal() {
	ctx := context.Background()
	// Nothing listens on port 1: every round trip fails. ContextTimeoutEnabled
	// lets Timeout's per-call deadline reach the socket.
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer client.Close()

	// 3 replicas share 30 per minute; alone, each keeps to its third.
	limiter := redisrate.New(client, "example:{down}", ratelimit.Per(30, time.Minute), 3,
		redisrate.OnFailure(redisrate.FailLocal(1.0/3)),
		redisrate.Timeout(50*time.Millisecond))
	for range 2 {
		res, err := limiter.Allow(ctx)
		fmt.Println("allowed:", res.Allowed, "degraded:", res.Degraded, "error:", err)
	}
	// Output:
	// allowed: 1 degraded: true error: <nil>
	// allowed: 0 degraded: true error: <nil>
}
