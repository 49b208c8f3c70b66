package cron

import (
	"testing"
	"time"
)

// nextCase is an expression, a start time and the fire times that follow.
// Day-level expectations were computed by an independent brute-force
// implementation of the same rules (a day-by-day scan in Python).
type nextCase struct {
	expr  string
	from  string
	times []string
}

var utcCases = []nextCase{
	{"0 0 29 2 *", "2022-12-31T00:00:00Z", []string{"2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z"}},
	{"0 0 29 2 *", "2096-02-29T00:00:00Z", []string{"2104-02-29T00:00:00Z", "2108-02-29T00:00:00Z"}},
	{"0 12 31 * *", "2026-01-01T00:00:00Z", []string{"2026-01-31T12:00:00Z", "2026-03-31T12:00:00Z", "2026-05-31T12:00:00Z", "2026-07-31T12:00:00Z", "2026-08-31T12:00:00Z"}},
	{"0 0 L * *", "2024-01-14T00:00:00Z", []string{"2024-01-31T00:00:00Z", "2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z", "2024-04-30T00:00:00Z"}},
	{"0 0 L 2 *", "2024-12-31T00:00:00Z", []string{"2025-02-28T00:00:00Z", "2026-02-28T00:00:00Z", "2027-02-28T00:00:00Z", "2028-02-29T00:00:00Z"}},
	{"0 0 L-2 * *", "2024-01-31T00:00:00Z", []string{"2024-02-27T00:00:00Z", "2024-03-29T00:00:00Z", "2024-04-28T00:00:00Z"}},
	{"0 0 15W * *", "2026-02-28T00:00:00Z", []string{"2026-03-16T00:00:00Z", "2026-04-15T00:00:00Z", "2026-05-15T00:00:00Z", "2026-06-15T00:00:00Z", "2026-07-15T00:00:00Z", "2026-08-14T00:00:00Z"}},
	{"0 0 1W * *", "2026-07-14T00:00:00Z", []string{"2026-08-03T00:00:00Z", "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z"}},
	{"0 0 31W * *", "2026-04-30T00:00:00Z", []string{"2026-05-29T00:00:00Z", "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z", "2026-10-30T00:00:00Z"}},
	{"0 0 LW * *", "2025-12-31T00:00:00Z", []string{"2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-31T00:00:00Z", "2026-04-30T00:00:00Z", "2026-05-29T00:00:00Z", "2026-06-30T00:00:00Z"}},
	{"0 0 * * 5L", "2025-12-31T00:00:00Z", []string{"2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-27T00:00:00Z", "2026-04-24T00:00:00Z"}},
	{"0 0 * * 1#1", "2025-12-31T00:00:00Z", []string{"2026-01-05T00:00:00Z", "2026-02-02T00:00:00Z", "2026-03-02T00:00:00Z"}},
	{"0 0 * * FRI#5", "2025-12-31T00:00:00Z", []string{"2026-01-30T00:00:00Z", "2026-05-29T00:00:00Z", "2026-07-31T00:00:00Z"}},
	{"0 0 13 * 5", "2026-01-31T00:00:00Z", []string{"2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z", "2026-02-20T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-06T00:00:00Z"}},
	{"0 0 */10 * 1", "2025-12-31T00:00:00Z", []string{"2026-05-11T00:00:00Z", "2026-06-01T00:00:00Z", "2026-08-31T00:00:00Z"}},
	{"0 0 1-7 * 1", "2026-01-31T00:00:00Z", []string{"2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z", "2026-02-03T00:00:00Z", "2026-02-04T00:00:00Z", "2026-02-05T00:00:00Z", "2026-02-06T00:00:00Z", "2026-02-07T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-16T00:00:00Z"}},
	{"0 0 * * SAT-SUN", "2026-11-24T00:00:00Z", []string{"2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z", "2026-12-05T00:00:00Z"}},
	{"0 0 * * 7", "2026-11-24T00:00:00Z", []string{"2026-11-29T00:00:00Z", "2026-12-06T00:00:00Z"}},
	{"0 0 L * 1L", "2025-12-31T00:00:00Z", []string{"2026-01-26T00:00:00Z", "2026-01-31T00:00:00Z", "2026-02-23T00:00:00Z", "2026-02-28T00:00:00Z"}},
	{"0 0 ? * 2#2,4#4", "2025-12-31T00:00:00Z", []string{"2026-01-13T00:00:00Z", "2026-01-22T00:00:00Z", "2026-02-10T00:00:00Z", "2026-02-26T00:00:00Z"}},
	{"0 0 1,L * *", "2025-12-31T00:00:00Z", []string{"2026-01-01T00:00:00Z", "2026-01-31T00:00:00Z", "2026-02-01T00:00:00Z", "2026-02-28T00:00:00Z"}},
	// time of day
	{"*/20 * * * * *", "2026-01-01T00:00:05Z", []string{"2026-01-01T00:00:20Z", "2026-01-01T00:00:40Z", "2026-01-01T00:01:00Z"}},
	{"0 0 9-17/4 * * MON-FRI", "2026-11-27T12:00:00Z", []string{"2026-11-27T13:00:00Z", "2026-11-27T17:00:00Z", "2026-11-30T09:00:00Z"}},
	{"5,10-12 */6 * * *", "2026-01-01T05:59:59Z", []string{"2026-01-01T06:05:00Z", "2026-01-01T06:10:00Z", "2026-01-01T06:11:00Z", "2026-01-01T06:12:00Z", "2026-01-01T12:05:00Z"}},
	{"59 23 31 12 *", "2026-06-01T00:00:00Z", []string{"2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"}},
	{"0 0 1 JAN,jul *", "2026-02-01T00:00:00Z", []string{"2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"}},
	{"30 10/20 * * *", "2026-01-01T00:00:00Z", []string{"2026-01-01T10:30:00Z", "2026-01-02T10:30:00Z"}},
	{"@hourly", "2026-01-01T00:00:00Z", []string{"2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"}},
	{"@daily", "2026-01-01T00:00:00.5Z", []string{"2026-01-02T00:00:00Z"}},
	{"@weekly", "2026-11-25T10:00:00Z", []string{"2026-11-29T00:00:00Z", "2026-12-06T00:00:00Z"}},
	{"@monthly", "2026-01-31T00:00:00Z", []string{"2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"}},
	{"@yearly", "2026-01-01T00:00:00Z", []string{"2027-01-01T00:00:00Z"}},
	{"@every 90s", "2026-01-01T00:00:10Z", []string{"2026-01-01T00:01:30Z", "2026-01-01T00:03:00Z", "2026-01-01T00:04:30Z"}},
	{"@every 1h", "2026-01-01T00:59:59.9Z", []string{"2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"}},
	{"CRON_TZ=Europe/Berlin 0 9 * * *", "2026-01-01T00:00:00Z", []string{"2026-01-01T08:00:00Z", "2026-01-02T08:00:00Z"}},
	{"TZ=Asia/Tokyo 0 9 * * *", "2026-01-01T00:00:00Z", []string{"2026-01-02T00:00:00Z"}},
}

// dstCases run in the zone named before the expression. Times are UTC.
var dstCases = []nextCase{
	// New York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
	{"CRON_TZ=America/New_York 30 2 * * *", "2026-03-07T12:00:00Z", []string{"2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"}}, // gap: once, at 03:00 EDT
	{"CRON_TZ=America/New_York 0 2 * * *", "2026-03-07T12:00:00Z", []string{"2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z"}},
	{"CRON_TZ=America/New_York 0 2-3 * * *", "2026-03-07T12:00:00Z", []string{"2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z"}},                          // 02:00 (moved) and 03:00 are one instant
	{"CRON_TZ=America/New_York 30 * * * *", "2026-03-08T05:00:00Z", []string{"2026-03-08T05:30:00Z", "2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z"}},   // * hour: 02:30 does not exist
	{"CRON_TZ=America/New_York */30 * * * *", "2026-03-08T06:00:00Z", []string{"2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z"}}, // 01:30 EST, 03:00, 03:30 EDT
	{"CRON_TZ=America/New_York 30 1 * * *", "2026-10-31T16:00:00Z", []string{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},                           // fall back: once
	{"CRON_TZ=America/New_York 30 1 * * *", "2026-11-01T05:45:00Z", []string{"2026-11-02T06:30:00Z"}},                                                   // from inside the first 01:xx
	{"CRON_TZ=America/New_York 0 1-2 * * *", "2026-11-01T04:00:00Z", []string{"2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-02T06:00:00Z"}},
	{"CRON_TZ=America/New_York 30 * * * *", "2026-11-01T04:00:00Z", []string{"2026-11-01T04:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-01T07:30:00Z"}}, // both 01:30s
	{"CRON_TZ=America/New_York 0 */1 * * *", "2026-11-01T04:30:00Z", []string{"2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"}},
	{"CRON_TZ=America/New_York @every 1h", "2026-11-01T04:30:00Z", []string{"2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"}},
	// Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET.
	{"CRON_TZ=Europe/Berlin 30 2 * * *", "2026-03-28T00:00:00Z", []string{"2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}},
	{"CRON_TZ=Europe/Berlin 30 2 * * *", "2026-10-24T12:00:00Z", []string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
	{"CRON_TZ=Europe/Berlin 0,30 * * * *", "2026-10-24T23:45:00Z", []string{"2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:00:00Z"}},
	{"CRON_TZ=Europe/Berlin 0 0 2 * * SUN", "2026-03-22T12:00:00Z", []string{"2026-03-29T01:00:00Z", "2026-04-05T00:00:00Z"}},
	// Sydney: 2026-04-05 03:00 AEDT -> 02:00 AEST; 2026-10-04 02:00 AEST -> 03:00 AEDT.
	{"CRON_TZ=Australia/Sydney 30 2 * * *", "2026-04-04T00:00:00Z", []string{"2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z"}},
	{"CRON_TZ=Australia/Sydney 30 2 * * *", "2026-10-02T00:00:00Z", []string{"2026-10-02T16:30:00Z", "2026-10-03T16:00:00Z", "2026-10-04T15:30:00Z"}},
	{"CRON_TZ=Australia/Sydney */30 * * * *", "2026-04-04T15:15:00Z", []string{"2026-04-04T15:30:00Z", "2026-04-04T16:00:00Z", "2026-04-04T16:30:00Z", "2026-04-04T17:00:00Z"}},
	{"CRON_TZ=Australia/Sydney 15 2 * * *", "2026-10-03T12:00:00Z", []string{"2026-10-03T16:00:00Z", "2026-10-04T15:15:00Z"}},
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func checkSequence(t *testing.T, c nextCase) {
	t.Helper()
	s, err := Parse(c.expr, WithLocation(time.UTC))
	if err != nil {
		t.Fatalf("Parse(%q): %v", c.expr, err)
	}
	at := mustTime(t, c.from)
	var got []time.Time
	for _, want := range c.times {
		at = s.Next(at)
		got = append(got, at)
		if !at.Equal(mustTime(t, want)) {
			t.Fatalf("Next sequence of %q from %s: got %v, want %s", c.expr, c.from, got, want)
		}
	}
	// Prev walks the same sequence back.
	for i := len(got) - 1; i > 0; i-- {
		if p := s.Prev(got[i]); !p.Equal(got[i-1]) {
			t.Fatalf("Prev(%s) of %q = %s, want %s", got[i].UTC(), c.expr, p.UTC(), got[i-1].UTC())
		}
	}
	if p := s.Prev(got[0]); !p.Before(mustTime(t, c.from).Add(time.Second)) {
		t.Fatalf("Prev(first) of %q = %s, want at or before the start %s", c.expr, p, c.from)
	}
}

func TestNextSequences(t *testing.T) {
	t.Parallel()
	for _, c := range utcCases {
		t.Run(c.expr, func(t *testing.T) {
			t.Parallel()
			checkSequence(t, c)
		})
	}
}

func TestNextDST(t *testing.T) {
	t.Parallel()
	for _, c := range dstCases {
		t.Run(c.expr+" from "+c.from, func(t *testing.T) {
			t.Parallel()
			checkSequence(t, c)
		})
	}
}

func TestNextReturnsLocation(t *testing.T) {
	t.Parallel()
	s, err := Parse("0 9 * * *", WithLocation(time.FixedZone("X", 3600)))
	if err != nil {
		t.Fatal(err)
	}
	n := s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if name, _ := n.Zone(); name != "X" || n.Hour() != 9 {
		t.Fatalf("Next = %v, want 09:00 in zone X", n)
	}
}
