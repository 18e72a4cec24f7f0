// Package scenario is the sequential-vs-concurrent example: a handler needs
// many database lookups, each of which mostly waits on the network. Done one
// after another the waits add up; done at once in a bounded pool group they
// overlap, and the wall time falls to about (lookups / limit) x one lookup.
package scenario

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/tandem-go/tandem/examples/internal/chart"
	"github.com/tandem-go/tandem/examples/internal/httpjson"
	"github.com/tandem-go/tandem/examples/internal/standin"
	"github.com/tandem-go/tandem/pool"
)

// Lesson is the one line this example teaches.
const Lesson = "waiting -> concurrency: lookups that wait on the network overlap in a bounded group"

// Config is what to run.
type Config struct {
	// DBURL is the database to query (GET {DBURL}/users/{id}); empty starts
	// the loopback stand-in (20-50 ms per query).
	DBURL string
	// Lookups is the number of users the handler loads.
	Lookups int
	// Limit is the most lookups in flight at once (a database's connection
	// budget for one request).
	Limit int
}

// DefaultConfig is the full run: 100 lookups, at most 20 at once.
func DefaultConfig() Config { return Config{Lookups: 100, Limit: 20} }

// QuickConfig is the short run of the tour's quick mode.
func QuickConfig() Config { return Config{Lookups: 40, Limit: 20} }

// Result is what the run measured.
type Result struct {
	Sequential, Concurrent time.Duration
	// Users is how many users each way loaded (both must equal Lookups).
	SequentialUsers, ConcurrentUsers int
	// PeakInFlight is the most queries the stand-in database saw at once
	// (0 with a real endpoint): never more than Limit.
	PeakInFlight int64
}

// Speedup is how many times faster the concurrent way was.
func (r Result) Speedup() float64 { return r.Sequential.Seconds() / r.Concurrent.Seconds() }

// Run loads cfg.Lookups users both ways, prints what it measured to w and
// returns it.
func Run(ctx context.Context, w io.Writer, cfg Config) (Result, error) {
	if cfg.Lookups < 1 || cfg.Limit < 1 {
		return Result{}, fmt.Errorf("need Lookups >= 1 and Limit >= 1, got %d and %d", cfg.Lookups, cfg.Limit)
	}
	var db *standin.DB
	if cfg.DBURL == "" {
		db = standin.NewDB()
		defer db.Close()
		cfg.DBURL = db.URL
	}
	client := httpjson.Client(cfg.Limit)
	defer client.CloseIdleConnections()
	ids := make([]int, cfg.Lookups)
	for i := range ids {
		ids[i] = 1000 + i
	}
	store := userStore{client: client, baseURL: cfg.DBURL}

	var res Result
	start := time.Now()
	users, err := store.loadSequential(ctx, ids)
	if err != nil {
		return res, fmt.Errorf("sequential: %w", err)
	}
	res.Sequential, res.SequentialUsers = time.Since(start), len(users)

	start = time.Now()
	users, err = store.loadConcurrent(ctx, ids, cfg.Limit)
	if err != nil {
		return res, fmt.Errorf("concurrent: %w", err)
	}
	res.Concurrent, res.ConcurrentUsers = time.Since(start), len(users)
	if db != nil {
		res.PeakInFlight = db.PeakInFlight()
	}

	if db != nil {
		fmt.Fprintf(w, "  %d user lookups, each a 20-50 ms query to the loopback database\n", cfg.Lookups)
	} else {
		fmt.Fprintf(w, "  %d user lookups at %s\n", cfg.Lookups, cfg.DBURL)
	}
	fmt.Fprintf(w, "  sequential: %v\n", res.Sequential.Round(time.Millisecond))
	fmt.Fprintf(w, "  pool group, limit %d: %v (peak %d queries in flight at the database)\n",
		cfg.Limit, res.Concurrent.Round(time.Millisecond), res.PeakInFlight)
	chart.Print(w, "wall time (shorter is better)",
		chart.Bar{Label: "sequential", Value: res.Sequential.Seconds(), Text: res.Sequential.Round(time.Millisecond).String()},
		chart.Bar{Label: "pool group", Value: res.Concurrent.Seconds(),
			Text: fmt.Sprintf("%v  (%.1fx faster)", res.Concurrent.Round(time.Millisecond), res.Speedup())},
	)
	return res, nil
}

// userStore loads users from the database over HTTP.
type userStore struct {
	client  *http.Client
	baseURL string
}

func (s userStore) load(ctx context.Context, id int) (standin.User, error) {
	var u standin.User
	err := httpjson.Get(ctx, s.client, s.baseURL+"/users/"+strconv.Itoa(id), &u)
	return u, err
}

// loadSequential is the code as first written: one lookup after another.
func (s userStore) loadSequential(ctx context.Context, ids []int) ([]standin.User, error) {
	users := make([]standin.User, 0, len(ids))
	for _, id := range ids {
		u, err := s.load(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("user %d: %w", id, err)
		}
		users = append(users, u)
	}
	return users, nil
}

// loadConcurrent is the same handler with a pool group: at most limit
// lookups in flight, the users back in the order of ids, and the first
// failure cancels the lookups still running (their ctx is the group's).
func (s userStore) loadConcurrent(ctx context.Context, ids []int, limit int) ([]standin.User, error) {
	g := pool.NewResultGroup[standin.User](ctx, limit)
	for _, id := range ids {
		g.Go(func(ctx context.Context) (standin.User, error) {
			u, err := s.load(ctx, id)
			if err != nil {
				return u, fmt.Errorf("user %d: %w", id, err)
			}
			return u, nil
		})
	}
	return g.Wait()
}
