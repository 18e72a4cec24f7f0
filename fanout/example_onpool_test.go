package fanout_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/pool"
)

// One service-wide bound for every request's fan-out: ten requests at
// once, each fanning out to 8 profile fetches, keep at most 4 calls in
// flight at the profile service between them.
func ExampleOnPool() {
	profiles := pool.New(4) // the service's budget of calls to the profile service
	defer profiles.Close()
	var inFlight, peak atomic.Int64
	fetch := func(ctx context.Context, id int) (string, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(time.Millisecond) // the remote call
		return fmt.Sprint("profile ", id), nil
	}
	var wg sync.WaitGroup
	var fetched atomic.Int64
	for range 10 { // ten requests, each handled on its own goroutine
		wg.Go(func() {
			results, err := fanout.Map(context.Background(), []int{1, 2, 3, 4, 5, 6, 7, 8}, fetch,
				fanout.Workers(8), fanout.OnPool(profiles))
			if err == nil {
				fetched.Add(int64(len(results)))
			}
		})
	}
	wg.Wait()
	fmt.Println(fetched.Load(), "profiles fetched, at most 4 at once:", peak.Load() <= 4)
	fmt.Println(profiles.Stats().Succeeded, "calls on the pool")
	// Output:
	// 80 profiles fetched, at most 4 at once: true
	// 80 calls on the pool
}
