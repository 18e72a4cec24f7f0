package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-go/tandem/pipeline"
)

func ExampleNew() {
	p := pipeline.New()
	words := pipeline.FromSlice(p, []string{"a", "bb", "ccc"})
	lengths := pipeline.Map(words, func(_ context.Context, w string) (int, error) { return len(w), nil })
	pipeline.Sink(lengths, func(_ context.Context, n int) error {
		fmt.Println(n)
		return nil
	})
	if err := p.Run(context.Background()); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 1
	// 2
	// 3
}

func ExampleFromSlice() {
	p := pipeline.New()
	got, _ := pipeline.RunCollect(context.Background(), pipeline.FromSlice(p, []int{3, 1, 2}))
	fmt.Println(got)
	// Output: [3 1 2]
}

func ExampleFromSeq() {
	p := pipeline.New()
	m := map[string]int{"a": 1, "b": 2}
	keys := pipeline.FromSeq(p, maps.Keys(m))
	got, _ := pipeline.RunCollect(context.Background(), keys)
	slices.Sort(got)
	fmt.Println(got)
	// Output: [a b]
}

func ExampleFromChan() {
	ch := make(chan string, 2)
	ch <- "hello"
	ch <- "world"
	close(ch)
	p := pipeline.New()
	got, _ := pipeline.RunCollect(context.Background(), pipeline.FromChan(p, ch))
	fmt.Println(got)
	// Output: [hello world]
}

func ExampleGenerate() {
	p := pipeline.New()
	// A generator receives a context (cancelled by Stop and when the
	// pipeline stops) and emits until emit reports false.
	counter := pipeline.Generate(p, func(ctx context.Context, emit func(int) bool) error {
		for i := 1; i <= 3; i++ {
			if !emit(i) {
				return nil
			}
		}
		return nil
	})
	got, _ := pipeline.RunCollect(context.Background(), counter)
	fmt.Println(got)
	// Output: [1 2 3]
}

func ExampleMap() {
	p := pipeline.New()
	strs := pipeline.FromSlice(p, []string{"1", "2", "x", "4"})
	nums := pipeline.Map(strs, func(_ context.Context, s string) (int, error) { return strconv.Atoi(s) })
	got, err := pipeline.RunCollect(context.Background(), nums)
	fmt.Println(len(got) <= 2, err)
	// Output: true strconv.Atoi: parsing "x": invalid syntax
}

func ExampleFilter() {
	p := pipeline.New()
	nums := pipeline.FromSlice(p, []int{1, 2, 3, 4, 5, 6})
	even := pipeline.Filter(nums, func(_ context.Context, v int) (bool, error) { return v%2 == 0, nil })
	got, _ := pipeline.RunCollect(context.Background(), even)
	fmt.Println(got)
	// Output: [2 4 6]
}

func ExampleFlatMap() {
	p := pipeline.New()
	lines := pipeline.FromSlice(p, []string{"a b", "c"})
	words := pipeline.FlatMap(lines, func(_ context.Context, line string) ([]string, error) {
		return strings.Fields(line), nil
	})
	got, _ := pipeline.RunCollect(context.Background(), words)
	fmt.Println(got)
	// Output: [a b c]
}

func ExampleBatch() {
	p := pipeline.New()
	nums := pipeline.FromSlice(p, []int{1, 2, 3, 4, 5})
	// Batches of up to 2 items, each leaving at the latest a second after
	// its first item arrived.
	batches := pipeline.Batch(nums, 2, time.Second)
	got, _ := pipeline.RunCollect(context.Background(), batches)
	fmt.Println(got)
	// Output: [[1 2] [3 4] [5]]
}

func ExampleUnbatch() {
	p := pipeline.New()
	batches := pipeline.FromSlice(p, [][]int{{1, 2}, {3}})
	got, _ := pipeline.RunCollect(context.Background(), pipeline.Unbatch(batches))
	fmt.Println(got)
	// Output: [1 2 3]
}

func ExampleMerge() {
	p := pipeline.New()
	a := pipeline.FromSlice(p, []string{"a1", "a2"})
	b := pipeline.FromSlice(p, []string{"b1"})
	got, _ := pipeline.RunCollect(context.Background(), pipeline.Merge([]*pipeline.Stage[string]{a, b}))
	slices.Sort(got) // arrival order between inputs is not defined
	fmt.Println(got)
	// Output: [a1 a2 b1]
}

func ExampleBroadcast() {
	p := pipeline.New()
	events := pipeline.FromSlice(p, []int{1, 2, 3})
	// Two branches, each with its own buffer of 16 items. A branch whose
	// buffer is full holds back the broadcast (nothing is dropped).
	branches := pipeline.Broadcast(events, 2, pipeline.Buffer(16))
	var audited []int
	pipeline.Sink(branches[0], func(_ context.Context, v int) error {
		audited = append(audited, v)
		return nil
	})
	total, _ := pipeline.RunReduce(context.Background(), branches[1], 0, func(_ context.Context, acc, v int) (int, error) {
		return acc + v, nil
	})
	fmt.Println(audited, total)
	// Output: [1 2 3] 6
}

func ExampleSink() {
	p := pipeline.New()
	names := pipeline.FromSlice(p, []string{"ann", "bob"})
	pipeline.Sink(names, func(_ context.Context, name string) error {
		fmt.Println("hello", name)
		return nil
	})
	_ = p.Run(context.Background())
	// Output:
	// hello ann
	// hello bob
}

func ExampleRunCollect() {
	p := pipeline.New()
	squares := pipeline.Map(pipeline.FromSlice(p, []int{1, 2, 3}), func(_ context.Context, v int) (int, error) {
		return v * v, nil
	})
	got, err := pipeline.RunCollect(context.Background(), squares)
	fmt.Println(got, err)
	// Output: [1 4 9] <nil>
}

func ExampleRunReduce() {
	p := pipeline.New()
	words := pipeline.FromSlice(p, []string{"to", "be", "or", "not"})
	total, err := pipeline.RunReduce(context.Background(), words, 0, func(_ context.Context, acc int, w string) (int, error) {
		return acc + len(w), nil
	})
	fmt.Println(total, err)
	// Output: 9 <nil>
}

func ExampleRunAll() {
	p := pipeline.New()
	nums := pipeline.FromSlice(p, []int{1, 2, 3, 4, 5, 6, 7, 8})
	for v, err := range pipeline.RunAll(context.Background(), nums) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		if v > 3 {
			break // stops the pipeline; the loop ends when every stage has exited
		}
		fmt.Println(v)
	}
	// Output:
	// 1
	// 2
	// 3
}

func ExampleWorkers() {
	p := pipeline.New()
	ids := pipeline.FromSlice(p, []int{1, 2, 3, 4})
	// Up to 4 lookups at once; results leave as they finish.
	users := pipeline.Map(ids, func(_ context.Context, id int) (string, error) {
		return "user" + strconv.Itoa(id), nil
	}, pipeline.Workers(4))
	got, _ := pipeline.RunCollect(context.Background(), users)
	slices.Sort(got)
	fmt.Println(got)
	// Output: [user1 user2 user3 user4]
}

func ExampleOrdered() {
	p := pipeline.New()
	ids := pipeline.FromSlice(p, []int{4, 3, 2, 1})
	slow := pipeline.Map(ids, func(_ context.Context, id int) (int, error) {
		time.Sleep(time.Duration(id) * time.Millisecond) // later items finish first
		return id * 10, nil
	}, pipeline.Workers(4), pipeline.Ordered())
	got, _ := pipeline.RunCollect(context.Background(), slow)
	fmt.Println(got)
	// Output: [40 30 20 10]
}

func ExampleOnError() {
	p := pipeline.New()
	msgs := pipeline.FromSlice(p, []string{"1", "oops", "3"})
	nums := pipeline.Map(msgs, func(_ context.Context, s string) (int, error) {
		return strconv.Atoi(s)
	}, pipeline.OnError(func(_ context.Context, msg string, err error) error {
		fmt.Printf("requeue %q\n", msg) // the pipeline goes on
		return nil
	}))
	got, err := pipeline.RunCollect(context.Background(), nums)
	fmt.Println(got, err)
	// Output:
	// requeue "oops"
	// [1 3] <nil>
}

// everyTick is a stand-in for a *ratelimit.Limiter: it lets one item through
// per tick.
type everyTick time.Duration

func (d everyTick) WaitN(ctx context.Context, n int) error {
	select {
	case <-time.After(time.Duration(d) * time.Duration(n)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func ExamplePace() {
	p := pipeline.New()
	urls := pipeline.FromSlice(p, []string{"/a", "/b", "/c"})
	// At most one call per millisecond, however many workers.
	fetched := pipeline.Map(urls, func(_ context.Context, u string) (string, error) {
		return "GET " + u, nil
	}, pipeline.Pace(everyTick(time.Millisecond)), pipeline.Workers(2), pipeline.Ordered())
	got, _ := pipeline.RunCollect(context.Background(), fetched)
	fmt.Println(got)
	// Output: [GET /a GET /b GET /c]
}

func ExampleTimeout() {
	p := pipeline.New()
	delays := pipeline.FromSlice(p, []time.Duration{time.Millisecond, time.Hour})
	done := pipeline.Map(delays, func(ctx context.Context, d time.Duration) (time.Duration, error) {
		select {
		case <-time.After(d):
			return d, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}, pipeline.Timeout(50*time.Millisecond))
	_, err := pipeline.RunCollect(context.Background(), done)
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output: true
}

func ExamplePipeline_Stop() {
	p := pipeline.New()
	// An endless source, such as a queue consumer.
	msgs := pipeline.Generate(p, func(ctx context.Context, emit func(int) bool) error {
		for i := 0; ; i++ {
			select {
			case <-ctx.Done(): // Stop cancels the source's context
				return nil
			case <-time.After(time.Millisecond):
			}
			if !emit(i) {
				return nil
			}
		}
	})
	received := 0
	pipeline.Sink(msgs, func(context.Context, int) error {
		received++
		if received == 5 {
			p.Stop(10 * time.Second) // take no more; finish what was taken
		}
		return nil
	})
	err := p.Run(context.Background())
	st := p.Stats()
	fmt.Println(err, st.Stages[0].Out == st.Stages[1].Out)
	// Output: <nil> true
}

func ExamplePipeline_Stats() {
	p := pipeline.New()
	nums := pipeline.FromSlice(p, []int{1, 2, 3}, pipeline.Name("read"))
	sq := pipeline.Map(nums, func(_ context.Context, v int) (int, error) {
		time.Sleep(time.Millisecond) // the slow stage
		return v * v, nil
	}, pipeline.Name("square"))
	pipeline.Sink(sq, func(context.Context, int) error { return nil }, pipeline.Name("store"))
	_ = p.Run(context.Background())
	st := p.Stats()
	for _, s := range st.Stages {
		fmt.Println(s.Name, s.In, s.Out)
	}
	if b, ok := st.Bottleneck(); ok {
		fmt.Println("bottleneck:", b.Name)
	}
	// Output:
	// read 3 3
	// square 3 3
	// store 3 3
	// bottleneck: square
}

func ExampleBuffer() {
	p := pipeline.New()
	jobs := pipeline.FromSlice(p, []string{"a", "b", "c"}, pipeline.Buffer(0))
	// Buffer(0): the source takes a job only when the next stage is ready
	// for it, so nothing is taken early (and held) if the pipeline stops.
	pipeline.Sink(jobs, func(_ context.Context, job string) error {
		fmt.Println("run", job)
		return nil
	})
	_ = p.Run(context.Background())
	// Output:
	// run a
	// run b
	// run c
}

func ExampleName() {
	p := pipeline.New()
	src := pipeline.FromSlice(p, []int{1, 2}, pipeline.Name("numbers"))
	pipeline.Sink(src, func(context.Context, int) error { return nil }, pipeline.Name("discard"))
	_ = p.Run(context.Background())
	for _, s := range p.Stats().Stages {
		fmt.Println(s.Name, s.Out)
	}
	// Output:
	// numbers 2
	// discard 2
}
