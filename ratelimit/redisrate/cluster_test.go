package redisrate_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// startCluster starts a Redis Cluster of three masters on loopback for one
// test, each serving a third of the slots, and returns their addresses
// once every node reports the cluster ok.
func startCluster(t *testing.T) []string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH: cannot start a Redis Cluster")
	}
	dir := t.TempDir()
	ranges := [][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}}
	var addrs []string
	var admins []*redis.Client
	for i, slots := range ranges {
		s, err := startRedis(path, "--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, fmt.Sprintf("nodes-%d.conf", i)))
		require.NoError(t, err)
		t.Cleanup(s.kill)
		c := newClient(t, s.addr)
		require.NoError(t, c.ClusterAddSlotsRange(t.Context(), slots[0], slots[1]).Err())
		addrs, admins = append(addrs, s.addr), append(admins, c)
	}
	for _, addr := range addrs[1:] {
		host, port, err := net.SplitHostPort(addr)
		require.NoError(t, err)
		require.NoError(t, admins[0].ClusterMeet(t.Context(), host, port).Err())
	}
	require.Eventually(t, func() bool {
		for _, c := range admins {
			info, err := c.ClusterInfo(t.Context()).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:3") {
				return false
			}
		}
		return true
	}, 30*time.Second, 50*time.Millisecond, "the cluster never formed")
	return addrs
}

// TestOnRedisCluster runs limiters through go-redis's ClusterClient: each
// decision is routed to its key's node, which loads the script on its first
// EVALSHA (NOSCRIPT, then EVAL), and keys of one Keyed spread over every
// node.
func TestOnRedisCluster(t *testing.T) {
	addrs := startCluster(t)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() { _ = c.Close() })
	ctx := t.Context()

	l := redisrate.New(c, "quota:{partner}", ratelimit.Every(hour), 3, patient)
	for i := range 3 {
		res, err := l.Allow(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, res.Allowed, "call %d of a burst of 3", i+1)
	}
	res, err := l.Allow(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Allowed)
	near(t, res.RetryAfter, hour, "retry after")

	k := redisrate.NewKeyed(c, "tenant:", ratelimit.Every(hour), 2, patient)
	const tenants = 30
	for i := range tenants {
		tenant := strconv.Itoa(i)
		for j, want := range []int{1, 1, 0} {
			res, err := k.Allow(ctx, tenant)
			require.NoError(t, err)
			require.Equal(t, want, res.Allowed, "tenant %s, call %d", tenant, j+1)
		}
	}
	var nodesWithKeys atomic.Int32 // ForEachMaster asks the nodes concurrently
	require.NoError(t, c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		n, err := node.DBSize(ctx).Result()
		if n > 0 {
			nodesWithKeys.Add(1)
		}
		return err
	}))
	assert.Equal(t, int32(3), nodesWithKeys.Load(), "the tenants' buckets live on every node")
}
