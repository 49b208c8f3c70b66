package authbench

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkVerifyPaired measures the cost of keel's verification relative
// to a bare golang-jwt Parse on a shared, noisy machine: each round times a
// short burst of each implementation back to back, so load changes hit all
// three alike, and the reported ratios are the medians over rounds.
//
// Metrics: verify/parse and middleware/parse are time ratios (1.00 = same
// speed); parse-ns, verify-ns and middleware-ns are the median ns/op.
func BenchmarkVerifyPaired(b *testing.B) {
	const burst = 20
	for _, tc := range verifyCases(b) {
		b.Run("alg="+tc.alg, func(b *testing.B) {
			ks, _ := auth.NewKeySet(tc.key)
			v, err := auth.NewVerifier(ks, auth.WithIssuer("https://issuer.example"), auth.WithAudience("api"))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			pub := tc.key.PublicKey()
			keyfunc := func(*jwt.Token) (any, error) { return pub, nil }
			valid := jwt.WithValidMethods([]string{tc.alg})
			h := auth.Middleware(v)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			req, _ := http.NewRequest(http.MethodGet, "/todos", nil)
			req.Header.Set("Authorization", "Bearer "+tc.token)
			w := &discard{h: http.Header{}}

			impls := []func(){
				func() {
					if _, err := jwt.Parse(tc.token, keyfunc, valid); err != nil {
						b.Fatal(err)
					}
				},
				func() {
					if _, err := v.Verify(ctx, tc.token); err != nil {
						b.Fatal(err)
					}
				},
				func() { h.ServeHTTP(w, req) },
			}
			var perOp [3][]float64
			var ratioV, ratioM []float64
			round := 0
			for b.Loop() {
				var d [3]time.Duration
				for k := range impls {
					i := (round + k) % len(impls) // rotate the order: no impl always runs first
					start := time.Now()
					for range burst {
						impls[i]()
					}
					d[i] = time.Since(start)
				}
				round++
				for i := range d {
					perOp[i] = append(perOp[i], float64(d[i].Nanoseconds())/burst)
				}
				ratioV = append(ratioV, float64(d[1])/float64(d[0]))
				ratioM = append(ratioM, float64(d[2])/float64(d[0]))
			}
			b.ReportMetric(median(ratioV), "verify/parse")
			b.ReportMetric(median(ratioM), "middleware/parse")
			b.ReportMetric(median(perOp[0]), "parse-ns")
			b.ReportMetric(median(perOp[1]), "verify-ns")
			b.ReportMetric(median(perOp[2]), "middleware-ns")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
