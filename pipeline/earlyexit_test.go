package pipeline_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/pipeline"
)

// ahead is the most items a stage with the given workers and Buffer can
// have handled beyond what its consumer (with readers workers) has handled:
// its buffer, one hand-off slice per worker on each side, and one item in
// flight per worker. It is the bound the package doc promises.
func ahead(buffer, writers, readers int, ordered bool) int {
	slice := max(min(128, buffer), 1)
	if readers > 1 {
		slice = 1
	}
	if ordered && writers > 1 {
		// The workers share one writer; results wait in the reorder window.
		return buffer + slice*(1+readers) + max(64, 4*writers) + writers
	}
	return buffer + slice*(writers+readers) + writers
}

// earlyExit is a pipeline source -> parse -> square(workers) -> sink where
// one position stops the run at item stopAt. It counts the items each stage
// handled.
type earlyExit struct {
	buffer  int
	workers int
	ordered bool
	stopAt  int64

	taken, parsed, squared, sunk atomic.Int64
}

const earlyExitItems = 100_000

var errStop = errors.New("stop here")

func TestEveryEarlyExitStopsUpstreamWithinTheBuffers(t *testing.T) {
	cases := []struct {
		name    string
		where   string // source, parse, square, sink, panic, cancel, break
		wantErr error
	}{
		{"the source fails", "source", errStop},
		{"the first stage fails", "parse", errStop},
		{"the concurrent middle stage fails", "square", errStop},
		{"the sink fails", "sink", errStop},
		{"a stage panics", "panic", nil},
		{"ctx is cancelled", "cancel", context.Canceled},
		{"the consumer breaks its loop", "break", nil},
	}
	for _, tc := range cases {
		for _, shape := range []struct {
			buffer, workers int
			ordered         bool
		}{{4, 1, false}, {4, 4, false}, {pipeline.DefaultBuffer, 4, false}, {0, 2, false}, {4, 4, true}, {pipeline.DefaultBuffer, 3, true}} {
			t.Run(tc.name, func(t *testing.T) {
				defer goleak.VerifyNone(t)
				e := &earlyExit{buffer: shape.buffer, workers: shape.workers, ordered: shape.ordered, stopAt: 10}
				err, panicked := e.run(t, tc.where)
				if tc.where == "panic" {
					var pe *tandem.PanicError
					require.ErrorAs(t, panicked, &pe, "Run must raise the stage's panic")
					assert.Equal(t, "square panicked", pe.Value)
				} else {
					require.Nil(t, panicked)
				}
				if tc.wantErr != nil {
					require.ErrorIs(t, err, tc.wantErr)
				} else {
					require.NoError(t, err)
				}
				// Each stage may have run ahead of the next one by at most
				// the bound (plus the one item that failed in it); where the
				// stop came from, nothing ran after it.
				b, w, o := shape.buffer, shape.workers, shape.ordered
				sunk, squared, parsed, taken := e.sunk.Load(), e.squared.Load(), e.parsed.Load(), e.taken.Load()
				switch tc.where {
				case "sink", "cancel", "break":
					assert.LessOrEqual(t, sunk, e.stopAt, "sink: buffer=%d workers=%d", b, w)
				case "source":
					assert.LessOrEqual(t, taken, e.stopAt, "source: buffer=%d workers=%d", b, w)
				}
				assert.LessOrEqual(t, squared, sunk+int64(ahead(b, w, 1, o))+1, "square ran ahead of the sink: buffer=%d workers=%d ordered=%v", b, w, o)
				assert.LessOrEqual(t, parsed, squared+int64(ahead(b, 1, w, false))+1, "parse ran ahead of square: buffer=%d workers=%d", b, w)
				assert.LessOrEqual(t, taken, parsed+int64(ahead(b, 1, 1, false))+1, "the source ran ahead of parse: buffer=%d workers=%d", b, w)
				assert.Less(t, e.taken.Load(), int64(earlyExitItems/10), "the input must not be drained")
			})
		}
	}
}

func (e *earlyExit) run(t *testing.T, where string) (err error, panicked error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	buf := pipeline.Buffer(e.buffer)
	p := pipeline.New()
	src := pipeline.Generate(p, func(ctx context.Context, emit func(int) bool) error {
		for i := range earlyExitItems {
			n := e.taken.Add(1)
			if where == "source" && n > e.stopAt {
				e.taken.Add(-1)
				return errStop
			}
			if !emit(i) {
				return nil
			}
		}
		return nil
	}, buf)
	parsed := pipeline.Map(src, func(_ context.Context, v int) (int, error) {
		if n := e.parsed.Add(1); where == "parse" && n == e.stopAt {
			return 0, errStop
		}
		return v, nil
	}, buf)
	squared := pipeline.Map(parsed, func(_ context.Context, v int) (int, error) {
		n := e.squared.Add(1)
		if where == "square" && n == e.stopAt {
			return 0, errStop
		}
		if where == "panic" && n == e.stopAt {
			panic("square panicked")
		}
		return v * v, nil
	}, buf, pipeline.Workers(e.workers), orderedIf(e.ordered))

	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*tandem.PanicError)
			require.True(t, ok, "panic value %T, want *tandem.PanicError", r)
			panicked = pe
		}
	}()
	if where == "break" {
		for _, err := range pipeline.RunAll(ctx, squared) {
			require.NoError(t, err)
			if e.sunk.Add(1) == e.stopAt {
				break
			}
		}
		return nil, nil
	}
	pipeline.Sink(squared, func(context.Context, int) error {
		n := e.sunk.Add(1)
		if where == "sink" && n == e.stopAt {
			return errStop
		}
		if where == "cancel" && n == e.stopAt {
			cancel()
		}
		return nil
	})
	return p.Run(ctx), nil
}

func TestStatsAddUpAfterAnEarlyExit(t *testing.T) {
	e := &earlyExit{buffer: 8, workers: 3, stopAt: 10}
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(10000), pipeline.Buffer(8))
	m := pipeline.Map(src, square, pipeline.Workers(3), pipeline.Buffer(8))
	pipeline.Sink(m, func(context.Context, int) error {
		if e.sunk.Add(1) == 10 {
			return errStop
		}
		return nil
	})
	require.ErrorIs(t, p.Run(context.Background()), errStop)
	st := p.Stats().Stages
	require.Len(t, st, 3)
	source, mapped, sink := st[0], st[1], st[2]
	assert.Equal(t, source.In, source.Succeeded+source.Canceled, "source: %+v", source)
	assert.Equal(t, source.Out, mapped.In+mapped.NotStarted, "source out = map in + not started: %+v / %+v", source, mapped)
	assert.Equal(t, mapped.In, mapped.Succeeded+mapped.Failed+mapped.Canceled, "map: %+v", mapped)
	assert.Equal(t, mapped.Out, sink.In+sink.NotStarted, "map out = sink in + not started: %+v / %+v", mapped, sink)
	assert.Equal(t, sink.In, sink.Succeeded+sink.Failed+sink.Canceled, "sink: %+v", sink)
	assert.EqualValues(t, 9, sink.Succeeded)
	assert.EqualValues(t, 1, sink.Failed)
}

// orderedIf returns Ordered() when on, and a no-op option otherwise.
func orderedIf(on bool) pipeline.Option {
	if on {
		return pipeline.Ordered()
	}
	return pipeline.Name("")
}
