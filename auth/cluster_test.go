package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
	"github.com/gokeel/keel/auth/authtest"
	"github.com/gokeel/keel/internal/testenv"
)

// TestRedisClusterStores runs the token store suite and the revocation list
// on a three-master Redis Cluster: the store's multi-key scripts rely on its
// prefix being a hash tag.
func TestRedisClusterStores(t *testing.T) {
	c := testenv.StartRedisCluster(t)
	authtest.RunTokenStore(t, func(t *testing.T) auth.TokenStore {
		s, err := auth.NewRedisTokenStore(c, testenv.Name("keel-auth-test:"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
	rev, err := auth.NewRedisRevocation(c, testenv.Name("keel-auth-rev:"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, jti := range []string{"a", "b", "c", "d", "e"} {
		if err := rev.Revoke(ctx, jti, time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if ok, err := rev.IsRevoked(ctx, jti); err != nil || !ok {
			t.Fatalf("IsRevoked(%s) = %v, %v", jti, ok, err)
		}
	}
	if ok, err := rev.IsRevoked(ctx, "z"); err != nil || ok {
		t.Fatalf("IsRevoked(z) = %v, %v", ok, err)
	}
}
