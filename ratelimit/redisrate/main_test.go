package redisrate_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

// quiet drops go-redis's log lines: tests that kill Redis would print one
// per failed dial.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// redisAddr is the Redis every test uses: TANDEM_REDIS_ADDR (CI starts one),
// or a redis-server this binary starts on a free loopback port.
var redisAddr string

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	redisAddr = os.Getenv("TANDEM_REDIS_ADDR")
	stop := func() {}
	if redisAddr == "" {
		path, err := exec.LookPath("redis-server")
		if err != nil {
			fmt.Println("redisrate: SKIP every test: TANDEM_REDIS_ADDR is unset and no redis-server is on PATH")
			os.Exit(0)
		}
		srv, err := startRedis(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "redisrate: starting redis-server:", err)
			os.Exit(1)
		}
		redisAddr, stop = srv.addr, srv.kill
	}
	goleak.VerifyTestMain(m,
		// go-redis's own: after PoolSize failed dials (the tests that kill
		// Redis) its pool starts a prober that sleeps a second between dials;
		// Client.Close does not wait for it, it exits at its next wake.
		goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"),
		goleak.Cleanup(func(code int) {
			stop()
			os.Exit(code)
		}))
}
