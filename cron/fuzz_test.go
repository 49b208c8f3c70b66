package cron

import (
	"testing"
	"time"
)

var fuzzZones = []string{"UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe"}

// FuzzParse checks that Parse never panics and that, for every expression
// it accepts, Next is strictly increasing, every result matches the
// expression field by field (or is the first instant after a skipped stretch
// of wall time, for a fixed-hour expression), and Prev walks back the same
// sequence.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"* * * * *", "*/5 * * * *", "0 0 29 2 *", "0 0 L * *", "0 0 15W * *", "0 0 * * 5L", "0 0 * * MON#2",
		"30 2 * * *", "30 1 * * *", "0 0 1-7 * 1", "@every 90s", "@daily", "0 0 30 2 *", "61 * * * *",
		"0 0 ? * MON-FRI", "*/7 */3 */5 */2 */3 *", "CRON_TZ=Europe/Berlin 0 9 * * *", "0 0 LW,L-3 * 1L,2#1",
	} {
		f.Add(seed, int64(1772000000), uint8(1))
	}
	locs := make([]*time.Location, len(fuzzZones))
	for i, z := range fuzzZones {
		l, err := time.LoadLocation(z)
		if err != nil {
			f.Fatal(err)
		}
		locs[i] = l
	}
	f.Fuzz(func(t *testing.T, expr string, start int64, zone uint8) {
		loc := locs[int(zone)%len(locs)]
		s, err := Parse(expr, WithLocation(loc))
		if err != nil {
			return
		}
		// 1900..2200, where zone data and @every's nanoseconds are valid.
		start = -2208988800 + (start%9467280000+9467280000)%9467280000
		at := time.Unix(start, 0)
		var prev time.Time
		for i := 0; i < 12; i++ {
			next := s.Next(at)
			if next.IsZero() {
				t.Fatalf("%q: Next(%v) = zero", expr, at)
			}
			if !next.After(at) {
				t.Fatalf("%q: Next(%v) = %v, not after", expr, at, next)
			}
			checkMatch(t, s, next)
			checkNoneSkipped(t, s, at, next)
			if i > 0 {
				if p := s.Prev(next); !p.Equal(prev) {
					t.Fatalf("%q: Prev(%v) = %v, want %v", expr, next, p, prev)
				}
			}
			prev, at = next, next
		}
	})
}

func checkMatch(t *testing.T, s Schedule, at time.Time) {
	t.Helper()
	switch c := s.(type) {
	case *everySchedule:
		if at.UnixNano()%int64(c.d) != 0 {
			t.Fatalf("%q: %v is not a multiple of %v", c.expr, at, c.d)
		}
	case *cronSchedule:
		l := at.In(c.loc)
		cv := civil{l.Year(), int(l.Month()), l.Day(), l.Hour(), l.Minute(), l.Second()}
		if c.matchWall(cv) {
			return
		}
		_, off := l.Zone()
		_, before := at.Add(-time.Second).In(c.loc).Zone()
		if c.fixedHour && before < off {
			return // the first instant after a gap
		}
		t.Fatalf("%q: Next returned %v, which does not match", c.expr, l)
	}
}

// checkNoneSkipped checks, when the gap is short enough to scan, that no
// instant strictly between at and next is a fire time by the reference
// (every minute or second tested on its own).
func checkNoneSkipped(t *testing.T, s Schedule, at, next time.Time) {
	t.Helper()
	c, ok := s.(*cronSchedule)
	if !ok {
		return
	}
	step, limit := time.Minute, 72*time.Hour
	if c.sec != 1 { // a seconds field
		step, limit = time.Second, 2*time.Hour
	}
	if next.Sub(at) > limit {
		return
	}
	from := at.Truncate(step).Add(step)
	if missed := referenceStep(c, from, next, step); len(missed) > 0 {
		t.Fatalf("%q: Next(%v) = %v skips %v", c.expr, at, next, missed[0])
	}
}
