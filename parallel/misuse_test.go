package parallel

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMisusePanicsAtOnceWithTheFunctionsNameAndWhatIsWrong(t *testing.T) {
	var nilCtx context.Context
	var nilOpt Option
	body := func(context.Context, int, int) error { return nil }
	in := []int{1, 2, 3}
	id := func() int { return 0 }
	for want, f := range map[string]func(){
		"parallel: For: nil context":                         func() { _ = For(nilCtx, 1, body) },
		"parallel: For: nil function":                        func() { _ = For(bg, 1, nil) },
		"parallel: For: n must not be negative, got -1":      func() { _ = For(bg, -1, body) },
		"parallel: For: nil Option":                          func() { _ = For(bg, 1, body, Workers(2), nilOpt) },
		"parallel: Map: nil context":                         func() { _, _ = Map(nilCtx, in, func(v int) int { return v }) },
		"parallel: Map: nil function":                        func() { _, _ = Map[int, int](bg, in, nil) },
		"parallel: Map: nil Option":                          func() { _, _ = Map(bg, in, func(v int) int { return v }, nilOpt) },
		"parallel: Reduce: nil context":                      func() { _, _ = Reduce(nilCtx, in, id, sumInts, addInts) },
		"parallel: Reduce: nil identity function":            func() { _, _ = Reduce(bg, in, nil, sumInts, addInts) },
		"parallel: Reduce: nil fold function":                func() { _, _ = Reduce(bg, in, id, nil, addInts) },
		"parallel: Reduce: nil combine function":             func() { _, _ = Reduce(bg, in, id, sumInts, nil) },
		"parallel: Reduce: nil Option":                       func() { _, _ = Reduce(bg, in, id, sumInts, addInts, nilOpt) },
		"parallel: Workers: n must be at least 1, got 0":     func() { Workers(0) },
		"parallel: Chunk: size must be at least 1, got -3":   func() { Chunk(-3) },
		"parallel: MinChunk: size must be at least 1, got 0": func() { MinChunk(0) },
		"parallel: Progress: nil function":                   func() { Progress(nil) },
	} {
		assert.PanicsWithValue(t, want, f)
	}
}

func TestMisuseIsCaughtBeforeAnythingRuns(t *testing.T) {
	// A nil Option after valid ones, or a negative n, must not start the
	// call: no body runs.
	ran := false
	body := func(context.Context, int, int) error { ran = true; return nil }
	assert.Panics(t, func() { _ = For(bg, 10, body, Workers(1), nil) })
	assert.Panics(t, func() { _ = For(bg, -5, body, Workers(1)) })
	assert.False(t, ran, "a body ran")
}
