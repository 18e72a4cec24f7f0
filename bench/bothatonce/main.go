// Command bothatonce measures tandem's thesis: one service that both waits
// and computes. A server process has an I/O endpoint (GET /io waits 5 ms,
// then answers) and a CPU endpoint (GET /cpu computes a report, a reduction
// over 2e6 float64 of about 10 ms of work). This process is the load: I/O
// clients and CPU clients on keep-alive connections, for a fixed time per
// phase. Each phase starts a fresh server, this binary re-run with -serve,
// so the load's own goroutines never share the server's scheduler.
//
//	go run ./bothatonce                      # every phase, 3 repetitions, 5 s each
//	go run ./bothatonce -reps 1 -dur 2s -phases idle,parallel
//	GOMAXPROCS=16 go run ./bothatonce -io-clients 64 -cpu-clients 16
//
// For each phase it prints the medians over the repetitions of the I/O
// endpoint's p50 and p99 latency, the CPU requests per second, and the
// server's peak goroutine count, and the ratios the bars are about:
// I/O p99 against the idle phase, and CPU req/s against the "parallel"
// phase. The raw rows of every repetition go to stdout too, prefixed "raw".
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	serveMode := flag.String("serve", "", "internal: run the server in this phase's mode")
	phases := flag.String("phases", strings.Join(phaseNames(), ","), "comma-separated phases to run")
	reps := flag.Int("reps", 3, "repetitions of every phase")
	dur := flag.Duration("dur", 5*time.Second, "length of each phase")
	ioClients := flag.Int("io-clients", 16, "I/O clients")
	cpuClients := flag.Int("cpu-clients", 4, "CPU clients (none in the idle phase)")
	flag.Parse()

	if *serveMode != "" {
		if err := serve(*serveMode); err != nil {
			fmt.Fprintln(os.Stderr, "bothatonce server:", err)
			os.Exit(1)
		}
		return
	}
	names := strings.Split(*phases, ",")
	for _, n := range names {
		if _, ok := modes[n]; !ok {
			fmt.Fprintf(os.Stderr, "bothatonce: no phase %q (have %s)\n", n, strings.Join(phaseNames(), ", "))
			os.Exit(2)
		}
	}
	results := map[string][]measure{}
	for rep := range *reps {
		for _, n := range names {
			m, err := runPhase(n, *dur, *ioClients, *cpuClients)
			if err != nil {
				fmt.Fprintf(os.Stderr, "bothatonce: phase %s: %v\n", n, err)
				os.Exit(1)
			}
			fmt.Printf("raw rep=%d phase=%-14s io_p50=%v io_p99=%v io_reqs=%d cpu_rps=%.1f peak_goroutines=%d\n",
				rep+1, n, m.p50.Round(10*time.Microsecond), m.p99.Round(10*time.Microsecond), m.ioRequests, m.cpuRPS, m.peak)
			results[n] = append(results[n], m)
		}
	}
	report(os.Stdout, names, results, *ioClients, *cpuClients, *dur, *reps)
}

// measure is what one phase measured once.
type measure struct {
	p50, p99   time.Duration
	ioRequests int
	cpuRPS     float64
	peak       int
}

// runPhase starts a server in mode, loads it for dur and stops it.
func runPhase(mode string, dur time.Duration, ioClients, cpuClients int) (measure, error) {
	cmd := exec.Command(os.Args[0], "-serve", mode)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return measure{}, err
	}
	if err := cmd.Start(); err != nil {
		return measure{}, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return measure{}, fmt.Errorf("server did not start: %w", err)
	}
	base := "http://" + strings.TrimSpace(strings.TrimPrefix(line, "listening "))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: ioClients + cpuClients, MaxConnsPerHost: ioClients + cpuClients}}
	defer client.CloseIdleConnections()

	if mode == "idle" {
		cpuClients = 0
	}
	// Warm the connections and the server before the clock starts.
	for range 3 {
		if err := get(context.Background(), client, base+"/io"); err != nil {
			return measure{}, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		lat      []time.Duration
		cpuDone  int
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	start := time.Now()
	for range ioClients {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil {
				t0 := time.Now()
				if err := get(ctx, client, base+"/io"); err != nil {
					if ctx.Err() == nil {
						fail(err)
					}
					break
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	for range cpuClients {
		wg.Go(func() {
			n := 0
			for ctx.Err() == nil {
				if err := get(ctx, client, base+"/cpu"); err != nil {
					if ctx.Err() == nil {
						fail(err)
					}
					break
				}
				n++
			}
			mu.Lock()
			cpuDone += n
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return measure{}, firstErr
	}
	var peak int
	if err := getInto(context.Background(), client, base+"/peak", &peak); err != nil {
		return measure{}, err
	}
	slices.Sort(lat)
	if len(lat) == 0 {
		return measure{}, fmt.Errorf("no I/O request finished")
	}
	return measure{
		p50: lat[len(lat)/2], p99: lat[len(lat)*99/100], ioRequests: len(lat),
		cpuRPS: float64(cpuDone) / elapsed.Seconds(), peak: peak,
	}, nil
}

func get(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

func getInto(ctx context.Context, c *http.Client, url string, n *int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = fmt.Fscan(resp.Body, n)
	return err
}

func median[T int | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func report(w io.Writer, names []string, results map[string][]measure, ioClients, cpuClients int, dur time.Duration, reps int) {
	fmt.Fprintf(w, "\n%d I/O clients, %d CPU clients, %v per phase, median of %d repetitions\n", ioClients, cpuClients, dur, reps)
	fmt.Fprintf(w, "%-15s %10s %10s %9s %10s %9s %8s\n", "phase", "I/O p50", "I/O p99", "p99/idle", "CPU req/s", "/parallel", "peak g")
	idleP99 := time.Duration(0)
	if r, ok := results["idle"]; ok {
		idleP99 = median(pick(r, func(m measure) time.Duration { return m.p99 }))
	}
	parRPS := 0.0
	if r, ok := results["parallel"]; ok {
		parRPS = median(pick(r, func(m measure) float64 { return m.cpuRPS }))
	}
	for _, n := range names {
		r := results[n]
		p50 := median(pick(r, func(m measure) time.Duration { return m.p50 }))
		p99 := median(pick(r, func(m measure) time.Duration { return m.p99 }))
		rps := median(pick(r, func(m measure) float64 { return m.cpuRPS }))
		peak := median(pick(r, func(m measure) int { return m.peak }))
		ratio, cpuRatio := "-", "-"
		if idleP99 > 0 {
			ratio = fmt.Sprintf("%.2fx", float64(p99)/float64(idleP99))
		}
		if parRPS > 0 && n != "idle" {
			cpuRatio = fmt.Sprintf("%.2fx", rps/parRPS)
		}
		fmt.Fprintf(w, "%-15s %10v %10v %9s %10.1f %9s %8d\n", n, p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), ratio, rps, cpuRatio, peak)
	}
}

func pick[T any](ms []measure, f func(measure) T) []T {
	out := make([]T, len(ms))
	for i, m := range ms {
		out[i] = f(m)
	}
	return out
}
