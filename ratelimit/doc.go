// Package ratelimit protects a service from abuse: per-key rate limits in
// process memory for one instance, or shared through Redis across many,
// and HTTP middleware that applies them.
//
// # Limits
//
// A [Limit] reads as what it declares: [PerSecond](10),
// [PerMinute](100, [Burst](20)), [Every](time.Second). Constructors
// validate it and return [ErrInvalidLimit] for a zero or negative rate or a
// burst below 1, so bad configuration fails at startup, not at request
// time.
//
// # Algorithms
//
// Every limiter implements [Limiter]: AllowN(ctx, key, n) returns a
// [Result] saying whether the events are allowed, the limit, what remains,
// when to retry and when the key is full again.
//
//   - [NewMemory]: token bucket. Bursts up to Burst pass at once, then the
//     steady rate. It decides exactly as golang.org/x/time/rate does (a
//     test checks it against it) but keeps one int64 per key. The default
//     for one instance.
//   - [NewLeakyBucket]: a queue that drains at the steady rate and holds
//     Burst events. No bursts: allowed events get a Delay that spaces them
//     evenly. For backends that need a smooth load.
//   - [NewSlidingWindow]: sliding-window counter, Events per Period over a
//     window that slides, so clients cannot double their quota at window
//     edges. Two counters per key; an estimate for uneven traffic.
//   - [NewRedis]: GCRA in one Lua script on Redis, so every instance shares
//     the limit. One round trip per decision, atomic, single-key (Redis
//     Cluster safe), on Redis's clock, keys expiring by themselves; a local
//     cache answers known denials without a round trip; fail-open or
//     fail-closed when Redis is down.
//
// The memory limiters keep a bounded number of keys ([WithMaxKeys]): keys
// whose state is back to fresh are dropped first, which never admits more
// than the limit would, and past the bound the least recently active keys
// go. There is no background goroutine and nothing to close.
//
// Tests drive time with [WithClock] instead of sleeping. Package
// ratelimittest is the conformance suite every [Limiter] passes, ours and
// yours.
//
// # HTTP
//
// [Middleware] limits requests by a [KeyFunc]: [ByIP] (through
// httpx's trusted-proxy rules), [ByHeader] (API keys), [ByRoute],
// [ByFunc] (the authenticated subject), or a [Composite] of them. Responses
// carry the RateLimit-Policy and RateLimit fields of
// draft-ietf-httpapi-ratelimit-headers; denied requests get 429 as an RFC
// 9457 problem with Retry-After. Paths can be exempted
// ([WithExemptPaths]) and routes given their own limit ([WithRouteLimit]):
//
//	lim, err := ratelimit.NewRedis(rdb, ratelimit.PerMinute(100, ratelimit.Burst(20)))
//	if err != nil { ... }
//	r.Use(ratelimit.Middleware(lim, ratelimit.ByIP(), ratelimit.WithExemptPaths("/healthz")))
//
// # Observability
//
// [WithMetrics] counts decisions (keel_ratelimit_decisions_total, by
// limiter and result) on the registerer it is given; [WithLogger] logs
// backend failures. Both default to nothing.
package ratelimit
