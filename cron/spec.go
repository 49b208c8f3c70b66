package cron

import "math/bits"

// spec is a parsed field expression. Every field is a bit set; the
// day-of-month and day-of-week extensions (L, W, #, nL) are bit sets too, so
// a spec is a fixed-size value and matching allocates nothing.
type spec struct {
	sec, min uint64 // bits 0-59
	hour     uint64 // bits 0-23
	dom      uint64 // bits 1-31
	month    uint64 // bits 1-12
	dow      uint64 // bits 0-6, 0 = Sunday

	domLast    bool   // L: last day of the month
	domLastW   bool   // LW: last weekday of the month
	domLastOff uint64 // L-n: bit n set for "n days before the last day"
	domW       uint64 // nW: bit n set for "weekday nearest day n"
	dowNth     [7]uint8
	dowLast    uint8 // nL: bit w set for "last weekday w of the month"

	// domStar and dowStar record that the field started with * or ?, which
	// turns the Vixie OR rule into an AND.
	domStar, dowStar bool
	// fixedHour records that the hour field does not start with *; it picks
	// the daylight-saving rule (see doc.go).
	fixedHour bool

	firstSec, firstMin, lastSec, lastMin int
}

// finish caches the derived values once all fields are set.
func (s *spec) finish() {
	s.firstSec = bits.TrailingZeros64(s.sec)
	s.firstMin = bits.TrailingZeros64(s.min)
	s.lastSec = 63 - bits.LeadingZeros64(s.sec)
	s.lastMin = 63 - bits.LeadingZeros64(s.min)
}

// nextBit returns the lowest set bit of mask at or above v, or 64.
func nextBit(mask uint64, v int) int {
	if v >= 64 {
		return 64
	}
	if v < 0 {
		v = 0
	}
	return bits.TrailingZeros64(mask >> uint(v) << uint(v))
}

// prevBit returns the highest set bit of mask at or below v, or -1.
func prevBit(mask uint64, v int) int {
	if v < 0 {
		return -1
	}
	if v < 63 {
		mask &= 1<<uint(v+1) - 1
	}
	return 63 - bits.LeadingZeros64(mask)
}

func has(mask uint64, v int) bool { return v >= 0 && v < 64 && mask&(1<<uint(v)) != 0 }

// weekMask has bits 1, 8, 15, 22 and 29: the days of a month that share
// day 1's weekday.
const weekMask = 1<<1 | 1<<8 | 1<<15 | 1<<22 | 1<<29

// dayMask returns the days (bits 1-31) of a month of n days whose first day
// falls on weekday wd1 that the spec matches.
func (s *spec) dayMask(n, wd1 int) uint64 {
	valid := uint64(1)<<uint(n+1) - 2
	dom := s.dom & valid
	if s.domLast {
		dom |= 1 << uint(n)
	}
	for off := s.domLastOff; off != 0; off &= off - 1 {
		k := bits.TrailingZeros64(off)
		if n-k >= 1 {
			dom |= 1 << uint(n-k)
		}
	}
	wdn := (wd1 + n - 1) % 7 // weekday of the last day
	if s.domLastW {
		d := n
		switch wdn {
		case 6:
			d = n - 1
		case 0:
			d = n - 2
		}
		dom |= 1 << uint(d)
	}
	for w := s.domW & valid; w != 0; w &= w - 1 {
		d := bits.TrailingZeros64(w)
		switch (wd1 + d - 1) % 7 {
		case 6: // Saturday: the Friday before, unless that leaves the month
			if d == 1 {
				d = 3
			} else {
				d--
			}
		case 0: // Sunday: the Monday after, unless that leaves the month
			if d == n {
				d -= 2
			} else {
				d++
			}
		}
		dom |= 1 << uint(d)
	}

	var dow uint64
	for w := s.dow; w != 0; w &= w - 1 {
		wd := bits.TrailingZeros64(w)
		first := (wd-wd1+7)%7 + 1
		dow |= weekMask << uint(first-1)
	}
	for wd := 0; wd < 7; wd++ {
		nth := s.dowNth[wd]
		last := s.dowLast&(1<<uint(wd)) != 0
		if nth == 0 && !last {
			continue
		}
		first := (wd-wd1+7)%7 + 1
		for k := nth; k != 0; k &= k - 1 {
			i := bits.TrailingZeros8(k) // 1-5
			if d := first + 7*(i-1); d <= n {
				dow |= 1 << uint(d)
			}
		}
		if last {
			dow |= 1 << uint(n-(wdn-wd+7)%7)
		}
	}
	dow &= valid

	if s.domStar || s.dowStar {
		return dom & dow
	}
	return dom | dow
}

func (s *spec) monthDays(y, m int) uint64 {
	return s.dayMask(daysIn(y, m), weekday(y, m, 1))
}

// canFire reports whether some day of some year matches. The Gregorian
// calendar gives every month every weekday for its first day, and February
// both lengths, so trying each (month, length, first weekday) is exact.
func (s *spec) canFire() bool {
	for m := 1; m <= 12; m++ {
		if !has(s.month, m) {
			continue
		}
		for _, n := range [2]int{daysIn(2001, m), daysIn(2004, m)} {
			for wd := 0; wd < 7; wd++ {
				if s.dayMask(n, wd) != 0 {
					return true
				}
			}
		}
	}
	return false
}

// matchWall reports whether the wall-clock time c matches every field.
func (s *spec) matchWall(c civil) bool {
	return has(s.sec, c.s) && has(s.min, c.mi) && has(s.hour, c.h) &&
		has(s.month, c.mo) && has(s.monthDays(c.y, c.mo), c.d)
}

// nextTOD returns the first time of day at or after h:mi:sec that matches.
func (s *spec) nextTOD(h, mi, sec int) (int, int, int, bool) {
	if has(s.hour, h) {
		if has(s.min, mi) {
			if s2 := nextBit(s.sec, sec); s2 < 60 {
				return h, mi, s2, true
			}
		}
		if m2 := nextBit(s.min, mi+1); m2 < 60 {
			return h, m2, s.firstSec, true
		}
	}
	if h2 := nextBit(s.hour, h+1); h2 < 24 {
		return h2, s.firstMin, s.firstSec, true
	}
	return 0, 0, 0, false
}

// prevTOD returns the last time of day at or before h:mi:sec that matches.
func (s *spec) prevTOD(h, mi, sec int) (int, int, int, bool) {
	if has(s.hour, h) {
		if has(s.min, mi) {
			if s2 := prevBit(s.sec, sec); s2 >= 0 {
				return h, mi, s2, true
			}
		}
		if m2 := prevBit(s.min, mi-1); m2 >= 0 {
			return h, m2, s.lastSec, true
		}
	}
	if h2 := prevBit(s.hour, h-1); h2 >= 0 {
		return h2, s.lastMin, s.lastSec, true
	}
	return 0, 0, 0, false
}

// nextWall returns the first matching wall-clock time at or after c, looking
// no further than the month with index limit.
func (s *spec) nextWall(c civil, limit int) (civil, bool) {
	y, mo, d, h, mi, sec := c.y, c.mo, c.d, c.h, c.mi, c.s
	for {
		m2 := nextBit(s.month, mo)
		if m2 > 12 {
			y, mo, d, h, mi, sec = y+1, 1, 1, 0, 0, 0
			continue
		}
		if m2 != mo {
			mo, d, h, mi, sec = m2, 1, 0, 0, 0
		}
		if monthIndex(y, mo) > limit {
			return civil{}, false
		}
		dm := s.monthDays(y, mo)
		for {
			d2 := nextBit(dm, d)
			if d2 > 31 {
				break
			}
			if d2 != d {
				d, h, mi, sec = d2, 0, 0, 0
			}
			if hh, mm, ss, ok := s.nextTOD(h, mi, sec); ok {
				return civil{y, mo, d, hh, mm, ss}, true
			}
			d, h, mi, sec = d+1, 0, 0, 0
		}
		mo, d, h, mi, sec = mo+1, 1, 0, 0, 0
	}
}

// prevWall returns the last matching wall-clock time at or before c, looking
// no further back than the month with index limit.
func (s *spec) prevWall(c civil, limit int) (civil, bool) {
	y, mo, d, h, mi, sec := c.y, c.mo, c.d, c.h, c.mi, c.s
	for {
		m2 := prevBit(s.month, mo)
		if m2 < 1 {
			y, mo, d, h, mi, sec = y-1, 12, 31, 23, 59, 59
			continue
		}
		if m2 != mo {
			mo, d, h, mi, sec = m2, 31, 23, 59, 59
		}
		if monthIndex(y, mo) < limit {
			return civil{}, false
		}
		dm := s.monthDays(y, mo)
		for {
			d2 := prevBit(dm, d)
			if d2 < 1 {
				break
			}
			if d2 != d {
				d, h, mi, sec = d2, 23, 59, 59
			}
			if hh, mm, ss, ok := s.prevTOD(h, mi, sec); ok {
				return civil{y, mo, d, hh, mm, ss}, true
			}
			d, h, mi, sec = d-1, 23, 59, 59
		}
		mo, d, h, mi, sec = mo-1, 31, 23, 59, 59
	}
}
