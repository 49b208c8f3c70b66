package cron

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		expr, msg string
		field     string
		offset    int
		never     bool
	}{
		{"61 * * * *", `cron: minute field "61": value out of range 0-59`, "minute", 0, false},
		{"0 5,24 * * *", `cron: hour field "24": value out of range 0-23`, "hour", 4, false},
		{"0 0 0 * *", `cron: day-of-month field "0": value out of range 1-31`, "day-of-month", 4, false},
		{"0 0 * 13 *", `cron: month field "13": value out of range 1-12`, "month", 6, false},
		{"0 0 * * 8", `cron: day-of-week field "8": value out of range 0-7`, "day-of-week", 8, false},
		{"60 * * * * *", `cron: second field "60": value out of range 0-59`, "second", 0, false},
		{"*/0 * * * *", `cron: minute field "0": step must be a number of at least 1`, "minute", 2, false},
		{"5-2 * * * *", `cron: minute field "5-2": range start is after its end`, "minute", 0, false},
		{"0 0 * FOO *", `cron: month field "FOO": not a number or name`, "month", 6, false},
		{"0 0 * * MON#6", `cron: day-of-week field "6": occurrence out of range 1-5`, "day-of-week", 12, false},
		{"0 0 * * L", `cron: day-of-week field "L": L needs a weekday, as in 5L for the last Friday`, "day-of-week", 8, false},
		{"0 0 L-31 * *", `cron: day-of-month field "31": offset out of range 1-30`, "day-of-month", 6, false},
		{"0 ? * * *", `cron: hour field "?": ? is only allowed in the day-of-month and day-of-week fields`, "hour", 2, false},
		{"0 0 1,,2 * *", `cron: day-of-month field "": empty list item`, "day-of-month", 6, false},
		{"x * * * *", `cron: minute field "x": not a number`, "minute", 0, false},
		{"* * * *", `cron: "* * * *": expected 5 or 6 fields`, "", -1, false},
		{"* * * * * * *", `cron: "* * * * * * *": expected 5 or 6 fields`, "", -1, false},
		{"", `cron: empty expression`, "", -1, false},
		{"@every 10ms", `cron: "10ms": @every interval must be at least 1s`, "", 7, false},
		{"@every", `cron: @every needs a duration`, "", -1, false},
		{"@fortnightly", `cron: "@fortnightly": unknown descriptor`, "", 0, false},
		{"CRON_TZ=Mars/Olympus 0 * * * *", `cron: "Mars/Olympus": unknown time zone`, "", 8, false},
		{"0 0 30 2 *", `cron: "0 0 30 2 *": never fires`, "", -1, true},
		{"0 0 31 4,6,9,11 *", `cron: "0 0 31 4,6,9,11 *": never fires`, "", -1, true},
		{"0 0 30W 2 *", `cron: "0 0 30W 2 *": never fires`, "", -1, true},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			t.Parallel()
			s, err := Parse(c.expr)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", c.expr, s)
			}
			if err.Error() != c.msg {
				t.Errorf("error = %q\n         want %q", err, c.msg)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.Field != c.field {
				t.Errorf("Field = %q, want %q", pe.Field, c.field)
			}
			if c.offset >= 0 && pe.Offset != c.offset {
				t.Errorf("Offset = %d, want %d", pe.Offset, c.offset)
			}
			if c.never != errors.Is(err, ErrNeverFires) || c.never == errors.Is(err, ErrSyntax) {
				t.Errorf("errors.Is(ErrNeverFires) = %v, Is(ErrSyntax) = %v; want never=%v", errors.Is(err, ErrNeverFires), errors.Is(err, ErrSyntax), c.never)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{
		"* * * * *", "0 0 * * * *", "  0\t0 * * *  ", "0 0 ? * MON-FRI", "0 0 LW * *", "0 0 L-30 * *",
		"0 0 * * 0-7", "0 0 * * SUN,sat", "0 0 * jan-DEC/3 *", "0 0 1/5 * *", "0 0 * * fri#5", "0 0 * * friL",
		"0 0 29 2 1#5", "0 0 1W,15W * *", "@EVERY 1m30s", "@every 1h", "TZ=UTC @daily", "CRON_TZ=Asia/Kolkata 30 9 * * *",
	} {
		if _, err := Parse(expr); err != nil {
			t.Errorf("Parse(%q): %v", expr, err)
		}
	}
}

func TestParseLocation(t *testing.T) {
	t.Parallel()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	s, err := Parse("0 9 * * *", WithLocation(berlin))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(*cronSchedule).Location(); got != berlin {
		t.Errorf("location = %v, want Berlin", got)
	}
	// The prefix wins over the option.
	s, err = Parse("CRON_TZ=Asia/Tokyo 0 9 * * *", WithLocation(berlin))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(*cronSchedule).Location().String(); got != "Asia/Tokyo" {
		t.Errorf("location = %v, want Asia/Tokyo", got)
	}
	if _, err := Parse("* * * * *", WithLocation(nil)); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("WithLocation(nil) error = %v", err)
	}
	if s.(*cronSchedule).String() != "CRON_TZ=Asia/Tokyo 0 9 * * *" {
		t.Errorf("String() = %q", s.(*cronSchedule).String())
	}
}

func TestNextAllocatesNothing(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2026, 3, 7, 0, 0, 0, 0, ny)
	for _, expr := range []string{"30 2 * * *", "*/5 * * * *", "0 0 L * 5L", "0 0 15W * *", "@every 90s"} {
		s, err := Parse(expr, WithLocation(ny))
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { _ = s.Next(at); _ = s.Prev(at) }); n != 0 {
			t.Errorf("%q: Next+Prev allocate %v times", expr, n)
		}
	}
}

func TestNextFarFuture(t *testing.T) {
	t.Parallel()
	// Bounded: rare expressions are found, decades out, without looping.
	s, err := Parse("0 0 29 2 1") // Feb 29 OR any Monday in February
	if err != nil {
		t.Fatal(err)
	}
	_ = s
	s, err = Parse("0 0 29 2 */7", WithLocation(time.UTC)) // AND: a Sunday Feb 29
	if err != nil {
		t.Fatal(err)
	}
	got := s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if want := time.Date(2032, 2, 29, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Next = %v, want %v", got, want)
	}
	if strings.Contains(got.String(), "0001") {
		t.Fatal("zero time")
	}
}
