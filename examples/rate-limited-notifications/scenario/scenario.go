// Package scenario is the rate-limited-notifications example: send many
// notifications through a provider whose quota answers 429 Too Many
// Requests with Retry-After beyond it. Paced with a ratelimit.Limiter at
// the quota, fanout sends them all with zero 429s in the time the quota
// implies; unpaced, the same fanout hits the quota, honours every
// Retry-After and retries until all are sent, later.
package scenario

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem/examples/internal/chart"
	"github.com/tandem-go/tandem/examples/internal/httpjson"
	"github.com/tandem-go/tandem/examples/internal/standin"
	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/ratelimit"
)

// Lesson is the one line this example teaches.
const Lesson = "waiting -> concurrency, paced: send at the quota's rate and no 429 ever comes back"

// Config is what to run.
type Config struct {
	// ProviderURL is a real provider (POST {ProviderURL}/notify); empty
	// starts a loopback stand-in for each run, enforcing Quota.
	ProviderURL string
	// Notifications is how many to send.
	Notifications int
	// Quota is the provider's limit in requests per second; the paced run
	// sends at exactly this rate.
	Quota int
	// Workers is the most requests in flight.
	Workers int
}

// DefaultConfig is the full run: 2,000 notifications at 200/s.
func DefaultConfig() Config {
	return Config{Notifications: 2000, Quota: 200, Workers: 50}
}

// QuickConfig is the short run of the tour's quick mode: 400 at 200/s.
func QuickConfig() Config {
	return Config{Notifications: 400, Quota: 200, Workers: 50}
}

// Send is what one way of sending measured.
type Send struct {
	Name    string
	Elapsed time.Duration
	// Sent and Failed count the notifications; they add up to all of them.
	Sent, Failed int
	// TooMany is the number of 429 answers received.
	TooMany int64
	// Stats is fanout's summary: attempts, retries, time paced.
	Stats fanout.Stats
}

// Result is both ways, paced first.
type Result struct {
	Sends []Send
	// Expected is the time the quota implies for the paced run.
	Expected time.Duration
}

// clientBurst is the paced sender's burst: small, so that its schedule
// stays well inside the provider's own burst even when network latency
// bunches requests together.
const clientBurst = 10

// Run sends cfg.Notifications both ways, prints the figures to w and
// returns them.
func Run(ctx context.Context, w io.Writer, cfg Config) (Result, error) {
	if cfg.Notifications < 1 || cfg.Quota < 1 || cfg.Workers < 1 {
		return Result{}, fmt.Errorf("need Notifications, Quota and Workers >= 1, got %+v", cfg)
	}
	res := Result{Expected: time.Duration(float64(max(0, cfg.Notifications-clientBurst)) / float64(cfg.Quota) * float64(time.Second))}
	for _, paced := range []bool{true, false} {
		r, err := send(ctx, cfg, paced)
		if err != nil {
			return res, err
		}
		res.Sends = append(res.Sends, r)
	}
	printResult(w, cfg, res)
	for _, r := range res.Sends {
		if r.Failed > 0 {
			return res, fmt.Errorf("%s: %d of %d notifications failed", r.Name, r.Failed, cfg.Notifications)
		}
	}
	return res, nil
}

// send sends every notification once, paced at the quota or not.
func send(ctx context.Context, cfg Config, paced bool) (Send, error) {
	run := Send{Name: "unpaced"}
	url := cfg.ProviderURL
	if url == "" {
		// The stand-in allows Quota per second in bursts of half a second's
		// worth, as many real providers do.
		p := standin.NewProvider(cfg.Quota, max(1, cfg.Quota/2))
		defer p.Close()
		url = p.URL
	}
	client := httpjson.Client(cfg.Workers)
	defer client.CloseIdleConnections()

	ids := make([]int, cfg.Notifications)
	for i := range ids {
		ids[i] = i
	}
	var tooMany atomic.Int64
	notify := func(ctx context.Context, id int) (struct{}, error) {
		msg := map[string]string{"to": "user-" + strconv.Itoa(id), "text": "your order has shipped"}
		err := httpjson.Post(ctx, client, url+"/notify", msg, nil)
		if httpjson.IsStatus(err, http.StatusTooManyRequests) {
			tooMany.Add(1)
			if d, ok := httpjson.RetryAfter(err); ok {
				return struct{}{}, fanout.RetryAfter(err, d) // every sender waits d
			}
		}
		return struct{}{}, err
	}

	opts := []fanout.Option{
		fanout.Workers(cfg.Workers),
		fanout.Attempts(10),
		fanout.Timeout(5 * time.Second),
		fanout.StatsTo(&run.Stats),
	}
	if paced {
		run.Name = "paced"
		limiter := ratelimit.New(ratelimit.Limit(cfg.Quota), clientBurst)
		opts = append(opts, fanout.Pace(limiter))
	}
	start := time.Now()
	results, _ := fanout.Map(ctx, ids, notify, opts...)
	run.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return run, err
	}
	for _, r := range results {
		if r.Err == nil {
			run.Sent++
		} else {
			run.Failed++
		}
	}
	run.TooMany = tooMany.Load()
	return run, nil
}

func printResult(w io.Writer, cfg Config, res Result) {
	fmt.Fprintf(w, "  %d notifications to a provider that allows %d/s (429 + Retry-After beyond), %d in flight at most\n",
		cfg.Notifications, cfg.Quota, cfg.Workers)
	fmt.Fprintf(w, "  the quota implies at least %v\n", res.Expected.Round(10*time.Millisecond))
	var times, tooMany []chart.Bar
	for _, r := range res.Sends {
		fmt.Fprintf(w, "  %-8s %7v  sent %d, failed %d, 429s %d, attempts %d (retries %d)\n",
			r.Name, r.Elapsed.Round(10*time.Millisecond), r.Sent, r.Failed, r.TooMany, r.Stats.Attempts, r.Stats.Retries)
		times = append(times, chart.Bar{Label: r.Name, Value: r.Elapsed.Seconds(), Text: r.Elapsed.Round(10 * time.Millisecond).String()})
		tooMany = append(tooMany, chart.Bar{Label: r.Name, Value: float64(r.TooMany), Text: strconv.FormatInt(r.TooMany, 10)})
	}
	chart.Print(w, "wall time to send them all (shorter is better)", times...)
	chart.Print(w, "429 Too Many Requests received (fewer is better)", tooMany...)
}
