package schedule

import (
	"testing"
	"time"
)

func TestResolveAcrossDaylightSaving(t *testing.T) {
	for _, c := range []struct {
		tz, local, want string
	}{
		// Paris: clocks go forward 2026-03-29 02:00 → 03:00, back 2026-10-25 03:00 → 02:00.
		{"Europe/Paris", "2026-03-28T09:00", "2026-03-28T08:00:00Z"},
		{"Europe/Paris", "2026-03-29T09:00", "2026-03-29T07:00:00Z"},
		{"Europe/Paris", "2026-03-29T02:30", "2026-03-29T01:30:00Z"}, // does not exist: 03:30 CEST
		{"Europe/Paris", "2026-10-24T09:00", "2026-10-24T07:00:00Z"},
		{"Europe/Paris", "2026-10-25T09:00", "2026-10-25T08:00:00Z"},
		{"Europe/Paris", "2026-10-25T02:30", "2026-10-25T00:30:00Z"}, // twice: the first
		// New York: forward 2026-03-08 02:00, back 2026-11-01 02:00.
		{"America/New_York", "2026-03-07T09:00", "2026-03-07T14:00:00Z"},
		{"America/New_York", "2026-03-08T09:00", "2026-03-08T13:00:00Z"},
		{"America/New_York", "2026-03-08T02:30", "2026-03-08T07:30:00Z"},
		{"America/New_York", "2026-10-31T09:00", "2026-10-31T13:00:00Z"},
		{"America/New_York", "2026-11-01T09:00", "2026-11-01T14:00:00Z"},
		{"America/New_York", "2026-11-01T01:30", "2026-11-01T05:30:00Z"},
		{"", "2026-11-01 01:30", "2026-11-01T01:30:00Z"},
	} {
		got, err := Resolve(c.local, c.tz)
		if err != nil {
			t.Fatalf("%s %s: %v", c.tz, c.local, err)
		}
		if got.Format(time.RFC3339) != c.want {
			t.Errorf("Resolve(%s, %s) = %s, want %s", c.local, c.tz, got.Format(time.RFC3339), c.want)
		}
	}
}

func TestResolveRefusesNonsense(t *testing.T) {
	if _, err := Resolve("tomorrow", "Europe/Paris"); err == nil {
		t.Error("bad time accepted")
	}
	if _, err := Resolve("2026-01-01T09:00", "Mars/Olympus"); err == nil {
		t.Error("bad zone accepted")
	}
}

func TestCheckZoneAcceptsOnlyIANANames(t *testing.T) {
	for _, c := range []struct {
		tz string
		ok bool
	}{
		{"Europe/Paris", true},
		{"UTC", true},
		{"America/New_York", true},
		{"Local", false}, // time.LoadLocation takes it: the server's own zone
		{"", false},      // time.LoadLocation takes it: UTC
		{"Mars/Olympus", false},
		{"../etc/passwd", false},
	} {
		t.Run(c.tz, func(t *testing.T) {
			if err := CheckZone(c.tz); (err == nil) != c.ok {
				t.Errorf("CheckZone(%q) = %v, want ok %v", c.tz, err, c.ok)
			}
		})
	}
	if _, err := Resolve("2026-01-01T09:00", "Local"); err == nil {
		t.Error(`Resolve in "Local" accepted`)
	}
}

func TestNextFreeSkipsTakenAndPastSlots(t *testing.T) {
	slots := []Slot{{Weekday: time.Monday, Minute: 9 * 60}, {Weekday: time.Monday, Minute: 18 * 60}, {Weekday: time.Wednesday, Minute: 12 * 60}}
	now, _ := Resolve("2026-11-23T10:00", "Europe/Paris") // a Monday
	taken, _ := Resolve("2026-11-23T18:00", "Europe/Paris")
	got, ok := NextFree(slots, "Europe/Paris", now, []time.Time{taken})
	if !ok {
		t.Fatal("no slot")
	}
	if w, _ := Wall(got, "Europe/Paris"); w != "2026-11-25T12:00" {
		t.Errorf("next free = %s, want Wednesday 12:00", w)
	}
	if _, ok := NextFree(nil, "Europe/Paris", now, nil); ok {
		t.Error("a slot without slots")
	}
}
