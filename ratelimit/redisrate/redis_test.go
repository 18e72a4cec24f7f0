package redisrate_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// redisServer is a redis-server process that a test owns.
type redisServer struct {
	cmd  *exec.Cmd
	addr string
}

// startRedis starts redis-server on a free loopback port, without
// persistence, and waits until it answers PING.
func startRedis(path string) (*redisServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &redisServer{cmd: cmd, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	for range 100 {
		if s.ping() == nil {
			return s, nil
		}
		time.Sleep(50 * time.Millisecond) // waiting for a process to start, not timing a test
	}
	s.kill()
	return nil, fmt.Errorf("redis-server on %s did not answer PING", s.addr)
}

func (s *redisServer) ping() error {
	c, err := net.DialTimeout("tcp", s.addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// kill ends the server at once, as a crash would.
func (s *redisServer) kill() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// freeze stops the server without closing its sockets: a Redis that hangs.
func (s *redisServer) freeze() { _ = s.cmd.Process.Signal(syscall.SIGSTOP) }

// dedicatedRedis starts a redis-server for one test, which may kill it; the
// shared one survives. It skips when only TANDEM_REDIS_ADDR was given and
// redis-server is not on PATH.
func dedicatedRedis(t *testing.T) *redisServer {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH: cannot start a Redis to kill")
	}
	s, err := startRedis(path)
	require.NoError(t, err)
	t.Cleanup(s.kill)
	return s
}

// newClient returns a go-redis client for addr, closed when the test ends.
// ContextTimeoutEnabled lets the limiter's per-call timeout reach the socket.
func newClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

var keySeq atomic.Int64

// freshKey returns a key no other test or run uses.
func freshKey(t testing.TB) string {
	return fmt.Sprintf("{tandem-test}:%s:%d:%d", t.Name(), time.Now().UnixNano(), keySeq.Add(1))
}

// pttl returns the key's remaining time to live.
func pttl(t *testing.T, c *redis.Client, key string) time.Duration {
	t.Helper()
	d, err := c.PTTL(context.Background(), key).Result()
	require.NoError(t, err)
	return d
}
