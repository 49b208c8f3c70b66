package cron

import (
	"testing"
	"time"
)

// reference computes the fire times of a minute-resolution expression in
// [from, to) by testing every minute on its own and applying the documented
// daylight-saving rule directly, with the time package's zone lookups only:
//
//   - a minute whose wall clock matches fires, except, for a fixed-hour
//     expression, a minute whose wall clock already occurred earlier (the
//     second copy of a repeated hour);
//   - for a fixed-hour expression, a transition that skips wall clock times
//     fires at its first instant if a skipped minute matches.
func reference(c *cronSchedule, from, to time.Time) []time.Time {
	return referenceStep(c, from, to, time.Minute)
}

// referenceStep is reference testing every step (a minute or a second).
func referenceStep(c *cronSchedule, from, to time.Time, step time.Duration) []time.Time {
	var out []time.Time
	for at := from; at.Before(to); at = at.Add(step) {
		l := at.In(c.loc)
		_, off := l.Zone()
		if c.fixedHour {
			if _, prevOff := at.Add(-time.Second).In(c.loc).Zone(); prevOff < off {
				// at is a transition that skips [at+prevOff, at+off) of wall time.
				for w := at.Unix() + int64(prevOff); w < at.Unix()+int64(off); w += int64(step / time.Second) {
					if c.matchWall(civilFromWall(w)) {
						out = append(out, at)
						break
					}
				}
				if len(out) > 0 && out[len(out)-1].Equal(at) {
					continue
				}
			}
		}
		cv := civil{l.Year(), int(l.Month()), l.Day(), l.Hour(), l.Minute(), l.Second()}
		if !c.matchWall(cv) {
			continue
		}
		if c.fixedHour && repeated(at, c.loc) {
			continue
		}
		out = append(out, at)
	}
	return out
}

// repeated reports whether at's wall clock already showed at an earlier
// instant (up to three hours earlier).
func repeated(at time.Time, loc *time.Location) bool {
	l := at.In(loc)
	for d := 15 * time.Minute; d <= 3*time.Hour; d += 15 * time.Minute {
		e := at.Add(-d).In(loc)
		if e.Year() == l.Year() && e.YearDay() == l.YearDay() && e.Hour() == l.Hour() && e.Minute() == l.Minute() {
			return true
		}
	}
	return false
}

func TestNextMatchesReferenceAroundTransitions(t *testing.T) {
	t.Parallel()
	exprs := []string{
		"30 2 * * *", "0 2 * * *", "59 1 * * *", "0 3 * * *", "30 1 * * *", "0 1-3 * * *", "*/20 2 * * *",
		"30 * * * *", "*/15 * * * *", "0 */2 * * *", "0 */1 * * *", "* 2 * * *", "45 0-4 * * 0",
	}
	zones := []struct {
		name  string
		dates []string
	}{
		{"America/New_York", []string{"2026-03-08", "2026-11-01"}},
		{"Europe/Berlin", []string{"2026-03-29", "2026-10-25"}},
		{"Australia/Sydney", []string{"2026-04-05", "2026-10-04"}},
		{"Australia/Lord_Howe", []string{"2026-04-05", "2026-10-04"}}, // 30-minute shifts
		{"Pacific/Apia", []string{"2011-12-30"}},                      // a whole day skipped
	}
	for _, z := range zones {
		loc, err := time.LoadLocation(z.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, expr := range exprs {
			for _, d := range z.dates {
				t.Run(z.name+"/"+expr+"/"+d, func(t *testing.T) {
					t.Parallel()
					s, err := Parse(expr, WithLocation(loc))
					if err != nil {
						t.Fatal(err)
					}
					c := s.(*cronSchedule)
					day, _ := time.ParseInLocation("2006-01-02", d, loc)
					from, to := day.Add(-36*time.Hour), day.Add(36*time.Hour)
					want := reference(c, from, to)
					var got []time.Time
					for at := c.Next(from.Add(-time.Second)); at.Before(to); at = c.Next(at) {
						got = append(got, at)
					}
					if !equalTimes(got, want) {
						t.Fatalf("Next:\n got %v\nwant %v", utc(got), utc(want))
					}
					var back []time.Time
					for at := c.Prev(to); !at.Before(from); at = c.Prev(at) {
						back = append([]time.Time{at}, back...)
					}
					if !equalTimes(back, want) {
						t.Fatalf("Prev:\n got %v\nwant %v", utc(back), utc(want))
					}
				})
			}
		}
	}
}

func equalTimes(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func utc(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.UTC().Format("01-02T15:04")
	}
	return out
}
