// Package schedule turns the wall-clock times people pick into instants and
// back, and finds free queue slots. People schedule "Tuesday 09:00 in Paris",
// not an offset: a post planned before a daylight-saving change must still go
// out at 09:00 on the day, so Tribune stores the wall time and the zone beside
// the resolved instant.
package schedule

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/problem"
)

// LocalLayout is how wall-clock times travel in forms, the API and CSV files.
const LocalLayout = "2006-01-02T15:04"

// Slot is one weekly queue time: a weekday and a minute of the day, in the
// workspace's time zone.
type Slot struct {
	Weekday time.Weekday `json:"weekday"`
	Minute  int          `json:"minute"`
}

// Problems of schedule input.
var (
	ErrBadTime = problem.New(http.StatusUnprocessableEntity, "bad_time", "Write the date and time as YYYY-MM-DD HH:MM.")
	ErrBadZone = problem.New(http.StatusUnprocessableEntity, "bad_timezone", "Unknown time zone.")
)

// Location loads an IANA zone; the empty name is UTC. "Local", which
// time.LoadLocation accepts as the server's own zone, is refused: it is no
// IANA name, and a schedule in it would move with the host's settings.
func Location(tz string) (*time.Location, error) {
	if tz == "" {
		return time.UTC, nil
	}
	if tz == "Local" {
		return nil, ErrBadZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, ErrBadZone.Wrap(err)
	}
	return loc, nil
}

// CheckZone validates a zone a person chose for a workspace or themself: a
// non-empty IANA name ("Europe/Paris", "UTC"). time.LoadLocation also takes
// "" (UTC) and "Local" (the server's zone); neither names a place.
func CheckZone(tz string) error {
	if tz == "" {
		return ErrBadZone
	}
	_, err := Location(tz)
	return err
}

// ParseLocal reads a wall-clock time in LocalLayout; it also accepts a space
// instead of the T and trailing seconds, as people type them.
func ParseLocal(local string) (year int, month time.Month, day, hour, minute int, err error) {
	s := strings.TrimSpace(strings.Replace(local, " ", "T", 1))
	if len(s) == len("2006-01-02T15:04:05") {
		s = s[:len(LocalLayout)]
	}
	t, perr := time.Parse(LocalLayout, s)
	if perr != nil {
		return 0, 0, 0, 0, 0, ErrBadTime.Wrap(perr)
	}
	return t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), nil
}

// Resolve returns the instant a wall-clock time names in the zone tz.
//
// A time that does not exist (skipped when clocks go forward) moves forward by
// the length of the gap, as a person whose clock jumped would read it: 02:30
// on the spring-forward night in Paris is 03:30. A time that happens twice
// (clocks go back) is its first occurrence, so the post is not late.
func Resolve(local, tz string) (time.Time, error) {
	y, mo, d, h, mi, err := ParseLocal(local)
	if err != nil {
		return time.Time{}, err
	}
	loc, err := Location(tz)
	if err != nil {
		return time.Time{}, err
	}
	return At(loc, y, mo, d, h, mi), nil
}

// At resolves a wall-clock time in loc with the rules of Resolve.
func At(loc *time.Location, y int, mo time.Month, d, h, mi int) time.Time {
	// Try the wall time with each offset in effect around it; the earliest
	// instant that reads back as the same wall time is the first occurrence.
	wall := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	var best time.Time
	for _, probe := range []time.Duration{-26 * time.Hour, -13 * time.Hour, 0, 13 * time.Hour, 26 * time.Hour} {
		_, off := wall.Add(probe).In(loc).Zone()
		cand := wall.Add(-time.Duration(off) * time.Second)
		back := cand.In(loc)
		if back.Year() == y && back.Month() == mo && back.Day() == d && back.Hour() == h && back.Minute() == mi {
			if best.IsZero() || cand.Before(best) {
				best = cand
			}
		}
	}
	if !best.IsZero() {
		return best.UTC()
	}
	// In a gap: use the offset before the change, which lands after the gap
	// by the gap's length (02:30 → 03:30).
	_, before := wall.Add(-26 * time.Hour).In(loc).Zone()
	return wall.Add(-time.Duration(before) * time.Second).UTC()
}

// Wall formats an instant as wall-clock time in tz.
func Wall(t time.Time, tz string) (string, error) {
	loc, err := Location(tz)
	if err != nil {
		return "", err
	}
	return t.In(loc).Format(LocalLayout), nil
}

// NextFree returns the first slot strictly after now, in the zone tz, whose
// instant is not already taken (to the minute), looking eight weeks ahead.
func NextFree(slots []Slot, tz string, now time.Time, taken []time.Time) (time.Time, bool) {
	if len(slots) == 0 {
		return time.Time{}, false
	}
	loc, err := Location(tz)
	if err != nil {
		return time.Time{}, false
	}
	busy := make(map[int64]bool, len(taken))
	for _, t := range taken {
		busy[t.Unix()/60] = true
	}
	sorted := append([]Slot(nil), slots...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Minute < sorted[j].Minute })
	start := now.In(loc)
	for day := 0; day < 8*7+1; day++ {
		date := time.Date(start.Year(), start.Month(), start.Day()+day, 12, 0, 0, 0, time.UTC)
		for _, s := range sorted {
			if s.Weekday != date.Weekday() {
				continue
			}
			t := At(loc, date.Year(), date.Month(), date.Day(), s.Minute/60, s.Minute%60)
			if t.After(now) && !busy[t.Unix()/60] {
				return t, true
			}
		}
	}
	return time.Time{}, false
}
