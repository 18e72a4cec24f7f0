package ratelimit

import (
	"testing"
	"unsafe"
)

func TestTheLimiterFillsA128ByteSizeClassSoItsHotFieldsShareOneCacheLine(t *testing.T) {
	if got := unsafe.Sizeof(Limiter{}); got != 128 {
		t.Fatalf("unsafe.Sizeof(Limiter{}) = %d, want 128", got)
	}
	if off := unsafe.Offsetof(Limiter{}.base) + unsafe.Sizeof(Limiter{}.base); off > 64 {
		t.Fatalf("tat, cfg and base end at byte %d, want within the first 64", off)
	}
}
