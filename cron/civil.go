package cron

// Calendar arithmetic on proleptic Gregorian dates, in plain integers, so that
// the search in Next and Prev needs no time.Time normalisation and no time
// zone lookups while it walks the fields.

// civil is a wall-clock date and time without a zone.
type civil struct {
	y, mo, d, h, mi, s int
}

// daysFromCivil returns the number of days from 1970-01-01 to y-m-d
// (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(int64(y), 400)
	yoe := int64(y) - era*400
	mp := int64(m+9) % 12
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	yy := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp+2)%12 + 1
	if m <= 2 {
		yy++
	}
	return int(yy), m, d
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// civilFromWall splits wall-clock seconds since 1970-01-01T00:00:00.
func civilFromWall(w int64) civil {
	days := floorDiv(w, 86400)
	sod := int(w - days*86400)
	y, m, d := civilFromDays(days)
	return civil{y, m, d, sod / 3600, sod / 60 % 60, sod % 60}
}

// wall returns c as wall-clock seconds since 1970-01-01T00:00:00.
func (c civil) wall() int64 {
	return daysFromCivil(c.y, c.mo, c.d)*86400 + int64(c.h*3600+c.mi*60+c.s)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// daysIn returns the number of days in month m of year y.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// weekday returns the day of the week of y-m-d, 0 = Sunday.
func weekday(y, m, d int) int {
	w := (daysFromCivil(y, m, d) + 4) % 7 // 1970-01-01 was a Thursday
	if w < 0 {
		w += 7
	}
	return int(w)
}

// monthIndex orders (year, month) pairs.
func monthIndex(y, m int) int { return y*12 + m - 1 }
