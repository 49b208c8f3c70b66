// Package cachebench compares keel's cache with go-redis/cache,
// dgraph-io/ristretto and maypok86/otter on the same inputs.
package cachebench

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// value is the cached type in every benchmark.
type value struct {
	ID    int
	Name  string
	Email string
}

func mkValue(i int) value {
	return value{ID: i, Name: fmt.Sprintf("user %d", i), Email: fmt.Sprintf("user%d@example.com", i)}
}

const (
	hitKeys = 1 << 14 // distinct keys in the hit benchmarks, all resident
	ttl     = time.Hour
)

// zipfKeys returns n keys drawn from Zipf(s) over [0, space), as strings,
// and the distinct keys.
func zipfKeys(seed uint64, s float64, space uint64, n int) []string {
	r := rand.New(rand.NewPCG(seed, seed+1))
	z := rand.NewZipf(r, s, 1, space-1)
	names := make(map[uint64]string)
	out := make([]string, n)
	for i := range out {
		k := z.Uint64()
		name, ok := names[k]
		if !ok {
			name = fmt.Sprintf("user:%d", k)
			names[k] = name
		}
		out[i] = name
	}
	return out
}

// allKeys returns the keys user:0 .. user:n-1.
func allKeys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user:%d", i)
	}
	return out
}
