package cron

import "time"

// Schedule tells when a job fires. [Parse] returns one; a user type with
// these methods can be scheduled with [Scheduler.AddSchedule].
//
// Implementations must be safe for concurrent use and return the zero Time
// when there is no such instant.
type Schedule interface {
	// Next returns the first fire time strictly after t.
	Next(t time.Time) time.Time
	// Prev returns the last fire time strictly before t.
	Prev(t time.Time) time.Time
}

// searchYears bounds the search of Next and Prev. The Gregorian calendar
// repeats every 400 years and Parse rejects expressions that match no day in
// a cycle, so a match is always found within this many years.
const searchYears = 401

// cronSchedule is a field expression in a location.
type cronSchedule struct {
	spec
	loc  *time.Location
	expr string
}

// String returns the expression as given to Parse.
func (c *cronSchedule) String() string { return c.expr }

// Location returns the time zone the expression is evaluated in.
func (c *cronSchedule) Location() *time.Location { return c.loc }

// Next returns the first fire time strictly after t, in the schedule's
// location, with daylight-saving transitions handled as the package
// documentation describes. It allocates nothing and returns the zero Time
// only if t is so late that the search leaves the range of time.Time.
func (c *cronSchedule) Next(t time.Time) time.Time {
	u := t.Unix() + 1 // the first whole second after t
	yEnd := 0
	for i := 0; i < 4*searchYears; i++ {
		off, zs, ze := zoneAt(u, c.loc)
		from := civilFromWall(u + int64(off))
		if i == 0 {
			yEnd = from.y + searchYears
		}
		limit := monthIndex(yEnd, 12)
		if !ze.IsZero() {
			// A little past the zone's end, so that a gap after it is seen.
			e := civilFromWall(ze.Unix() + int64(off) + 2*86400)
			limit = min(limit, monthIndex(e.y, e.mo))
		}
		w, ok := c.nextWall(from, limit)
		if !ok {
			if ze.IsZero() {
				return time.Time{}
			}
			u = ze.Unix()
			continue
		}
		ws := w.wall()
		inst := ws - int64(off)
		if ze.IsZero() || inst < ze.Unix() {
			if c.fixedHour && !zs.IsZero() && inst-zs.Unix() < 2*86400 {
				// A fixed-hour job fires once in a repeated hour: skip
				// wall times that already occurred in the previous zone.
				if _, offPrev := zs.Add(-time.Second).Zone(); offPrev > off && ws < zs.Unix()+int64(offPrev) {
					u = zs.Unix() + int64(offPrev-off)
					continue
				}
			}
			return time.Unix(inst, 0).In(c.loc)
		}
		if c.fixedHour {
			// A fixed-hour job whose time falls in a gap fires at the
			// first instant after it.
			if _, offNext := ze.Zone(); offNext > off && ws < ze.Unix()+int64(offNext) {
				return ze.In(c.loc)
			}
		}
		u = ze.Unix()
	}
	return time.Time{}
}

// Prev returns the last fire time strictly before t. It is the exact mirror
// of Next under the same daylight-saving rule: for every fire time f,
// Prev(Next(f)) == f. It allocates nothing.
func (c *cronSchedule) Prev(t time.Time) time.Time {
	u := t.Unix()
	if t.Nanosecond() == 0 {
		u-- // strictly before t
	}
	yStart := 0
	for i := 0; i < 4*searchYears; i++ {
		off, zs, _ := zoneAt(u, c.loc)
		from := civilFromWall(u + int64(off))
		if i == 0 {
			yStart = from.y - searchYears
		}
		limit := monthIndex(yStart, 1)
		if !zs.IsZero() {
			s := civilFromWall(zs.Unix() + int64(off) - 2*86400)
			limit = max(limit, monthIndex(s.y, s.mo))
		}
		w, ok := c.prevWall(from, limit)
		if !ok {
			if zs.IsZero() {
				return time.Time{}
			}
			u = zs.Unix() - 1
			continue
		}
		ws := w.wall()
		inst := ws - int64(off)
		if zs.IsZero() || inst >= zs.Unix() {
			if c.fixedHour && !zs.IsZero() && inst-zs.Unix() < 2*86400 {
				if _, offPrev := zs.Add(-time.Second).Zone(); offPrev > off && ws < zs.Unix()+int64(offPrev) {
					u = zs.Unix() - 1 // a repeat: the first copy is earlier
					continue
				}
			}
			return time.Unix(inst, 0).In(c.loc)
		}
		if c.fixedHour {
			if _, offPrev := zs.Add(-time.Second).Zone(); offPrev < off && ws >= zs.Unix()+int64(offPrev) {
				return zs.In(c.loc) // fell in the gap before this zone
			}
		}
		u = zs.Unix() - 1
	}
	return time.Time{}
}

// zoneAt returns the UTC offset in force at Unix second u and the bounds of
// the zone period around it (zero when unbounded).
func zoneAt(u int64, loc *time.Location) (off int, zs, ze time.Time) {
	tt := time.Unix(u, 0).In(loc)
	_, off = tt.Zone()
	zs, ze = tt.ZoneBounds()
	// Past the last transition of its table, the time package computes
	// periods from the zone's rule a year at a time and can report, for a
	// leap year, a period that ends at or before u (or starts after it).
	// No real zone changes its offset on those year boundaries, so a
	// period of one day is a safe stand-in.
	if !ze.IsZero() && ze.Unix() <= u {
		ze = time.Unix(u+86400, 0)
	}
	if !zs.IsZero() && zs.Unix() > u {
		zs = time.Unix(u-86400, 0)
	}
	return off, zs, ze
}

// everySchedule fires at every multiple of d since the Unix epoch. It
// counts in Unix nanoseconds, so it works between the years 1678 and 2262.
type everySchedule struct {
	d    time.Duration
	loc  *time.Location
	expr string
}

func (e *everySchedule) String() string { return e.expr }

// Next returns the first multiple of the interval after t.
func (e *everySchedule) Next(t time.Time) time.Time {
	n := t.UnixNano()
	d := int64(e.d)
	q := floorDiv(n, d)
	return time.Unix(0, (q+1)*d).In(e.loc)
}

// Prev returns the last multiple of the interval before t.
func (e *everySchedule) Prev(t time.Time) time.Time {
	n := t.UnixNano()
	d := int64(e.d)
	q := floorDiv(n, d)
	if q*d == n {
		q--
	}
	return time.Unix(0, q*d).In(e.loc)
}
