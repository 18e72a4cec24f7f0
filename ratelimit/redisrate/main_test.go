package redisrate_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"go.uber.org/goleak"
)

// redisAddr is the Redis every test uses: TANDEM_REDIS_ADDR (CI starts one),
// or a redis-server this binary starts on a free loopback port.
var redisAddr string

func TestMain(m *testing.M) {
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
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		stop()
		os.Exit(code)
	}))
}
