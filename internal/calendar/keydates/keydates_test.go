package keydates

import (
	"testing"
	"time"
)

func TestRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		got  func(int) time.Time
		year int
		want string
	}{
		{"easter 2024", Easter, 2024, "2024-03-31"},
		{"easter 2025", Easter, 2025, "2025-04-20"},
		{"easter 2026", Easter, 2026, "2026-04-05"},
		{"easter 2027", Easter, 2027, "2027-03-28"},
		{"easter 2038", Easter, 2038, "2038-04-25"},
		{"winter sales 2017", WinterSales, 2017, "2017-01-11"},
		{"winter sales 2025", WinterSales, 2025, "2025-01-08"},
		{"winter sales 2026 (second Wednesday the 14th: first)", WinterSales, 2026, "2026-01-07"},
		{"summer sales 2023", SummerSales, 2023, "2023-06-28"},
		{"summer sales 2026", SummerSales, 2026, "2026-06-24"},
		{"summer sales 2027 (last Wednesday the 30th: a week before)", SummerSales, 2027, "2027-06-23"},
		{"mothers day 2025", MothersDay, 2025, "2025-05-25"},
		{"mothers day 2026", MothersDay, 2026, "2026-05-31"},
		{"mothers day 2012 (Pentecost on 27 May)", MothersDay, 2012, "2012-06-03"},
		{"mothers day 2023 (Pentecost on 28 May)", MothersDay, 2023, "2023-06-04"},
		{"black friday 2025", BlackFriday, 2025, "2025-11-28"},
		{"black friday 2026", BlackFriday, 2026, "2026-11-27"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.got(c.year).Format(time.DateOnly); got != c.want {
				t.Errorf("%s = %s, want %s", c.name, got, c.want)
			}
		})
	}
}

func TestYear(t *testing.T) {
	t.Parallel()
	cases := []struct {
		year int
		name string
		want string
	}{
		{2026, "Easter Monday", "2026-04-06"},
		{2027, "Easter Monday", "2027-03-29"},
		{2026, "Ascension Day", "2026-05-14"},
		{2026, "Whit Monday", "2026-05-25"},
		{2025, "Whit Monday", "2025-06-09"},
		{2026, "Mother's Day (France)", "2026-05-31"},
		{2026, "Father's Day (France)", "2026-06-21"},
		{2025, "Father's Day (France)", "2025-06-15"},
		{2026, "Black Friday", "2026-11-27"},
		{2026, "Cyber Monday", "2026-11-30"},
		{2026, "Bastille Day", "2026-07-14"},
		{2026, "International Women's Day", "2026-03-08"},
		{2026, "Earth Day", "2026-04-22"},
		{2026, "Winter sales start", "2026-01-07"},
	}
	for _, c := range cases {
		t.Run(c.name+" "+c.want, func(t *testing.T) {
			var got []string
			for _, d := range Year(c.year) {
				if d.Name == c.name {
					got = append(got, d.Key())
				}
			}
			if len(got) != 1 || got[0] != c.want {
				t.Errorf("%d %s = %v, want [%s]", c.year, c.name, got, c.want)
			}
		})
	}
	// Eleven public holidays in metropolitan France (Code du travail L3133-1).
	n := 0
	for _, d := range Year(2026) {
		if d.Kind == Holiday {
			n++
		}
	}
	if n != 11 {
		t.Errorf("2026 has %d holidays, want 11", n)
	}
}

func TestBetween(t *testing.T) {
	t.Parallel()
	// A view across the new year, ending on New Year's Day (excluded) and
	// starting on Christmas Eve in the afternoon (the day included).
	got := Between(time.Date(2026, 12, 24, 15, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	var keys []string
	for _, d := range got {
		keys = append(keys, d.Key()+" "+d.Name)
	}
	want := []string{"2026-12-24 Christmas Eve", "2026-12-25 Christmas Day", "2026-12-31 New Year's Eve"}
	if len(keys) != len(want) {
		t.Fatalf("Between = %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Errorf("Between[%d] = %q, want %q", i, keys[i], want[i])
		}
	}
}
