package redisrate_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// patient is the per-call timeout of tests that check decisions, not
// outages: on a busy machine a round trip can outlast a tight timeout,
// and the failure policy would then decide, which such a test does not mean
// to check.
var patient = redisrate.Timeout(10 * time.Second)

// redisServer is a redis-server process that a test owns.
type redisServer struct {
	cmd  *exec.Cmd
	addr string
}

// startRedis starts redis-server on a free loopback port, without
// persistence, with args added, and waits until it answers. The port is
// free when chosen but may be taken before redis-server binds it (other
// test binaries on this machine start servers too): a server that is not
// ours answers with another process id, so startRedis checks the id and
// tries another port.
func startRedis(path string, args ...string) (*redisServer, error) {
	var err error
	for range 5 {
		var s *redisServer
		if s, err = startRedisOnce(path, args); err == nil {
			return s, nil
		}
	}
	return nil, err
}

func startRedisOnce(path string, args []string) (*redisServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no"}, args...)...)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &redisServer{cmd: cmd, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	for range 100 {
		pid, err := s.pid()
		switch {
		case err == nil && pid == cmd.Process.Pid:
			return s, nil
		case err == nil:
			s.kill()
			return nil, fmt.Errorf("%s is served by another redis-server (pid %d, ours %d)", s.addr, pid, cmd.Process.Pid)
		}
		time.Sleep(50 * time.Millisecond) // waiting for a process to start, not timing a test
	}
	s.kill()
	return nil, fmt.Errorf("redis-server on %s did not answer", s.addr)
}

// freePort returns a loopback port that was free a moment ago, and so was
// port+10000, where a cluster node listens for its bus. Both lie below
// 32768, where Linux's ephemeral ports begin, so that no outgoing
// connection of another test takes them meanwhile.
func freePort() (int, error) {
	var err error
	for range 20 {
		port := 15000 + rand.IntN(7000)
		if err = portsFree(port, port+10000); err == nil {
			return port, nil
		}
	}
	return 0, err
}

func portsFree(ports ...int) error {
	for _, port := range ports {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return err
		}
		ln.Close()
	}
	return nil
}

// pid asks the server for its process id (INFO server).
func (s *redisServer) pid() (int, error) {
	c, err := net.DialTimeout("tcp", s.addr, time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("INFO server\r\n")); err != nil {
		return 0, err
	}
	r := bufio.NewReader(c)
	header, err := r.ReadString('\n')
	if err != nil {
		return 0, err
	}
	size, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(header, "$")))
	if err != nil || !strings.HasPrefix(header, "$") {
		return 0, fmt.Errorf("INFO answered %q", header)
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, fmt.Errorf("INFO server has no process_id")
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
