package ratelimittest_test

import (
	"testing"

	"github.com/gokeel/keel/ratelimit"
	"github.com/gokeel/keel/ratelimit/ratelimittest"
)

// A test file of a package with its own limiter runs the suite against it.
func Example() {
	_ = func(t *testing.T) { // func TestConformance(t *testing.T)
		ratelimittest.Run(t, func(t *testing.T, limit ratelimit.Limit) ratelimit.Limiter {
			l, err := ratelimit.NewSlidingWindow(limit) // your limiter here
			if err != nil {
				t.Fatal(err)
			}
			return l
		})
	}
}
