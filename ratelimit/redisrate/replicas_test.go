package redisrate_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// These tests run in real time against a real Redis (its clock decides), so
// they check counts over windows, never how long a call took.

// span is the client-side interval that contains one decision of the server:
// the call started at from and returned at to.
type span struct{ from, to time.Time }

// replicas returns n Limiters on one key, each with its own client, as n
// replicas of a service would have.
func replicas(t *testing.T, n int, key string, limit ratelimit.Limit, burst int) []*redisrate.Limiter {
	ls := make([]*redisrate.Limiter, n)
	for i := range ls {
		// A generous timeout: these tests measure the limit, not outages, and
		// the machine may be busy.
		ls[i] = redisrate.New(newClient(t, redisAddr), key, limit, burst, redisrate.Timeout(10*time.Second))
	}
	return ls
}

func TestReplicasSharingAKeyStayWithinTheWindowBound(t *testing.T) {
	const (
		limit      = 500
		burst      = 20
		replicaN   = 3
		goroutines = 4 // per replica
	)
	run := 600 * time.Millisecond
	if testing.Short() {
		run = 200 * time.Millisecond
	}
	ls := replicas(t, replicaN, freshKey(t), limit, burst)

	var (
		mu       sync.Mutex
		admitted []span
		denied   int
	)
	ctx, cancel := context.WithTimeout(t.Context(), run)
	defer cancel()
	var wg sync.WaitGroup
	for _, l := range ls {
		for range goroutines {
			wg.Go(func() {
				for ctx.Err() == nil {
					from := time.Now()
					res, err := l.Allow(context.WithoutCancel(ctx))
					to := time.Now()
					if !assert.NoError(t, err) {
						return
					}
					mu.Lock()
					if res.Allowed == 1 {
						admitted = append(admitted, span{from, to})
					} else {
						denied++
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	require.NotEmpty(t, admitted)
	require.NotZero(t, denied, "the replicas asked for more than the limit")

	// Over the whole run: at most burst + limit × its length.
	slices.SortFunc(admitted, func(a, b span) int { return a.from.Compare(b.from) })
	first, last := admitted[0].from, admitted[0].to
	for _, s := range admitted {
		last = later(last, s.to)
	}
	whole := last.Sub(first)
	bound := burst + int(whole.Seconds()*limit) + 1
	assert.LessOrEqual(t, len(admitted), bound, "admitted over the whole run of %v (denied %d)", whole, denied)

	// Over every window that starts at a call: the decisions certainly inside
	// it (started after its start, returned before its end).
	for _, w := range []time.Duration{10 * time.Millisecond, 100 * time.Millisecond} {
		bound := burst + int(w.Seconds()*limit) + 1
		worst := 0
		for i, s := range admitted {
			end := s.from.Add(w)
			inside := 0
			for _, o := range admitted[i:] {
				if o.from.After(end) {
					break
				}
				if !o.to.After(end) {
					inside++
				}
			}
			worst = max(worst, inside)
		}
		assert.LessOrEqual(t, worst, bound, "most decisions inside one %v window (limit %d/s, burst %d)", w, limit, burst)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func TestWaitNPacesThreeReplicasAtTheConfiguredRate(t *testing.T) {
	if testing.Short() {
		t.Skip("paces for 2.5 s of real time, up to 3 times")
	}
	const (
		limit    = 1000
		replicaN = 3
		// Per replica. With burst 1 a slot that passes with no reservation
		// waiting for it is lost, so the waiters keep reservations queued
		// 96 ms ahead: a busy machine may wake them late by that much and
		// lose nothing.
		goroutines = 32
	)
	want := 2 * limit
	// A machine that stops this process or Redis for longer than the queue
	// (other jobs on a shared box) takes slots away that burst 1 cannot give
	// back. So the rate must be reached in one of three runs, and never
	// exceeded in any.
	for attempt := 1; attempt <= 3; attempt++ {
		p := pace(t, replicas(t, replicaN, freshKey(t), limit, 1), goroutines)
		t.Logf("run %d: %d waits in 2 s (%.1f%% of %d/s), %d in the whole run of %v; longest gap between two: %v",
			attempt, p.inWindow, 100*float64(p.inWindow)/float64(want), limit, p.total, p.whole, p.gap)
		// Never over the rate: every slot lies between the run's start and
		// the last return, one per interval at burst 1. (Counting returns in
		// the 2 s window would not prove it: a stall just before the window
		// wakes waiters of earlier slots inside it.) The 1% is the most the
		// server's clock (TIME, wall time) may run apart from ours.
		bound := 1 + int(p.whole.Seconds()*limit*1.01)
		require.LessOrEqual(t, p.total, bound, "waits returned in %v at %d/s: never more than 1%% over", p.whole, limit)
		if p.inWindow >= want-want/100 {
			return
		}
	}
	t.Errorf("in 3 runs, %d replicas × %d goroutines never reached %d/s within 1%% in 2 s", replicaN, goroutines, limit)
}

// paced is what one pacing run saw.
type paced struct {
	inWindow int           // waits that returned in the 2 s window
	total    int           // waits that returned in the whole run
	whole    time.Duration // from the run's start to the last return
	gap      time.Duration // the longest time between two returns
}

// pace runs goroutines waiters per limiter for 2.5 s and counts the waits
// that returned in the 2 s after the first 250 ms (connections being
// dialed), and in the whole run.
func pace(t *testing.T, ls []*redisrate.Limiter, goroutines int) paced {
	start := time.Now()
	ctx, cancel := context.WithDeadline(t.Context(), start.Add(2500*time.Millisecond))
	defer cancel()
	var (
		mu   sync.Mutex
		done []time.Time
	)
	var wg sync.WaitGroup
	for _, l := range ls {
		for range goroutines {
			wg.Go(func() {
				for {
					if err := l.Wait(ctx); err != nil {
						assert.ErrorIs(t, err, context.DeadlineExceeded, "only the run's end stops a waiter")
						return
					}
					now := time.Now()
					mu.Lock()
					done = append(done, now)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()

	p := paced{total: len(done)}
	from := start.Add(250 * time.Millisecond)
	to := from.Add(2 * time.Second)
	for _, d := range done {
		if !d.Before(from) && d.Before(to) {
			p.inWindow++
		}
	}
	slices.SortFunc(done, time.Time.Compare)
	for i := 1; i < len(done); i++ {
		p.gap = max(p.gap, done[i].Sub(done[i-1]))
	}
	if len(done) > 0 {
		p.whole = done[len(done)-1].Sub(start)
	}
	return p
}
