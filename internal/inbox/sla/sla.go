// Package sla is the arithmetic of the inbox's service-level target: a
// workspace's business hours (days of the week and opening hours in its time
// zone, French public holidays optionally closed), the business time between
// two instants, the instant a target runs out, and the percentiles of a set
// of response times. It is pure: no store, no clock.
package sla

import (
	"errors"
	"math"
	"slices"
	"time"

	"github.com/tribune-social/tribune/internal/calendar/keydates"
)

// Hours are a workspace's business hours.
type Hours struct {
	// Loc is the workspace's time zone: opening hours are wall-clock times
	// there, so a DST change moves them with the clocks.
	Loc *time.Location
	// Days are the open days, indexed by time.Weekday (0 Sunday).
	Days [7]bool
	// Open and Close are minutes after local midnight, Open < Close.
	Open, Close int
	// FrenchHolidays closes the French public holidays (keydates).
	FrenchHolidays bool
}

// Errors of Validate.
var (
	ErrNoDay   = errors.New("business hours need at least one open day")
	ErrHours   = errors.New("opening time must be before closing time")
	ErrNoZone  = errors.New("business hours need a time zone")
	ErrTarget  = errors.New("the target must be between 1 minute and 30 days")
	errNoHours = errors.New("no business hours within a year")
)

// Validate reports what makes h unusable.
func (h Hours) Validate() error {
	if h.Loc == nil {
		return ErrNoZone
	}
	if !slices.Contains(h.Days[:], true) {
		return ErrNoDay
	}
	if h.Open < 0 || h.Close > 24*60 || h.Open >= h.Close {
		return ErrHours
	}
	return nil
}

// openOn is the business interval of the local calendar day (y, m, d), if
// that day is open. Wall-clock times are resolved in Loc by time.Date: on a
// DST day the interval is as long as the clocks say (an hour shorter or
// longer when the change falls inside opening hours).
func (h Hours) openOn(y int, m time.Month, d int, hol holidays) (time.Time, time.Time, bool) {
	day := time.Date(y, m, d, 12, 0, 0, 0, h.Loc)
	y, m, d = day.Date() // d may run past the month's end
	if !h.Days[day.Weekday()] {
		return time.Time{}, time.Time{}, false
	}
	if h.FrenchHolidays && hol.has(y, m, d) {
		return time.Time{}, time.Time{}, false
	}
	start := time.Date(y, m, d, 0, h.Open, 0, 0, h.Loc)
	end := time.Date(y, m, d, 0, h.Close, 0, 0, h.Loc)
	return start, end, true
}

// holidays memoises the French public holidays by year for one walk over
// the days: computing a year's key dates for every day walked would cost
// more than the walk.
type holidays map[int]map[string]bool

func (hol holidays) has(y int, m time.Month, d int) bool {
	days, ok := hol[y]
	if !ok {
		days = make(map[string]bool)
		for _, k := range keydates.Year(y) {
			if k.Kind == keydates.Holiday {
				days[k.Key()] = true
			}
		}
		hol[y] = days
	}
	return days[time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)]
}

// Elapsed is the business time between from and to (0 when to is not after
// from): the sum, over the local days they span, of the part of each day's
// opening hours between them.
func (h Hours) Elapsed(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	var total time.Duration
	hol := holidays{}
	lf := from.In(h.Loc)
	y, m, d := lf.Date()
	for {
		// Walking calendar days through time.Date(…, d+i, …) normalises
		// month and year ends, and never adds 24 h (a DST day is 23 or 25).
		start, end, open := h.openOn(y, m, d, hol)
		dayStart := time.Date(y, m, d, 0, 0, 0, 0, h.Loc)
		if !dayStart.Before(to) {
			break
		}
		if open {
			s, e := later(start, from), earlier(end, to)
			if e.After(s) {
				total += e.Sub(s)
			}
		}
		d++
	}
	return total
}

// Deadline is the instant from + target business time: when an item that
// arrived at from runs past the target.
func (h Hours) Deadline(from time.Time, target time.Duration) (time.Time, error) {
	lf := from.In(h.Loc)
	y, m, d := lf.Date()
	left := target
	hol := holidays{}
	for i := 0; i < 366+31; i++ {
		start, end, open := h.openOn(y, m, d+i, hol)
		if !open {
			continue
		}
		s := later(start, from)
		if end.After(s) {
			if span := end.Sub(s); span >= left {
				return s.Add(left), nil
			} else {
				left -= span
			}
		}
	}
	return time.Time{}, errNoHours
}

// LatestPast is the latest arrival whose deadline (Deadline) has passed
// at now: every item that arrived at or before it is past the target, and
// none after it, since a later arrival never has an earlier deadline. The
// database then counts and lists them by arrival alone. ok is false when
// nothing of the last ten years is past (hours that never open).
func (h Hours) LatestPast(now time.Time, target time.Duration) (cutoff time.Time, ok bool) {
	past := func(t time.Time) bool {
		d, err := h.Deadline(t, target)
		return err == nil && now.After(d)
	}
	lo, hi := now.AddDate(-10, 0, 0), now
	if !past(lo) {
		return time.Time{}, false
	}
	// past(lo) holds and past(hi) does not (a target is positive): halve
	// the gap down to the nanosecond, about 60 steps.
	for hi.Sub(lo) > 1 {
		mid := lo.Add(hi.Sub(lo) / 2)
		if past(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, true
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Percentile is the p-th percentile (0 < p ≤ 100) of ds by the nearest-rank
// method: the smallest value such that at least p % of the values are at or
// below it — always one of the measured times, never an interpolation. It is
// 0 for an empty set; ds is not modified.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}

// Median is the 50th percentile by nearest rank (the lower middle of an
// even set).
func Median(ds []time.Duration) time.Duration { return Percentile(ds, 50) }
