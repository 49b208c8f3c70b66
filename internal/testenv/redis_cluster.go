package testenv

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// StartRedisCluster starts a three-master Redis Cluster on free loopback
// ports, for tests that must show a feature works on Cluster (single-key
// scripts, hash tags, no CROSSSLOT errors). It returns a cluster client,
// closed (and the servers stopped) when t ends. Without redis-server and
// redis-cli the test is skipped (or fails when servers are required).
func StartRedisCluster(t testing.TB) *redis.ClusterClient {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			unavailable(t, "%s not on PATH: %v", bin, err)
		}
	}
	dir := t.TempDir()
	var addrs []string
	for i := 0; i < 3; i++ {
		port := FreePort(t)
		nodeDir := filepath.Join(dir, strconv.Itoa(port))
		cmd := exec.Command("redis-server",
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes-"+strconv.Itoa(port)+".conf"),
			"--cluster-node-timeout", "2000", "--dir", dir, "--logfile", nodeDir+".log")
		if err := cmd.Start(); err != nil {
			t.Fatalf("testenv: start redis-server: %v", err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err := pingUntil(addr, done); err != nil {
			t.Fatalf("testenv: %v", err)
		}
		addrs = append(addrs, addr)
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("testenv: redis-cli --cluster create: %v\n%s", err, out)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() { _ = c.Close() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		info, err := c.ClusterInfo(ctx).Result()
		cancel()
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			// Every node must know every slot before keys can go anywhere.
			if err := c.ForEachMaster(context.Background(), func(ctx context.Context, m *redis.Client) error {
				info, err := m.ClusterInfo(ctx).Result()
				if err == nil && !strings.Contains(info, "cluster_state:ok") {
					err = errClusterNotReady
				}
				return err
			}); err == nil {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: redis cluster not ready: %v %s", err, info)
		}
		time.Sleep(50 * time.Millisecond) // waiting for the cluster to converge
	}
}

var errClusterNotReady = errors.New("cluster not ready")
