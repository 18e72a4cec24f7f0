// Command rate-limited-notifications sends 2,000 notifications through a
// provider (an SMS or e-mail gateway) that allows 200 requests per second
// and answers 429 Too Many Requests with a Retry-After header beyond that.
// It sends them twice with tandem's fanout (50 in flight, up to 10 attempts
// each, Retry-After honoured by every sender at once):
//
//   - paced: a ratelimit.Limiter at 200/s (burst 10) gates every attempt;
//   - unpaced: the same without the limiter.
//
// Run it:
//
//	go run ./examples/rate-limited-notifications
//	go run ./examples/rate-limited-notifications -n 500 -quota 50
//	go run ./examples/rate-limited-notifications -provider https://sms.example.com -quota 100
//
// What to look for: the paced run gets zero 429s and takes the time the
// quota implies (n / quota, printed above the runs): as fast as allowed and
// no faster. The unpaced run bursts, collects 429s, stops for each
// Retry-After (whole seconds, as the header allows) and retries; it sends
// everything in the end, later, after many wasted requests that a real
// provider might count against you.
//
// With -provider the notifications go to a real service instead of the
// loopback stand-in: it must accept POST /notify with a JSON body, and
// -quota must be its real limit.
package main

import (
	"context"
	"flag"
	"os"

	"github.com/tandem-go/tandem/examples/internal/cli"
	"github.com/tandem-go/tandem/examples/rate-limited-notifications/scenario"
)

func main() {
	cfg := scenario.DefaultConfig()
	flag.StringVar(&cfg.ProviderURL, "provider", "", "base URL of a real provider (default: a loopback stand-in)")
	flag.IntVar(&cfg.Notifications, "n", cfg.Notifications, "notifications to send")
	flag.IntVar(&cfg.Quota, "quota", cfg.Quota, "the provider's limit, requests per second")
	flag.IntVar(&cfg.Workers, "workers", cfg.Workers, "most requests in flight")
	flag.Parse()

	cli.Run("rate-limited-notifications", func(ctx context.Context) error {
		_, err := scenario.Run(ctx, os.Stdout, cfg)
		return err
	})
}
