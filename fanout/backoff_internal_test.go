package fanout

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// FuzzBackoffStaysWithinZeroAndItsLimit checks the full-jitter bound at
// the edges of the arithmetic: base×2^(attempt-1) overflowing, a limit of
// math.MaxInt64, attempts past 63.
func FuzzBackoffStaysWithinZeroAndItsLimit(f *testing.F) {
	f.Add(int64(1), int64(math.MaxInt64), 63)
	f.Add(int64(1), int64(math.MaxInt64), 64)
	f.Add(int64(time.Second), int64(math.MaxInt64), 40)
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64), 1)
	f.Add(int64(100*time.Millisecond), int64(10*time.Second), 1)
	f.Add(int64(100*time.Millisecond), int64(10*time.Second), math.MaxInt)
	f.Fuzz(func(t *testing.T, base, limit int64, attempt int) {
		if base <= 0 || limit < base || attempt < 1 {
			t.Skip("Backoff and Attempts refuse these")
		}
		o := buildOptions("fanout: test", []Option{Backoff(time.Duration(base), time.Duration(limit))})
		r := &run[int, int]{o: &o}
		want := limit // min(limit, base×2^(attempt-1)), without overflow
		if shift := attempt - 1; shift < 63 && base <= limit>>shift {
			want = base << shift
		}
		for range 20 {
			d := r.backoff(attempt)
			assert.GreaterOrEqual(t, int64(d), int64(0), "backoff(%d) with base %d, limit %d", attempt, base, limit)
			assert.LessOrEqual(t, int64(d), want, "backoff(%d) with base %d, limit %d", attempt, base, limit)
		}
	})
}
