//go:build unix

package redisrate_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// limiterClient is the client that Timeout's doc recommends for limiters:
// one attempt (MaxRetries -1), one dial (DialerRetries 1), every timeout
// set. The dial's is the longest, as go-redis's defaults multiply it most.
func limiterClient(addr string) *redis.Options {
	return &redis.Options{
		Addr:        addr,
		DialTimeout: time.Second, ReadTimeout: 250 * time.Millisecond,
		WriteTimeout: 250 * time.Millisecond, PoolTimeout: 250 * time.Millisecond,
		MaxRetries: -1, DialerRetries: 1,
		ContextTimeoutEnabled: true,
	}
}

// handshakeRoundTrips is how many round trips go-redis's handshake of a
// new connection may take: HELLO, CLIENT MAINT_NOTIFICATIONS, the CLIENT
// SETINFO pipeline, and the SELECT/CLIENT SETNAME pipeline when set.
const handshakeRoundTrips = 4

// documentedBound is the bound on one call without Timeout that Timeout's
// doc states for a go-redis client, computed from its options (zeros read
// as go-redis's defaults): one or two commands, each up to MaxRetries+1
// attempts of PoolTimeout, DialerRetries dials DialerRetryTimeout apart,
// and WriteTimeout + ReadTimeout per round trip, with backoffs between.
func documentedBound(o *redis.Options) time.Duration {
	dials := o.DialerRetries
	if dials <= 0 {
		dials = 5
	}
	gap := o.DialerRetryTimeout
	if gap == 0 {
		gap = 100 * time.Millisecond
	}
	attempts := o.MaxRetries + 1
	switch o.MaxRetries {
	case -1:
		attempts = 1
	case 0:
		attempts = 4
	}
	backoff := o.MaxRetryBackoff
	switch backoff {
	case -1:
		backoff = 0
	case 0:
		backoff = time.Second
	}
	attempt := o.PoolTimeout + time.Duration(dials)*o.DialTimeout + time.Duration(dials-1)*gap +
		time.Duration(1+handshakeRoundTrips)*(o.WriteTimeout+o.ReadTimeout)
	command := time.Duration(attempts)*attempt + time.Duration(attempts-1)*backoff
	return 2 * command // EVALSHA, then EVAL
}

// boundMargin is what a loaded machine may add to a bound: generous,
// since the bound is what the test checks, not the machine's speed.
const boundMargin = time.Second

// A call against a Redis that cannot answer ends within the bound that the
// docs derive from the client's options, or within Timeout's d, and the
// failure policy decides (here FailClosed: an error). Three ways of not
// answering: nothing listens, a listener that accepts and never answers,
// and one whose backlog is full, so that a dial times out.
func TestACallEndsWithinTheDocumentedBound(t *testing.T) {
	for name, addr := range map[string]string{
		"nothing listens":                 closedPort(t),
		"a listener that never answers":   silentListener(t),
		"a listener whose dials time out": fullBacklog(t),
	} {
		t.Run(name, func(t *testing.T) {
			o := limiterClient(addr)
			bound := documentedBound(o)
			elapsed, err := timeAllow(t, o)
			require.ErrorIs(t, err, redisrate.ErrUnavailable)
			assert.LessOrEqual(t, elapsed, bound+boundMargin,
				"the recommended client: a call took %v, the documented bound is %v", elapsed, bound)

			// go-redis's defaults (5s timeouts, 3 retries, 5 dials) and a
			// deadline that reaches the socket: Timeout alone bounds it.
			const d = 300 * time.Millisecond
			o = &redis.Options{Addr: addr, ContextTimeoutEnabled: true, Dialer: dialer(t)}
			elapsed, err = timeAllow(t, o, redisrate.Timeout(d))
			require.ErrorIs(t, err, redisrate.ErrUnavailable)
			assert.LessOrEqual(t, elapsed, d+boundMargin, "Timeout(%v) on go-redis's defaults: a call took %v", d, elapsed)
		})
	}
}

// timeAllow times one Allow through a fresh client with options o.
func timeAllow(t *testing.T, o *redis.Options, opts ...redisrate.Option) (time.Duration, error) {
	c := redis.NewClient(o)
	t.Cleanup(func() { _ = c.Close() })
	l := redisrate.New(c, freshKey(t), 10, 1, opts...)
	start := time.Now()
	_, err := l.Allow(t.Context())
	return time.Since(start), err
}

// dialer dials as go-redis does by default, and gives up when the test
// ends: go-redis dials in a goroutine of its own, which goes on after the
// call that asked for the connection gave up (past Timeout), and must not
// outlive the test.
func dialer(t *testing.T) func(ctx context.Context, network, addr string) (net.Conn, error) {
	testDone, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ctx, stop := context.WithCancel(ctx)
		defer stop()
		defer context.AfterFunc(testDone, stop)()
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
}

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// silentListener returns the address of a listener that accepts every
// connection and reads it, never answering, as a Redis that hangs.
func silentListener(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				_, _ = io.Copy(io.Discard, conn) // until the client closes it
				conn.Close()
			})
		}
	})
	return ln.Addr().String()
}

// fullBacklog returns the address of a listener with a backlog of 0 whose
// one queued connection is never accepted: Linux drops every further SYN,
// so a dial there waits out its timeout. It skips where the system does not
// behave so.
func fullBacklog(t *testing.T) string {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	// Closed at cleanup, before the clients' own cleanups run: go-redis's
	// dials in flight then fail at once instead of outliving the test.
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for range 3 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return addr // the queue is full: dials time out
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("a listener with a full backlog still completes dials here")
	return ""
}

// Timeout(0) is the default, no per-call deadline: against a Redis that
// never answers, the caller's ctx ends the call, and it returns ctx's
// error (the caller gave up: no failure policy decides). A Timeout shorter
// than ctx's deadline ends it first, and the policy decides.
func TestTimeoutZeroLeavesTheBoundToTheCallersContext(t *testing.T) {
	addr := silentListener(t)
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, Dialer: dialer(t)})
	t.Cleanup(func() { _ = c.Close() })
	for _, opts := range [][]redisrate.Option{nil, {redisrate.Timeout(0)}} {
		l := redisrate.New(c, freshKey(t), 10, 1, append(opts, redisrate.OnFailure(redisrate.FailOpen()))...)
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		res, err := l.Allow(ctx)
		cancel()
		assert.ErrorIs(t, err, context.DeadlineExceeded, "options %v", opts)
		assert.NotErrorIs(t, err, redisrate.ErrUnavailable, "options %v", opts)
		assert.Zero(t, res, "options %v: FailOpen does not admit for a caller that gave up", opts)
	}
	l := redisrate.New(c, freshKey(t), 10, 1, redisrate.Timeout(200*time.Millisecond), redisrate.OnFailure(redisrate.FailOpen()))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	res, err := l.Allow(ctx)
	require.NoError(t, err)
	assert.True(t, res.Degraded, "Timeout ended the call first: FailOpen admitted")
	assert.Equal(t, 1, res.Allowed)
}
