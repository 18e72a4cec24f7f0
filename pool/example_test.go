package pool_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/pool"
)

// A service-wide Pool: requests hand it fire-and-forget work, bounded by
// one bound and one queue, and the service closes it on the way out.
func ExamplePool() {
	p := pool.New(8) // at most 8 tasks at once, 8 more queued
	var sent atomic.Int64
	for range 100 {
		// Submit blocks while the pool is full, until ctx is done.
		err := p.Submit(context.Background(), func(ctx context.Context) error {
			sent.Add(1) // send an email, write an audit record, ...
			return nil
		})
		if err != nil {
			fmt.Println("not accepted:", err)
		}
	}
	p.Close() // stop intake, run what was accepted, wait for the workers
	s := p.Stats()
	fmt.Println(sent.Load(), "sent;", s.Succeeded, "succeeded of", s.Submitted, "submitted")
	// Output: 100 sent; 100 succeeded of 100 submitted
}

// TrySubmit never blocks: shed load when the pool is full.
func ExamplePool_TrySubmit() {
	p := pool.New(1, pool.QueueSize(0))
	release := make(chan struct{})
	_ = p.TrySubmit(context.Background(), func(context.Context) error { <-release; return nil })

	err := p.TrySubmit(context.Background(), func(context.Context) error { return nil })
	fmt.Println(errors.Is(err, pool.ErrFull))
	close(release)
	p.Close()
	fmt.Println(p.TrySubmit(context.Background(), func(context.Context) error { return nil }))
	// Output:
	// true
	// pool: closed
}

// Shutdown gives the accepted work until a deadline, then drops what has
// not started.
func ExamplePool_Shutdown() {
	p := pool.New(1, pool.QueueSize(10))
	for range 5 {
		_ = p.Submit(context.Background(), func(context.Context) error { time.Sleep(20 * time.Millisecond); return nil })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := p.Shutdown(ctx)
	s := p.Stats()
	fmt.Println(err, s.Submitted == s.Succeeded+s.NotStarted)
	// Output: context deadline exceeded true
}

// Without a handler a panic in a fire-and-forget task crashes the program,
// as in a go statement; OnPanic reports it instead.
func ExampleOnPanic() {
	p := pool.New(2, pool.OnPanic(func(pe *tandem.PanicError) {
		fmt.Println("recovered:", pe.Value, strings.Contains(pe.Stack, "panic("))
	}))
	_ = p.Submit(context.Background(), func(context.Context) error { panic("bad input") })
	p.Close()
	// Output: recovered: bad input true
}

// A Group runs one request's tasks under its own bound and fails fast:
// the first error cancels the others and is what Wait returns.
func ExampleGroup() {
	g := pool.NewGroup(context.Background(), 4)
	for _, host := range []string{"a.example", "b.example", "bad.example"} {
		g.Go(func(ctx context.Context) error {
			if strings.HasPrefix(host, "bad") {
				return fmt.Errorf("fetch %s: unreachable", host)
			}
			return nil
		})
	}
	fmt.Println(g.Wait())
	// Output: fetch bad.example: unreachable
}

// CollectAll runs every task and joins all the errors in submission
// order.
func ExampleCollectAll() {
	g := pool.NewGroup(context.Background(), 2, pool.CollectAll())
	for i := range 5 {
		g.Go(func(context.Context) error {
			if i%2 == 1 {
				return fmt.Errorf("item %d invalid", i)
			}
			return nil
		})
	}
	fmt.Println(g.Wait())
	// Output:
	// item 1 invalid
	// item 3 invalid
}

// Groups on a shared Pool: every request makes its own group, and the
// whole service stays under the pool's bound.
func ExampleOnPool() {
	shared := pool.New(16)
	defer shared.Close()

	handle := func(ctx context.Context, ids []int) (int, error) {
		g := pool.NewResultGroup[int](ctx, 4, pool.OnPool(shared)) // 4 per request, 16 in all
		for _, id := range ids {
			g.Go(func(ctx context.Context) (int, error) { return id * 10, nil })
		}
		values, err := g.Wait()
		sum := 0
		for _, v := range values {
			sum += v
		}
		return sum, err
	}
	fmt.Println(handle(context.Background(), []int{1, 2, 3}))
	// Output: 60 <nil>
}

// A ResultGroup returns values in submission order, and Errs tells which
// item failed.
func ExampleResultGroup() {
	g := pool.NewResultGroup[string](context.Background(), 3, pool.CollectAll())
	for _, name := range []string{"ann", "", "bob"} {
		g.Go(func(context.Context) (string, error) {
			if name == "" {
				return "", errors.New("empty name")
			}
			return strings.ToUpper(name), nil
		})
	}
	values, err := g.Wait()
	fmt.Printf("%q %v\n", values, err)
	fmt.Println(g.Errs())
	// Output:
	// ["ANN" "" "BOB"] empty name
	// [<nil> empty name <nil>]
}

// Timeout bounds each task on its own, from when it starts.
func ExampleTimeout() {
	g := pool.NewGroup(context.Background(), 2, pool.Timeout(10*time.Millisecond))
	g.Go(func(ctx context.Context) error {
		<-ctx.Done() // a call that hangs
		return ctx.Err()
	})
	fmt.Println(g.Wait())
	// Output: context deadline exceeded
}

// Resize changes the bound while the pool runs.
func ExamplePool_Resize() {
	p := pool.New(2)
	p.Resize(10)
	fmt.Println(p.Workers())
	p.Close()
	// Output: 10
}

// QueueSize sets how much accepted work may wait for a worker; beyond
// it Submit blocks and TrySubmit fails.
func ExampleQueueSize() {
	p := pool.New(1, pool.QueueSize(2))
	release := make(chan struct{})
	wait := func(context.Context) error { <-release; return nil }
	for i := range 4 {
		fmt.Println(i, p.TrySubmit(context.Background(), wait))
	}
	close(release)
	p.Close()
	// Output:
	// 0 <nil>
	// 1 <nil>
	// 2 <nil>
	// 3 pool: queue full
}

// Stats counts every task: the accepted ones add up, the rest are rejected.
func ExamplePool_Stats() {
	p := pool.New(2, pool.OnPanic(func(*tandem.PanicError) {}))
	ctx := context.Background()
	_ = p.Submit(ctx, func(context.Context) error { return nil })
	_ = p.Submit(ctx, func(context.Context) error { return errors.New("failed") })
	_ = p.Submit(ctx, func(context.Context) error { panic("bug") })
	p.Close()
	_ = p.Submit(ctx, func(context.Context) error { return nil })
	s := p.Stats()
	fmt.Printf("submitted %d: succeeded %d, failed %d, panicked %d; rejected %d\n",
		s.Submitted, s.Succeeded, s.Failed, s.Panicked, s.Rejected)
	// Output: submitted 3: succeeded 1, failed 1, panicked 1; rejected 1
}

// OnError sees every error of fire-and-forget work, which has no waiter to
// return it to: log it, count it, retry it.
func ExampleOnError() {
	var mu sync.Mutex
	var failures []string
	p := pool.New(2, pool.OnError(func(err error) {
		mu.Lock()
		failures = append(failures, err.Error())
		mu.Unlock()
	}))
	for _, to := range []string{"ann@example.com", "", "bob@example.com"} {
		_ = p.Submit(context.Background(), func(context.Context) error {
			if to == "" {
				return errors.New("send mail: no recipient")
			}
			return nil
		})
	}
	p.Close()
	fmt.Println(failures)
	// Output: [send mail: no recipient]
}

// Do takes one of a shared pool's slots for one call and returns its
// result: here a service admits at most 2 heavy reports at once.
func ExampleDo() {
	reports := pool.New(2, pool.QueueSize(0))
	defer reports.Close()
	total, err := pool.Do(context.Background(), reports, func(ctx context.Context) (int, error) {
		sum := 0
		for i := range 1000 {
			sum += i
		}
		return sum, nil
	})
	fmt.Println(total, err)
	// Output: 499500 <nil>
}

// Call runs a task on a shared pool and waits for it, allocating nothing:
// for a goroutine that makes one call after another on the pool. TryCall
// runs it only if a worker is free now.
func ExamplePool_Call() {
	db := pool.New(2, pool.QueueSize(0)) // the service's two database connections
	defer db.Close()
	var rows atomic.Int64
	query := func(ctx context.Context) error { rows.Add(10); return nil }
	for range 3 {
		if err := db.Call(context.Background(), query); err != nil {
			fmt.Println("query:", err)
		}
	}
	release := make(chan struct{})
	for range 2 { // both connections busy
		_ = db.Submit(context.Background(), func(ctx context.Context) error { <-release; return nil })
	}
	fmt.Println(rows.Load(), "rows;", db.TryCall(context.Background(), query))
	close(release)
	// Output: 30 rows; pool: queue full
}

// Unlimited runs every task of a group at once, as a zero errgroup.Group
// does; the group still waits for them, fails fast and re-raises panics.
func ExampleUnlimited() {
	g := pool.NewResultGroup[int](context.Background(), pool.Unlimited)
	for i := range 5 {
		g.Go(func(context.Context) (int, error) { return i * i, nil })
	}
	fmt.Println(g.Wait())
	// Output: [0 1 4 9 16] <nil>
}

// FailFast, the default, stops a group at its first error: tasks not yet
// started never start, and their results stay zero.
func ExampleFailFast() {
	g := pool.NewResultGroup[string](context.Background(), 1, pool.FailFast())
	for _, id := range []string{"a", "b!", "c"} {
		g.Go(func(context.Context) (string, error) {
			if strings.HasSuffix(id, "!") {
				return "", fmt.Errorf("load %s: not found", id)
			}
			return strings.ToUpper(id), nil
		})
	}
	values, err := g.Wait()
	fmt.Printf("%q %v\n", values, err)
	// Output: ["A" "" ""] load b!: not found
}
