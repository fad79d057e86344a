package sla

import (
	"math/rand/v2"
	"testing"
	"time"
)

func paris(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// weekdays9to18 is the common office week.
func weekdays9to18(loc *time.Location, holidays bool) Hours {
	return Hours{Loc: loc, Days: [7]bool{false, true, true, true, true, true, false}, Open: 9 * 60, Close: 18 * 60, FrenchHolidays: holidays}
}

func TestElapsed(t *testing.T) {
	loc := paris(t)
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, loc) }
	office := weekdays9to18(loc, true)
	noHolidays := weekdays9to18(loc, false)
	allDay := Hours{Loc: loc, Days: [7]bool{true, true, true, true, true, true, true}, Open: 0, Close: 24 * 60}
	cases := []struct {
		name     string
		h        Hours
		from, to time.Time
		want     time.Duration
	}{
		{"within a day", office, at(2026, 3, 2, 10, 0), at(2026, 3, 2, 12, 0), 2 * time.Hour},
		{"across a night", office, at(2026, 3, 2, 17, 0), at(2026, 3, 3, 10, 0), 2 * time.Hour},
		{"across a weekend", office, at(2026, 3, 6, 17, 0), at(2026, 3, 9, 10, 0), 2 * time.Hour},
		{"arrives closed, answered before opening", office, at(2026, 3, 7, 10, 0), at(2026, 3, 9, 8, 59), 0},
		{"arrives on Saturday, answered Monday", office, at(2026, 3, 7, 10, 0), at(2026, 3, 9, 9, 30), 30 * time.Minute},
		{"answered before it arrived", office, at(2026, 3, 2, 12, 0), at(2026, 3, 2, 10, 0), 0},
		{"a full week", office, at(2026, 3, 2, 0, 0), at(2026, 3, 9, 0, 0), 45 * time.Hour},
		// Spring forward (Sunday 29 March 2026, 02:00 → 03:00): the weekend
		// is 1 h shorter on the wall clock, business time is unchanged.
		{"spring-forward weekend", office, at(2026, 3, 27, 17, 0), at(2026, 3, 30, 10, 0), 2 * time.Hour},
		// Fall back (Sunday 25 October 2026, 03:00 → 02:00).
		{"fall-back weekend", office, at(2026, 10, 23, 17, 0), at(2026, 10, 26, 10, 0), 2 * time.Hour},
		// Open round the clock: the DST Sunday has 23 h, the October one 25 h.
		{"spring-forward day open all day", allDay, at(2026, 3, 29, 0, 0), at(2026, 3, 30, 0, 0), 23 * time.Hour},
		{"fall-back day open all day", allDay, at(2026, 10, 25, 0, 0), at(2026, 10, 26, 0, 0), 25 * time.Hour},
		// Easter Monday 6 April 2026 is a French public holiday.
		{"Easter Monday closed", office, at(2026, 4, 3, 17, 0), at(2026, 4, 7, 10, 0), 2 * time.Hour},
		{"Easter Monday open without holidays", noHolidays, at(2026, 4, 3, 17, 0), at(2026, 4, 7, 10, 0), 11 * time.Hour},
		// New Year's Day across the year's end (a Friday in 2027).
		{"across the year's end", office, at(2026, 12, 31, 17, 0), at(2027, 1, 4, 10, 0), 2 * time.Hour},
		{"instants in another zone", office, time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC), time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC), 2 * time.Hour},
	}
	for _, c := range cases {
		if got := c.h.Elapsed(c.from, c.to); got != c.want {
			t.Errorf("%s: Elapsed = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestDeadline(t *testing.T) {
	loc := paris(t)
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, loc) }
	office := weekdays9to18(loc, true)
	cases := []struct {
		name   string
		from   time.Time
		target time.Duration
		want   time.Time
	}{
		{"same day", at(2026, 3, 2, 10, 0), 2 * time.Hour, at(2026, 3, 2, 12, 0)},
		{"ends at closing", at(2026, 3, 2, 16, 0), 2 * time.Hour, at(2026, 3, 2, 18, 0)},
		{"over the spring-forward weekend", at(2026, 3, 27, 17, 0), 2 * time.Hour, at(2026, 3, 30, 10, 0)},
		{"over the fall-back weekend", at(2026, 10, 23, 17, 0), 2 * time.Hour, at(2026, 10, 26, 10, 0)},
		{"over Easter Monday", at(2026, 4, 3, 17, 0), 2 * time.Hour, at(2026, 4, 7, 10, 0)},
		{"arrives at night", at(2026, 3, 2, 23, 0), 30 * time.Minute, at(2026, 3, 3, 9, 30)},
	}
	for _, c := range cases {
		got, err := office.Deadline(c.from, c.target)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%s: Deadline = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	// Deadline and Elapsed agree everywhere, DST weeks included.
	r := rand.New(rand.NewPCG(1, 2))
	base := at(2026, 1, 1, 0, 0)
	for range 2000 {
		from := base.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		target := time.Duration(1+r.Int64N(40*60)) * time.Minute
		d, err := office.Deadline(from, target)
		if err != nil {
			t.Fatal(err)
		}
		if got := office.Elapsed(from, d); got != target {
			t.Fatalf("Elapsed(%v, Deadline = %v) = %v, want %v", from, d, got, target)
		}
	}
}

func TestValidate(t *testing.T) {
	loc := paris(t)
	if err := weekdays9to18(loc, false).Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Hours{Loc: loc, Open: 0, Close: 60}).Validate(); err != ErrNoDay {
		t.Errorf("no day: %v", err)
	}
	h := weekdays9to18(loc, false)
	h.Open, h.Close = 18*60, 9*60
	if err := h.Validate(); err != ErrHours {
		t.Errorf("reversed hours: %v", err)
	}
	h = weekdays9to18(nil, false)
	if err := h.Validate(); err != ErrNoZone {
		t.Errorf("no zone: %v", err)
	}
}

func TestPercentile(t *testing.T) {
	var ten, twenty []time.Duration
	for i := 10; i >= 1; i-- { // unsorted on purpose
		ten = append(ten, time.Duration(i)*time.Minute)
	}
	for i := 1; i <= 20; i++ {
		twenty = append(twenty, time.Duration(i)*time.Minute)
	}
	cases := []struct {
		ds   []time.Duration
		p    float64
		want time.Duration
	}{
		{ten, 50, 5 * time.Minute},
		{ten, 90, 9 * time.Minute},
		{ten, 100, 10 * time.Minute},
		{twenty, 90, 18 * time.Minute},
		{twenty, 50, 10 * time.Minute},
		{[]time.Duration{7 * time.Minute}, 90, 7 * time.Minute},
		{nil, 50, 0},
	}
	for _, c := range cases {
		if got := Percentile(c.ds, c.p); got != c.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", c.ds, c.p, got, c.want)
		}
	}
	if ten[0] != 10*time.Minute {
		t.Error("Percentile sorted its argument")
	}
}

// LatestPast splits arrivals exactly where Deadline does: an item that
// arrived at or before the cutoff is past the target, one after it is not,
// over a weekend, a holiday and the DST change.
func TestLatestPast(t *testing.T) {
	t.Parallel()
	loc := paris(t)
	cases := []struct {
		name   string
		now    time.Time
		target time.Duration
	}{
		{"Monday morning after a weekend", time.Date(2026, 3, 30, 10, 30, 0, 0, loc), 2 * time.Hour},
		{"the day after Easter Monday", time.Date(2026, 4, 7, 9, 15, 0, 0, loc), 3 * time.Hour},
		{"a closed Sunday", time.Date(2026, 10, 25, 15, 0, 0, 0, loc), 90 * time.Minute},
		{"a long target", time.Date(2026, 12, 3, 17, 59, 59, 0, loc), 30 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := weekdays9to18(loc, true)
			cutoff, ok := h.LatestPast(c.now, c.target)
			if !ok {
				t.Fatal("nothing past")
			}
			for _, at := range []time.Time{cutoff, cutoff.Add(-time.Nanosecond), cutoff.Add(-time.Hour), cutoff.Add(-72 * time.Hour)} {
				if d, err := h.Deadline(at, c.target); err != nil || !c.now.After(d) {
					t.Errorf("arrival %v at or before the cutoff %v: deadline %v, not past at %v", at, cutoff, d, c.now)
				}
			}
			for _, at := range []time.Time{cutoff.Add(time.Nanosecond), cutoff.Add(time.Minute), c.now} {
				if d, err := h.Deadline(at, c.target); err == nil && c.now.After(d) {
					t.Errorf("arrival %v after the cutoff %v: deadline %v already past at %v", at, cutoff, d, c.now)
				}
			}
		})
	}
	if _, ok := (Hours{Loc: loc}).LatestPast(time.Now(), time.Hour); ok {
		t.Error("hours never open: something past")
	}
}
