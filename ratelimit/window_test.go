package ratelimit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
)

// event is n admissions observed at virtual time at.
type event struct {
	at time.Duration
	n  int
}

// recorder collects events from many goroutines.
type recorder struct {
	mu     sync.Mutex
	start  time.Time
	events []event
}

func newRecorder() *recorder { return &recorder{start: time.Now()} }

func (r *recorder) add(n int) {
	at := time.Since(r.start)
	r.mu.Lock()
	r.events = append(r.events, event{at, n})
	r.mu.Unlock()
}

func (r *recorder) total() int {
	s := 0
	for _, e := range r.events {
		s += e.n
	}
	return s
}

// worstWindow returns the largest count - W/T over every window [t_i, t_j]
// of the events, and that window. The contract is that every window W
// admits at most burst + floor(W/T) + 1 events; as counts are whole, that
// is the same as count - W/T <= burst + 1 for every window, which a running
// maximum checks in one pass.
func worstWindow(events []event, limit ratelimit.Limit) (excess float64, from, to time.Duration, count int) {
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b event) int { return int(a.at - b.at) })
	perNs := float64(limit) / 1e9 // tokens per nanosecond: 1/T
	excess = -1e300
	best, bestAt, bestSum := -1e300, time.Duration(0), 0
	sum := 0 // events before j
	for _, e := range events {
		if v := float64(e.at)*perNs - float64(sum); v > best {
			best, bestAt, bestSum = v, e.at, sum
		}
		sum += e.n
		if v := float64(sum) - float64(e.at)*perNs + best; v > excess {
			excess, from, to, count = v, bestAt, e.at, sum-bestSum
		}
	}
	return excess, from, to, count
}

// requireWindowBound checks the contract, every window W admits at most
// burst + floor(W/T) + 1 events, and then the tighter bound the GCRA
// actually keeps on the instants it decides at: burst + W/T.
func requireWindowBound(t *testing.T, events []event, limit ratelimit.Limit, burst int, inputs string) {
	t.Helper()
	requireWindowSlack(t, events, limit, burst, 1, inputs)
	requireWindowSlack(t, events, limit, burst, 0, inputs+" (exact GCRA bound)")
}

// requireWindowSlack checks count <= burst + W/T + slack in every window.
func requireWindowSlack(t *testing.T, events []event, limit ratelimit.Limit, burst int, slack float64, inputs string) {
	t.Helper()
	excess, from, to, count := worstWindow(events, limit)
	if excess > float64(burst)+slack+1e-9 {
		t.Fatalf("%s: window [%v, %v] (W=%v) admitted %d events, want at most burst %d + floor(W/T) + %v = %v",
			inputs, from, to, to-from, count, burst, slack, float64(burst)+float64(int(float64(to-from)*float64(limit)/1e9))+slack)
	}
}

// TestEveryWindowAdmitsAtMostBurstPlusWOverTPlusOneUnderRandomSchedules runs
// random mixes of Allow, AllowN, Wait, WaitN (some timing out, some canceled
// while they sleep) and Reserve (some canceled)
// from several goroutines with random pauses, and checks the window bound
// on the instants the events were allowed to happen.
func TestEveryWindowAdmitsAtMostBurstPlusWOverTPlusOneUnderRandomSchedules(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 1))
		limit := ratelimit.Limit([]float64{1, 7, 100, 333, 1000, 12345}[rng.IntN(6)])
		burst := 1 + rng.IntN(20)
		workers := 1 + rng.IntN(8)
		seeds := make([]uint64, workers)
		for i := range seeds {
			seeds[i] = rng.Uint64()
		}
		interval := time.Duration(1e9 / float64(limit))
		inputs := fmt.Sprintf("seed %d, limit %v/s, burst %d, %d goroutines", seed, float64(limit), burst, workers)
		synctest.Test(t, func(t *testing.T) {
			l := ratelimit.New(limit, burst)
			rec := newRecorder()
			end := rec.start.Add(300 * interval)
			var wg sync.WaitGroup
			for _, s := range seeds {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(s, 2))
					for time.Now().Before(end) {
						time.Sleep(time.Duration(rng.Int64N(int64(3 * interval))))
						n := 1 + rng.IntN(burst)
						switch rng.IntN(6) {
						case 0:
							if l.Allow() {
								rec.add(1)
							}
						case 1:
							if l.AllowN(n) {
								rec.add(n)
							}
						case 2:
							ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.Int64N(int64(5*interval))))
							if l.WaitN(ctx, n) == nil {
								rec.add(n)
							}
							cancel()
						case 3:
							if l.Wait(context.Background()) == nil {
								rec.add(1)
							}
						case 5:
							// Canceled while sleeping: the refund must never
							// let a later booking share a slot.
							ctx, cancel := context.WithCancel(context.Background())
							stop := time.AfterFunc(time.Duration(rng.Int64N(int64(3*interval))), cancel)
							if l.WaitN(ctx, n) == nil {
								rec.add(n)
							}
							stop.Stop()
							cancel()
						case 4:
							r := l.ReserveN(n)
							if rng.IntN(3) == 0 {
								r.Cancel()
								continue
							}
							time.Sleep(r.Delay())
							rec.add(n)
						}
					}
				})
			}
			wg.Wait()
			require.NotEmpty(t, rec.events)
			requireWindowBound(t, rec.events, limit, burst, inputs)
		})
	}
}

// TestOneThousandGoroutinesHammeringAllowNeverBeatTheWindowBound is the
// prior-art contention test (x/time/rate admits up to 14% too many): 1000
// goroutines, 100k/s, burst 1000, Allow only. Under synctest every
// goroutine wakes at the same instants and races its Allow against all the
// others on real threads; the recorded times are the limiter's own.
func TestOneThousandGoroutinesHammeringAllowNeverBeatTheWindowBound(t *testing.T) {
	const (
		goroutines = 1000
		limit      = 100_000
		burst      = 1000
		ticks      = 100
		tick       = time.Millisecond
	)
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(limit, burst)
		rec := newRecorder()
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				var mine []time.Duration
				for range ticks + 1 {
					if l.Allow() {
						mine = append(mine, time.Since(rec.start))
					}
					time.Sleep(tick)
				}
				rec.mu.Lock()
				for _, at := range mine {
					rec.events = append(rec.events, event{at, 1})
				}
				rec.mu.Unlock()
			})
		}
		wg.Wait()
		requireWindowBound(t, rec.events, limit, burst, "1000 goroutines, 100k/s, burst 1000")
		// Every instant hands out exactly what refilled: nothing is lost to
		// contention either.
		want := burst + ticks*int(tick.Seconds()*limit)
		require.Equal(t, want, rec.total(), "admitted over %d ticks of %v", ticks, tick)
	})
}

func TestWaitPacesEightGoroutinesAt1000PerSecondWithinHalfAPercent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit, burst = 1000, 1
		l := ratelimit.New(limit, burst)
		rec := newRecorder()
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for l.Wait(ctx) == nil {
					rec.add(1)
				}
			})
		}
		wg.Wait()
		elapsed := rec.events[len(rec.events)-1].at
		rate := float64(rec.total()-burst) / elapsed.Seconds()
		assert.InEpsilon(t, limit, rate, 0.005, "achieved rate over %v", elapsed)
		requireWindowBound(t, rec.events, limit, burst, "8 waiters at 1000/s")
	})
}

func FuzzWindowBound(f *testing.F) {
	f.Add(uint16(10), uint8(3), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add(uint16(1000), uint8(1), []byte{255, 0, 128, 7, 7, 7, 3, 200})
	f.Add(uint16(1), uint8(50), []byte{9, 9, 9, 9, 1, 2, 3})
	f.Fuzz(func(t *testing.T, limit16 uint16, burst8 uint8, ops []byte) {
		limit := ratelimit.Limit(1 + int(limit16))
		burst := 1 + int(burst8)
		interval := time.Duration(1e9 / float64(limit))
		synctest.Test(t, func(t *testing.T) {
			l := ratelimit.New(limit, burst)
			rec := newRecorder()
			for _, op := range ops {
				n := 1 + int(op>>3)%burst
				switch op & 7 {
				case 0, 1:
					if l.AllowN(n) {
						rec.add(n)
					}
				case 2:
					if l.WaitN(context.Background(), n) == nil {
						rec.add(n)
					}
				case 3:
					r := l.ReserveN(n)
					time.Sleep(r.Delay())
					rec.add(n)
				case 4:
					r := l.ReserveN(n)
					r.Cancel()
				case 5:
					time.Sleep(interval * time.Duration(op>>3) / 4)
				case 6:
					l.DeferUntil(time.Now().Add(interval * time.Duration(op>>3)))
				case 7:
					if l.Allow() {
						rec.add(1)
					}
				}
			}
			requireWindowBound(t, rec.events, limit, burst, fmt.Sprintf("limit %v/s, burst %d, ops %v", float64(limit), burst, ops))
		})
	})
}
