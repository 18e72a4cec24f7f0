package bench

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/destel/rill"

	"github.com/tandem-go/tandem/pipeline"
)

// The pipeline workload of the prior-art study: strings "0".."n-1" ->
// parse (strconv.Atoi) -> square -> sum, trivial work per item, so every
// figure above ~20 ns/item is coordination.

func pipelineInput(b *testing.B) []string {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	strs := make([]string, n)
	for i := range strs {
		strs[i] = strconv.Itoa(i)
	}
	return strs
}

func wantSum(n int) int {
	s := 0
	for i := range n {
		s += i * i
	}
	return s
}

func parseInt(_ context.Context, s string) (int, error) { return strconv.Atoi(s) }
func squareInt(_ context.Context, v int) (int, error)   { return v * v, nil }
func addInt(_ context.Context, acc, v int) (int, error) {
	return acc + v, nil
}

func tandemSum(strs []string, opts ...pipeline.Option) (int, error) {
	p := pipeline.New()
	src := pipeline.FromSlice(p, strs)
	nums := pipeline.Map(src, parseInt)
	sq := pipeline.Map(nums, squareInt, opts...)
	return pipeline.RunReduce(context.Background(), sq, 0, addInt)
}

func rillSum(strs []string, workers int, ordered bool) (int, error) {
	src := rill.FromSlice(strs, nil)
	nums := rill.Map(src, 1, strconv.Atoi)
	sqf := func(v int) (int, error) { return v * v, nil }
	var sq <-chan rill.Try[int]
	if ordered {
		sq = rill.OrderedMap(nums, workers, sqf)
	} else {
		sq = rill.Map(nums, workers, sqf)
	}
	sum := 0
	err := rill.ForEach(sq, 1, func(v int) error { sum += v; return nil })
	return sum, err
}

// handSum is the hand-written ctx-correct pipeline: every send selects on
// ctx.Done(); with fast, it first tries a non-blocking send.
func handSum(ctx context.Context, strs []string, workers, buffer int, fast bool) (int, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	send := func(ch chan<- int, v int) bool {
		if fast {
			select {
			case ch <- v:
				return true
			default:
			}
		}
		select {
		case ch <- v:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var wg sync.WaitGroup
	nums := make(chan int, buffer)
	wg.Go(func() {
		defer close(nums)
		for _, s := range strs {
			v, err := strconv.Atoi(s)
			if err != nil {
				cancel(err)
				return
			}
			if !send(nums, v) {
				return
			}
		}
	})
	squares := make(chan int, buffer)
	var sqWG sync.WaitGroup
	for range workers {
		sqWG.Go(func() {
			for v := range nums {
				if !send(squares, v*v) {
					return
				}
			}
		})
	}
	wg.Go(func() { sqWG.Wait(); close(squares) })
	sum := 0
	for v := range squares {
		sum += v
	}
	wg.Wait()
	return sum, context.Cause(ctx)
}

func checkSum(b *testing.B, strs []string, got int, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		b.Fatal(err)
	}
	if want := wantSum(len(strs)); got != want {
		b.Fatalf("sum = %d, want %d", got, want)
	}
}

// BenchmarkPipeline3Stage: parse (1 worker) -> square (1 worker) -> sum.
func BenchmarkPipeline3Stage(b *testing.B) {
	strs := pipelineInput(b)
	b.Run("tandem", func(b *testing.B) {
		perItem(b, len(strs), func() {
			sum, err := tandemSum(strs)
			checkSum(b, strs, sum, err)
		})
	})
	b.Run("rill", func(b *testing.B) {
		perItem(b, len(strs), func() {
			sum, err := rillSum(strs, 1, false)
			checkSum(b, strs, sum, err)
		})
	})
	b.Run("hand-ctx", func(b *testing.B) {
		perItem(b, len(strs), func() {
			sum, err := handSum(context.Background(), strs, 1, 0, false)
			checkSum(b, strs, sum, err)
		})
	})
	b.Run("hand-ctxfast-buf64", func(b *testing.B) {
		perItem(b, len(strs), func() {
			sum, err := handSum(context.Background(), strs, 1, 64, true)
			checkSum(b, strs, sum, err)
		})
	})
}

// BenchmarkPipelineOrdered4: the same with 4 workers on square, output in
// input order.
func BenchmarkPipelineOrdered4(b *testing.B) {
	strs := pipelineInput(b)
	b.Run("tandem", func(b *testing.B) {
		perItem(b, len(strs), func() {
			sum, err := tandemSum(strs, pipeline.Workers(4), pipeline.Ordered())
			checkSum(b, strs, sum, err)
		})
	})
	b.Run("tandem-unordered", func(b *testing.B) {
		perItem(b, len(strs), func() {
			sum, err := tandemSum(strs, pipeline.Workers(4))
			checkSum(b, strs, sum, err)
		})
	})
	b.Run("rill", func(b *testing.B) {
		perItem(b, len(strs), func() {
			sum, err := rillSum(strs, 4, true)
			checkSum(b, strs, sum, err)
		})
	})
}

var errEnough = errors.New("enough")

// BenchmarkPipelineEarlyExit: the sink stops after 10 of the items (square
// runs 4 workers). return-ns/op is the time the call took to return;
// upstream/op counts the items square handled by then, and leftover/op
// those it handled after the call returned (rill drains its input in the
// background). ns/op covers the whole cycle, drain included, so that the
// benchmark's length stays bounded.
func BenchmarkPipelineEarlyExit(b *testing.B) {
	strs := pipelineInput(b)
	run := func(b *testing.B, do func(square func(int) int, sink func(int) error)) {
		var squared atomic.Int64
		var upstream, leftover int64
		var returned time.Duration
		ops := 0
		for b.Loop() {
			squared.Store(0)
			seen := 0
			start := time.Now()
			do(func(v int) int { squared.Add(1); return v * v }, func(int) error {
				seen++
				if seen == 10 {
					return errEnough
				}
				return nil
			})
			returned += time.Since(start)
			at := squared.Load()
			upstream += at
			ops++
			leftover += settle(&squared) - at
		}
		b.ReportMetric(float64(returned.Nanoseconds())/float64(ops), "return-ns/op")
		b.ReportMetric(float64(upstream)/float64(ops), "upstream/op")
		b.ReportMetric(float64(leftover)/float64(ops), "leftover/op")
	}
	b.Run("tandem", func(b *testing.B) {
		run(b, func(square func(int) int, sink func(int) error) {
			p := pipeline.New()
			nums := pipeline.Map(pipeline.FromSlice(p, strs), parseInt)
			sq := pipeline.Map(nums, func(_ context.Context, v int) (int, error) { return square(v), nil }, pipeline.Workers(4))
			pipeline.Sink(sq, func(_ context.Context, v int) error { return sink(v) })
			if err := p.Run(context.Background()); !errors.Is(err, errEnough) {
				b.Fatal(err)
			}
		})
	})
	b.Run("rill", func(b *testing.B) {
		run(b, func(square func(int) int, sink func(int) error) {
			nums := rill.Map(rill.FromSlice(strs, nil), 1, strconv.Atoi)
			sq := rill.Map(nums, 4, func(v int) (int, error) { return square(v), nil })
			if err := rill.ForEach(sq, 1, sink); !errors.Is(err, errEnough) {
				b.Fatal(err)
			}
		})
	})
}

// settle waits until the counter stops moving (a background drain ends)
// and returns its final value.
func settle(c *atomic.Int64) int64 {
	last := c.Load()
	for {
		for range 1000 {
			runtime.Gosched()
		}
		now := c.Load()
		if now == last {
			return now
		}
		last = now
	}
}
