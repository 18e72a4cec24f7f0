package fanout_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/ratelimit"
)

// Collect all (the default): every input runs, and each result sits at its
// input's index with its own error.
func ExampleMap() {
	lookup := func(_ context.Context, name string) (int, error) {
		if name == "" {
			return 0, errors.New("empty name")
		}
		return len(name), nil
	}
	results, err := fanout.Map(context.Background(), []string{"ada", "", "grace"}, lookup,
		fanout.Workers(2))
	for i, r := range results {
		fmt.Println(i, r.Status, r.Value, r.Err)
	}
	fmt.Println("error:", err)
	// Output:
	// 0 succeeded 3 <nil>
	// 1 failed 0 empty name
	// 2 succeeded 5 <nil>
	// error: empty name
}

// One input to many targets is the same call over the targets.
func ExampleMap_notifyOverEveryChannel() {
	type channel struct {
		name string
		send func(ctx context.Context, msg string) error
	}
	ok := func(context.Context, string) error { return nil }
	channels := []channel{
		{"email", ok},
		{"sms", func(context.Context, string) error { return errors.New("no phone number") }},
		{"push", ok},
	}
	msg := "your order has shipped"
	results, _ := fanout.Map(context.Background(), channels, func(ctx context.Context, c channel) (string, error) {
		return c.name, c.send(ctx, msg)
	}, fanout.Timeout(5*time.Second))
	for i, r := range results {
		fmt.Printf("%s: %v\n", channels[i].name, r.Status)
	}
	// Output:
	// email: succeeded
	// sms: failed
	// push: succeeded
}

// Fail fast: the first failure stops the fan-out and is the error returned;
// nothing starts after it.
func ExampleFailFast() {
	charge := func(_ context.Context, amount int) (string, error) {
		if amount < 0 {
			return "", fmt.Errorf("invalid amount %d", amount)
		}
		return "charged", nil
	}
	var st fanout.Stats
	_, err := fanout.Map(context.Background(), []int{10, -5, 20, 30}, charge,
		fanout.Workers(1), fanout.FailFast(), fanout.StatsTo(&st))
	fmt.Println("error:", err)
	fmt.Printf("succeeded %d, failed %d, not started %d\n", st.Succeeded, st.Failed, st.NotStarted)
	// Output:
	// error: invalid amount -5
	// succeeded 1, failed 1, not started 2
}

// First success with hedging: ask the primary, and if it has not answered
// within 10 ms ask the next replica too; the first answer wins and the
// other call is canceled.
func ExampleFirstSuccess() {
	query := func(ctx context.Context, replica string) (string, error) {
		if replica == "primary (stuck)" {
			<-ctx.Done() // stuck until the fan-out cancels it
			return "", ctx.Err()
		}
		return "answer from " + replica, nil
	}
	results, err := fanout.Map(context.Background(), []string{"primary (stuck)", "secondary", "tertiary"}, query,
		fanout.FirstSuccess(10*time.Millisecond))
	for _, r := range results {
		if r.Status == fanout.Succeeded {
			fmt.Println(r.Value)
		}
	}
	fmt.Println(results[0].Status, results[2].Status, err)
	// Output:
	// answer from secondary
	// canceled not started <nil>
}

// Quorum: write to three replicas and succeed once two acknowledge.
func ExampleQuorum() {
	write := func(_ context.Context, replica string) (bool, error) {
		if replica == "eu" {
			return false, errors.New("eu: unavailable")
		}
		return true, nil
	}
	_, err := fanout.Map(context.Background(), []string{"us", "eu", "ap"}, write, fanout.Quorum(2))
	fmt.Println("two of three:", err)

	_, err = fanout.Map(context.Background(), []string{"us", "eu", "ap"}, write, fanout.Quorum(3))
	fmt.Println("three of three:", errors.Is(err, fanout.ErrNoQuorum))
	// Output:
	// two of three: <nil>
	// three of three: true
}

// Stream runs over a sequence, here the lines of a document, and yields
// each result as it completes (so in no fixed order), with the index of
// its input.
func ExampleStream() {
	doc := "alpha\nbeta\ngamma\ndelta"
	lengths := make(map[int]int)
	for i, r := range fanout.Stream(context.Background(), strings.Lines(doc), func(_ context.Context, line string) (int, error) {
		return len(strings.TrimSpace(line)), nil
	}, fanout.Workers(2)) {
		lengths[i] = r.Value
	}
	fmt.Println(lengths)
	// Output:
	// map[0:5 1:4 2:5 3:5]
}

// RetryAfter carries a server's hint: the retry waits that long, and the
// whole fan-out backs off with it.
func ExampleRetryAfter() {
	calls := 0
	call := func(context.Context, string) (string, error) {
		if calls++; calls == 1 {
			// As from an HTTP 429 with "Retry-After: 0.02" (in seconds).
			return "", fanout.RetryAfter(errors.New("429 Too Many Requests"), 20*time.Millisecond)
		}
		return "ok", nil
	}
	var st fanout.Stats
	results, _ := fanout.Map(context.Background(), []string{"report"}, call,
		fanout.Attempts(3), fanout.StatsTo(&st))
	fmt.Println(results[0].Value, "after", results[0].Attempts, "attempts;", "waited on the hint:", st.Paced >= 20*time.Millisecond)
	// Output:
	// ok after 2 attempts; waited on the hint: true
}

// Attempts, Backoff and RetryIf: retry transient failures with jittered
// exponential backoff, but not the permanent ones.
func ExampleAttempts() {
	errNotFound := errors.New("not found")
	tries := map[string]int{}
	fetch := func(_ context.Context, key string) (string, error) {
		tries[key]++
		if key == "missing" {
			return "", errNotFound
		}
		if tries[key] < 3 {
			return "", errors.New("connection reset")
		}
		return "value of " + key, nil
	}
	results, _ := fanout.Map(context.Background(), []string{"flaky", "missing"}, fetch,
		fanout.Workers(1),
		fanout.Attempts(5),
		fanout.Backoff(time.Millisecond, 10*time.Millisecond),
		fanout.RetryIf(func(err error) bool { return !errors.Is(err, errNotFound) }))
	for _, r := range results {
		fmt.Println(r.Status, r.Attempts, r.Value, r.Err)
	}
	// Output:
	// succeeded 3 value of flaky <nil>
	// failed 1  not found
}

// Timeout bounds each attempt, not the fan-out: the slow call fails with
// ErrCallTimeout while the others succeed.
func ExampleTimeout() {
	call := func(ctx context.Context, d time.Duration) (time.Duration, error) {
		select {
		case <-time.After(d):
			return d, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	results, _ := fanout.Map(context.Background(), []time.Duration{0, time.Hour, 0}, call,
		fanout.Timeout(20*time.Millisecond))
	for _, r := range results {
		fmt.Println(r.Status, errors.Is(r.Err, fanout.ErrCallTimeout))
	}
	// Output:
	// succeeded false
	// failed true
	// succeeded false
}

// PacePerKey paces each target on its own: here one rate per host, so a slow
// quota on one host does not hold the others.
func ExamplePacePerKey() {
	urls := []string{"https://a.example/1", "https://b.example/1", "https://a.example/2"}
	host := func(url string) string { return strings.Split(url, "/")[2] }
	perHost := ratelimit.NewKeyed[string](ratelimit.Every(100*time.Millisecond), 1)
	results, _ := fanout.Map(context.Background(), urls, func(_ context.Context, url string) (string, error) {
		return "fetched " + url, nil
	}, fanout.PacePerKey(perHost, host))
	for _, r := range results {
		fmt.Println(r.Value)
	}
	// Output:
	// fetched https://a.example/1
	// fetched https://b.example/1
	// fetched https://a.example/2
}

// StatsTo sums a fan-out up; the counts add up to the inputs.
func ExampleStatsTo() {
	var st fanout.Stats
	_, _ = fanout.Map(context.Background(), []int{1, 2, 3, 4}, func(_ context.Context, x int) (int, error) {
		if x == 3 {
			return 0, errors.New("three")
		}
		return x, nil
	}, fanout.StatsTo(&st))
	fmt.Printf("inputs %d: succeeded %d, failed %d; attempts %d\n", st.Inputs, st.Succeeded, st.Failed, st.Attempts)
	// Output:
	// inputs 4: succeeded 3, failed 1; attempts 4
}

// Workers bounds the calls in flight.
func ExampleWorkers() {
	inputs := make([]int, 100)
	for i := range inputs {
		inputs[i] = i
	}
	results, _ := fanout.Map(context.Background(), inputs, func(_ context.Context, x int) (int, error) {
		return x * x, nil
	}, fanout.Workers(4))
	fmt.Println(len(results), results[99].Value)
	// Output:
	// 100 9801
}

// First is FirstSuccess reduced to the winning value: ask the nearest
// replica, and the others in turn if it has not answered in 10 ms.
func ExampleFirst() {
	lookup := func(ctx context.Context, replica string) (string, error) {
		if replica == "eu-1" {
			return "", errors.New("eu-1: connection refused")
		}
		return "record from " + replica, nil
	}
	v, err := fanout.First(context.Background(), []string{"eu-1", "eu-2", "us-1"}, lookup, 10*time.Millisecond)
	fmt.Println(v, err)
	// Output:
	// record from eu-2 <nil>
}

// Pace paces the calls: each waits for a token after taking its
// Workers slot, so at 100 per second four calls take 30 ms or more
// (the first starts at once).
func ExamplePace() {
	limiter := ratelimit.New(100, 1) // may be shared with the rest of the service
	start := time.Now()
	results, _ := fanout.Map(context.Background(), []string{"a", "b", "c", "d"}, func(_ context.Context, s string) (string, error) {
		return strings.ToUpper(s), nil
	}, fanout.Pace(limiter))
	fmt.Println(len(results), "calls paced:", time.Since(start) >= 30*time.Millisecond)
	// Output:
	// 4 calls paced: true
}
