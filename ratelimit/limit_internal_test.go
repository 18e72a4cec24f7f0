package ratelimit

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"
)

// intervalOf is the interval New would use for limit.
func intervalOf(limit Limit) int64 { return limit.interval("test") }

// TestEveryGivesExactlyItsIntervalFrom1nsTo1ms checks every d in 1ns..1ms
// (#13.13: Every(1ns) spaced events 2ns apart, Every(2ns) 3ns).
func TestEveryGivesExactlyItsIntervalFrom1nsTo1ms(t *testing.T) {
	for d := int64(1); d <= 1e6; d++ {
		if got := intervalOf(Every(time.Duration(d))); got != d {
			t.Fatalf("Every(%v) gives an interval of %dns, want %d", time.Duration(d), got, d)
		}
	}
}

// everySamples are durations below exactEvery where rounding is most
// likely to go wrong: around powers of two and of ten, and at random.
func everySamples(rng *rand.Rand) []int64 {
	var ds []int64
	for p := int64(1); p < exactEvery; p *= 2 {
		for k := int64(-3); k <= 3; k++ {
			ds = append(ds, p+k)
		}
	}
	for p := int64(1); p < exactEvery; p *= 10 {
		for k := int64(-3); k <= 3; k++ {
			ds = append(ds, p+k, 3*p+k, 7*p+k)
		}
	}
	for range 200_000 {
		ds = append(ds, 1+rng.Int64N(exactEvery-1), 1+rng.Int64N(1<<rng.IntN(52)))
	}
	for d := exactEvery - 10_000; d < exactEvery; d++ {
		ds = append(ds, d)
	}
	return ds
}

func TestEveryGivesExactlyItsIntervalUpTo2To52ns(t *testing.T) {
	for _, d := range everySamples(rand.New(rand.NewPCG(13, 13))) {
		if d < 1 || d >= exactEvery {
			continue
		}
		if got := intervalOf(Every(time.Duration(d))); got != d {
			t.Fatalf("Every(%dns) gives an interval of %dns, want %d", d, got, d)
		}
	}
}

// Above 2^52ns a float64 Limit cannot name every nanosecond; the interval
// is then d to within one part in 2^51, up to the largest New accepts.
func TestEveryAbove2To52nsIsWithinOnePartIn2To51(t *testing.T) {
	rng := rand.New(rand.NewPCG(52, 61))
	ds := []int64{exactEvery, exactEvery + 1, 1 << 53, 1<<53 + 1, maxTau - 1, maxTau}
	for range 100_000 {
		ds = append(ds, exactEvery+rng.Int64N(maxTau-exactEvery+1))
	}
	for _, d := range ds {
		got := intervalOf(Every(time.Duration(d)))
		if diff := math.Abs(float64(got - d)); diff > float64(d)/(1<<51)+1 {
			t.Fatalf("Every(%dns) gives an interval of %dns, off by %v, want within d/2^51 = %v", d, got, diff, float64(d)/(1<<51))
		}
	}
}

// FuzzEveryIsExact: Every(d) gives exactly d below 2^52ns, and within one
// part in 2^51 up to the largest interval accepted.
func FuzzEveryIsExact(f *testing.F) {
	for _, d := range []int64{1, 2, 3, 999_999_999, 1e9, 1e9 + 1, exactEvery - 1, exactEvery, maxTau} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d int64) {
		if d < 1 || d > maxTau {
			t.Skip()
		}
		got := intervalOf(Every(time.Duration(d)))
		if d < exactEvery && got != d {
			t.Fatalf("Every(%dns) gives %dns", d, got)
		}
		if diff := math.Abs(float64(got - d)); diff > float64(d)/(1<<51)+1 {
			t.Fatalf("Every(%dns) gives %dns, off by %v", d, got, diff)
		}
	})
}

// Any other limit is rounded up to whole nanoseconds: the interval c is the
// smallest with c·limit >= 1e9, exactly (big.Rat), so the limiter never
// admits faster than the limit, unless limit is what Every(c) returns.
func TestALimitNotFromEveryIsRoundedUpExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 7))
	limits := []Limit{3, 7, 1e9, 1e9 / 3, 0.3, 1e-9, Limit(math.Nextafter(1e9, 0)), Limit(math.Nextafter(1, 2)), 123456.789}
	for range 30_000 {
		limits = append(limits, Limit(math.Exp(rng.Float64()*math.Log(1e9*5e8))/5e8)) // 2e-9 .. 1e9, log-uniform
	}
	billion := new(big.Rat).SetInt64(1e9)
	for _, limit := range limits {
		if 1e9/float64(limit) > float64(maxTau) {
			continue
		}
		c := intervalOf(limit)
		if c < 1<<53 && every(c) == limit {
			continue // Every(c)'s own limit: c is its interval
		}
		exact := new(big.Rat).SetFloat64(float64(limit))
		atC := new(big.Rat).Mul(new(big.Rat).SetInt64(c), exact)
		below := new(big.Rat).Mul(new(big.Rat).SetInt64(c-1), exact)
		if atC.Cmp(billion) < 0 {
			t.Fatalf("limit %v: interval %dns admits faster than the limit", float64(limit), c)
		}
		if c < 1<<53 && c > 1 && below.Cmp(billion) >= 0 {
			t.Fatalf("limit %v: interval %dns, but %dns would honour it too", float64(limit), c, c-1)
		}
	}
}
