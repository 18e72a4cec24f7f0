package fanout_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/ratelimit"
)

// The last policy option given wins whole: nothing of an earlier one (a
// hedging delay, a quorum) survives it. Each run below is compared with the
// run of the last policy alone, on six inputs whose latencies and failures
// make every policy end differently (by statuses, error, elapsed time and
// call starts), and, under synctest, at instants that never coincide, so
// that each run is deterministic.

var (
	policyLatency = []time.Duration{52, 13, 27, 41, 58, 83} // ms
	errPolicyDown = errors.New("down")
)

type namedOption struct {
	name string
	opt  func() fanout.Option // fresh each run: a limiter carries state
}

func policyOptions() []namedOption {
	return []namedOption{
		{"CollectAll", fanout.CollectAll},
		{"FailFast", fanout.FailFast},
		{"FirstSuccess(0)", func() fanout.Option { return fanout.FirstSuccess(0) }},
		{"FirstSuccess(30ms)", func() fanout.Option { return fanout.FirstSuccess(30 * time.Millisecond) }},
		{"Quorum(2)", func() fanout.Option { return fanout.Quorum(2) }},
		{"Quorum(5)", func() fanout.Option { return fanout.Quorum(5) }},
	}
}

// otherSettings are the options that are not a policy, each in a setting
// where the run stays deterministic: tokens of a shared rate go to the
// workers in the order they ask, so a rate gets one worker; retries wait
// for the failures' RetryAfter hint, never a random backoff.
func otherSettings() []namedSetting {
	rate := func() fanout.Option { return fanout.Pace(ratelimit.New(100, 1)) }
	perKey := func() fanout.Option {
		return fanout.PacePerKey(ratelimit.NewKeyed[int](50, 1), func(x int) int { return x % 2 })
	}
	never := func() fanout.Option { return fanout.RetryIf(func(error) bool { return false }) }
	return []namedSetting{
		{"Workers(2)", func() []fanout.Option { return []fanout.Option{fanout.Workers(2)} }},
		{"Timeout(70ms)", func() []fanout.Option { return []fanout.Option{fanout.Timeout(70 * time.Millisecond)} }},
		{"Pace", func() []fanout.Option { return []fanout.Option{rate(), fanout.Workers(1)} }},
		{"PacePerKey", func() []fanout.Option { return []fanout.Option{perKey(), fanout.Workers(2)} }},
		{"Attempts(3)", func() []fanout.Option { return []fanout.Option{fanout.Attempts(3)} }},
		{"RetryIf", func() []fanout.Option { return []fanout.Option{never(), fanout.Attempts(3)} }},
		{"Backoff", func() []fanout.Option {
			return []fanout.Option{fanout.Backoff(time.Second, time.Second), fanout.Attempts(3)}
		}},
		{"all of them", func() []fanout.Option {
			return []fanout.Option{fanout.Workers(1), fanout.Timeout(70 * time.Millisecond), rate(), perKey(),
				fanout.Attempts(3), never(), fanout.Backoff(time.Second, time.Second)}
		}},
	}
}

type namedSetting struct {
	name string
	opts func() []fanout.Option
}

// policyCall is input x's call: its latency, then a failure for 2 and 3,
// which asks for a retry in 4 ms.
func policyCall(ctx context.Context, x int) (int, error) {
	select {
	case <-time.After(policyLatency[x] * time.Millisecond):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if x == 2 || x == 3 {
		return 0, fanout.RetryAfter(fmt.Errorf("input %d: %w", x, errPolicyDown), 4*time.Millisecond)
	}
	return 10 * x, nil
}

type seenResult struct {
	Status   fanout.Status
	Value    int
	Err      string
	Attempts int
	Duration time.Duration
}

// outcome is all a fan-out shows of how it ran.
type outcome struct {
	Results []seenResult // by input index
	Err     string       // Map's error; First's; none for Stream
	Value   int          // First's value
	Stats   fanout.Stats
	Elapsed time.Duration
	Starts  []time.Duration
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

type runner struct {
	name string
	run  func(ctx context.Context, call func(context.Context, int) (int, error), opts []fanout.Option) outcome
}

func policyRunners() []runner {
	inputs := []int{0, 1, 2, 3, 4, 5}
	seen := func(r fanout.Result[int]) seenResult {
		return seenResult{r.Status, r.Value, errText(r.Err), r.Attempts, r.Duration}
	}
	return []runner{
		{"Map", func(ctx context.Context, call func(context.Context, int) (int, error), opts []fanout.Option) (o outcome) {
			results, err := fanout.Map(ctx, inputs, call, append(opts, fanout.StatsTo(&o.Stats))...)
			for _, r := range results {
				o.Results = append(o.Results, seen(r))
			}
			o.Err = errText(err)
			return o
		}},
		{"Stream", func(ctx context.Context, call func(context.Context, int) (int, error), opts []fanout.Option) (o outcome) {
			o.Results = make([]seenResult, len(inputs))
			for i, r := range fanout.Stream(ctx, slices.Values(inputs), call, append(opts, fanout.StatsTo(&o.Stats))...) {
				o.Results[i] = seen(r)
			}
			return o
		}},
		{"First", func(ctx context.Context, call func(context.Context, int) (int, error), opts []fanout.Option) (o outcome) {
			v, err := fanout.First(ctx, inputs, call, 30*time.Millisecond, append(opts, fanout.StatsTo(&o.Stats))...)
			o.Value, o.Err = v, errText(err)
			return o
		}},
	}
}

// observe runs the fan-out in a bubble of its own and returns its outcome.
func observe(t *testing.T, r runner, opts func() []fanout.Option) (o outcome) {
	synctest.Test(t, func(t *testing.T) {
		var log startLog
		start := time.Now()
		o = r.run(t.Context(), func(ctx context.Context, x int) (int, error) {
			log.add()
			return policyCall(ctx, x)
		}, opts())
		o.Elapsed = time.Since(start)
		for _, s := range log.times() {
			o.Starts = append(o.Starts, s.Sub(start))
		}
		slices.Sort(o.Starts)
	})
	return o
}

func TestTheLastPolicyOptionWinsWhole(t *testing.T) {
	for _, r := range policyRunners() {
		for _, a := range policyOptions() {
			for _, b := range policyOptions() {
				t.Run(r.name+"/"+a.name+"_then_"+b.name, func(t *testing.T) {
					want := observe(t, r, func() []fanout.Option { return []fanout.Option{b.opt()} })
					got := observe(t, r, func() []fanout.Option { return []fanout.Option{a.opt(), b.opt()} })
					assert.Equal(t, want, got, "%s then %s, against %s alone", a.name, b.name, b.name)
				})
			}
		}
	}
}

func TestTheLastPolicyOptionWinsWholeAmongTheOtherOptions(t *testing.T) {
	for _, r := range policyRunners() {
		for _, x := range otherSettings() {
			for _, a := range policyOptions() {
				for _, b := range policyOptions() {
					t.Run(r.name+"/"+x.name+"/"+a.name+"_then_"+b.name, func(t *testing.T) {
						want := observe(t, r, func() []fanout.Option { return append(x.opts(), b.opt()) })
						for _, opts := range []func() []fanout.Option{
							func() []fanout.Option { return append(x.opts(), a.opt(), b.opt()) },
							func() []fanout.Option { return append(append([]fanout.Option{a.opt()}, x.opts()...), b.opt()) },
							func() []fanout.Option { return append([]fanout.Option{a.opt(), b.opt()}, x.opts()...) },
						} {
							assert.Equal(t, want, observe(t, r, opts), "%s then %s with %s, against %s alone with it", a.name, b.name, x.name, b.name)
						}
					})
				}
			}
		}
	}
}

// The scenario tells every policy apart, so the comparisons above can see
// a leak: no two policies end the same way.
func TestThePolicyScenarioTellsEveryPolicyApart(t *testing.T) {
	r := policyRunners()[0]
	seen := map[string]string{}
	for _, p := range policyOptions() {
		o := observe(t, r, func() []fanout.Option { return []fanout.Option{p.opt()} })
		key := fmt.Sprint(o)
		if other, dup := seen[key]; dup {
			t.Errorf("%s and %s end the same way: %+v", other, p.name, o)
		}
		seen[key] = p.name
	}
}
