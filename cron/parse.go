package cron

import (
	"strings"
	"time"
)

// ParseOption configures [Parse].
type ParseOption interface {
	applyParse(*parseConfig) error
}

type parseConfig struct {
	loc *time.Location
}

// Parse parses a cron expression: five fields (minute hour day-of-month
// month day-of-week), six fields (a leading seconds field first), or a
// descriptor such as "@daily" or "@every 90s", optionally preceded by
// "CRON_TZ=Zone " or "TZ=Zone ". See the package documentation for the
// syntax. The schedule runs in the zone of the prefix, else of
// [WithLocation], else in time.Local.
//
// A malformed expression returns a [*ParseError] wrapping [ErrSyntax]; one
// that can never fire, such as "0 0 30 2 *", wraps [ErrNeverFires].
func Parse(expr string, opts ...ParseOption) (Schedule, error) {
	cfg := parseConfig{loc: time.Local}
	for _, o := range opts {
		if err := o.applyParse(&cfg); err != nil {
			return nil, err
		}
	}
	return parse(expr, cfg.loc)
}

var fieldNames = [6]string{"second", "minute", "hour", "day-of-month", "month", "day-of-week"}

const (
	fSec = iota
	fMin
	fHour
	fDom
	fMonth
	fDow
)

var fieldBounds = [6][2]int{{0, 59}, {0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}

var descriptors = map[string]string{
	"@yearly":   "0 0 0 1 1 *",
	"@annually": "0 0 0 1 1 *",
	"@monthly":  "0 0 0 1 * *",
	"@weekly":   "0 0 0 * * 0",
	"@daily":    "0 0 0 * * *",
	"@midnight": "0 0 0 * * *",
	"@hourly":   "0 0 * * * *",
}

func parse(expr string, loc *time.Location) (Schedule, error) {
	rest := strings.TrimSpace(expr)
	if strings.HasPrefix(rest, "CRON_TZ=") || strings.HasPrefix(rest, "TZ=") {
		eq := strings.IndexByte(rest, '=')
		end := strings.IndexAny(rest, " \t")
		if end < 0 {
			return nil, &ParseError{Expr: expr, Index: -1, Offset: -1, Token: expr, Reason: "time zone without an expression", Err: ErrSyntax}
		}
		name := rest[eq+1 : end]
		l, err := time.LoadLocation(name)
		if err != nil || name == "" {
			if err == nil {
				err = ErrSyntax
			}
			return nil, &ParseError{Expr: expr, Index: -1, Offset: strings.Index(expr, name), Token: name, Reason: "unknown time zone", Err: err}
		}
		loc = l
		rest = strings.TrimLeft(rest[end:], " \t")
	}
	if loc == nil {
		loc = time.UTC
	}
	if strings.HasPrefix(rest, "@") {
		return parseDescriptor(expr, rest, loc)
	}
	return parseFields(expr, rest, loc)
}

func parseDescriptor(expr, d string, loc *time.Location) (Schedule, error) {
	if len(d) >= 6 && strings.EqualFold(d[:6], "@every") && (len(d) == 6 || d[6] == ' ' || d[6] == '\t') {
		arg := strings.TrimSpace(d[6:])
		if arg == "" {
			return nil, &ParseError{Expr: expr, Index: -1, Offset: -1, Reason: "@every needs a duration", Err: ErrSyntax}
		}
		iv, err := time.ParseDuration(arg)
		if err != nil {
			return nil, &ParseError{Expr: expr, Index: -1, Offset: strings.LastIndex(expr, arg), Token: arg, Reason: "invalid duration for @every", Err: ErrSyntax}
		}
		if iv < time.Second {
			return nil, &ParseError{Expr: expr, Index: -1, Offset: strings.LastIndex(expr, arg), Token: arg, Reason: "@every interval must be at least 1s", Err: ErrSyntax}
		}
		return &everySchedule{d: iv, loc: loc, expr: expr}, nil
	}
	fields, ok := descriptors[strings.ToLower(d)]
	if !ok {
		return nil, &ParseError{Expr: expr, Index: -1, Offset: strings.Index(expr, d), Token: d, Reason: "unknown descriptor", Err: ErrSyntax}
	}
	return parseFields(expr, fields, loc)
}

// parseFields parses 5 or 6 whitespace-separated fields.
func parseFields(expr, s string, loc *time.Location) (Schedule, error) {
	var texts [7]string
	var offs [7]int
	n := 0
	base := strings.Index(expr, s)
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i == len(s) {
			break
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if n == len(texts) {
			n++
			break
		}
		texts[n], offs[n] = s[i:j], base+i
		n++
		i = j
	}
	if n != 5 && n != 6 {
		reason := "expected 5 or 6 fields"
		if n == 0 {
			reason = "empty expression"
		}
		return nil, &ParseError{Expr: expr, Index: -1, Offset: -1, Token: expr, Reason: reason, Err: ErrSyntax}
	}
	c := &cronSchedule{loc: loc, expr: expr}
	first := fMin
	if n == 6 {
		first = fSec
	} else {
		c.sec = 1
	}
	for i := 0; i < n; i++ {
		if err := c.parseField(first+i, texts[i], expr, i, offs[i]); err != nil {
			return nil, err
		}
	}
	if c.dow&(1<<7) != 0 { // 7 is Sunday
		c.dow = c.dow&^(1<<7) | 1
	}
	c.finish()
	if !c.canFire() {
		return nil, &ParseError{Expr: expr, Index: -1, Offset: -1, Token: expr, Reason: "never fires", Err: ErrNeverFires}
	}
	return c, nil
}

// fieldError builds a ParseError for field f.
type fieldCtx struct {
	expr  string
	f     int
	index int
}

func (fc fieldCtx) err(token string, off int, reason string) error {
	return &ParseError{Expr: fc.expr, Field: fieldNames[fc.f], Index: fc.index, Offset: off, Token: token, Reason: reason, Err: ErrSyntax}
}

func (c *cronSchedule) parseField(f int, text, expr string, index, off int) error {
	fc := fieldCtx{expr: expr, f: f, index: index}
	star := text[0] == '*' || text[0] == '?'
	switch f {
	case fDom:
		c.domStar = star
	case fDow:
		c.dowStar = star
	case fHour:
		c.fixedHour = !star
	}
	if text[0] == '?' {
		if f != fDom && f != fDow {
			return fc.err(text, off, "? is only allowed in the day-of-month and day-of-week fields")
		}
		if text != "?" {
			return fc.err(text, off, "? must stand alone")
		}
		text = "*"
	}
	for start := 0; start <= len(text); {
		end := strings.IndexByte(text[start:], ',')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		if err := c.parseItem(fc, text[start:end], off+start); err != nil {
			return err
		}
		start = end + 1
	}
	return nil
}

// parseItem parses one comma-separated item of field fc.f.
func (c *cronSchedule) parseItem(fc fieldCtx, item string, off int) error {
	f := fc.f
	lo, hi := fieldBounds[f][0], fieldBounds[f][1]
	if item == "" {
		return fc.err(item, off, "empty list item")
	}
	if f == fDom && item[0] == 'L' || f == fDom && item[0] == 'l' {
		return c.parseDomLast(fc, item, off)
	}
	if f == fDom && len(item) > 1 && (item[len(item)-1] == 'W' || item[len(item)-1] == 'w') {
		v, err := fc.value(item[:len(item)-1], off)
		if err != nil {
			return err
		}
		c.domW |= 1 << uint(v)
		return nil
	}
	if f == fDow {
		if i := strings.IndexByte(item, '#'); i >= 0 {
			wd, err := fc.value(item[:i], off)
			if err != nil {
				return err
			}
			k, ok := atoi(item[i+1:])
			if !ok || k < 1 || k > 5 {
				return fc.err(item[i+1:], off+i+1, "occurrence out of range 1-5")
			}
			c.dowNth[wd%7] |= 1 << uint(k)
			return nil
		}
		if last := item[len(item)-1]; last == 'L' || last == 'l' {
			if len(item) == 1 {
				return fc.err(item, off, "L needs a weekday, as in 5L for the last Friday")
			}
			wd, err := fc.value(item[:len(item)-1], off)
			if err != nil {
				return err
			}
			c.dowLast |= 1 << uint(wd%7)
			return nil
		}
	}

	rng, step := item, 1
	if i := strings.IndexByte(item, '/'); i >= 0 {
		rng = item[:i]
		s, ok := atoi(item[i+1:])
		if !ok || s < 1 {
			return fc.err(item[i+1:], off+i+1, "step must be a number of at least 1")
		}
		step = s
		if rng == "" {
			return fc.err(item, off, "step without a range")
		}
	}
	from, to := lo, hi
	if f == fDow {
		to = 6 // * is Sunday-Saturday; 7 is only an alias
	}
	switch {
	case rng == "*":
	case strings.IndexByte(rng, '-') > 0:
		i := strings.IndexByte(rng, '-')
		a, err := fc.value(rng[:i], off)
		if err != nil {
			return err
		}
		b, err := fc.value(rng[i+1:], off+i+1)
		if err != nil {
			return err
		}
		if f == fDow && b == 0 && a > 0 {
			b = 7 // SAT-SUN
		}
		if a > b {
			return fc.err(rng, off, "range start is after its end")
		}
		from, to = a, b
	default:
		v, err := fc.value(rng, off)
		if err != nil {
			return err
		}
		from = v
		if step == 1 {
			to = v
		} else if f == fDow {
			to = 7
		}
	}
	var bits uint64
	for v := from; v <= to; v += step {
		bits |= 1 << uint(v)
	}
	switch f {
	case fSec:
		c.sec |= bits
	case fMin:
		c.min |= bits
	case fHour:
		c.hour |= bits
	case fDom:
		c.dom |= bits
	case fMonth:
		c.month |= bits
	case fDow:
		c.dow |= bits
	}
	return nil
}

// parseDomLast parses L, L-n and LW in the day-of-month field.
func (c *cronSchedule) parseDomLast(fc fieldCtx, item string, off int) error {
	switch up := strings.ToUpper(item); {
	case up == "L":
		c.domLast = true
	case up == "LW":
		c.domLastW = true
	case strings.HasPrefix(up, "L-"):
		n, ok := atoi(item[2:])
		if !ok || n < 1 || n > 30 {
			return fc.err(item[2:], off+2, "offset out of range 1-30")
		}
		c.domLastOff |= 1 << uint(n)
	default:
		return fc.err(item, off, "invalid use of L")
	}
	return nil
}

var monthNames = [...]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
var dayNames = [...]string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

// value parses a number or a name and checks the field's range.
func (fc fieldCtx) value(s string, off int) (int, error) {
	lo, hi := fieldBounds[fc.f][0], fieldBounds[fc.f][1]
	if v, ok := atoi(s); ok {
		if v < lo || v > hi {
			return 0, fc.err(s, off, "value out of range "+itoa(lo)+"-"+itoa(hi))
		}
		return v, nil
	}
	if len(s) == 3 {
		switch fc.f {
		case fMonth:
			for i, n := range monthNames {
				if strings.EqualFold(s, n) {
					return i + 1, nil
				}
			}
		case fDow:
			for i, n := range dayNames {
				if strings.EqualFold(s, n) {
					return i, nil
				}
			}
		}
	}
	if s == "" {
		return 0, fc.err(s, off, "missing value")
	}
	if fc.f == fMonth || fc.f == fDow {
		return 0, fc.err(s, off, "not a number or name")
	}
	return 0, fc.err(s, off, "not a number")
}

// atoi parses a short unsigned decimal number.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func itoa(v int) string {
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}
