// Package keydates computes the key dates a social media calendar shows in
// the background: French public holidays (Easter-based ones computed), the
// start of the French sales, commercial days (fête des mères, Black Friday…)
// and international days. Every rule is in code, with its source beside it,
// so any year can be asked without a table to maintain.
package keydates

import (
	"sort"
	"time"
)

// Kind says what sort of key date a Date is (the calendar colours them apart).
type Kind string

// The kinds of key dates.
const (
	// Holiday is a French public holiday (jour férié).
	Holiday Kind = "holiday"
	// Commercial is a commercial day or period start (soldes, Black Friday…).
	Commercial Kind = "commercial"
	// International is an international observance (Women's Day, Earth Day…).
	International Kind = "international"
)

// Date is one key date: a calendar day (no time of day, no zone) and its
// English name; the interface translates Name through the catalogue.
type Date struct {
	Day  time.Time // midnight UTC of the day
	Name string
	Kind Kind
}

// Key is the day as YYYY-MM-DD.
func (d Date) Key() string { return d.Day.Format(time.DateOnly) }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Easter is Easter Sunday of the Gregorian calendar, by the anonymous
// Gregorian algorithm (Meeus/Jones/Butcher, "Astronomical Algorithms", ch. 8).
func Easter(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	dd := (h+l-7*m+114)%31 + 1
	return day(y, time.Month(month), dd)
}

// nthWeekday is the n-th (1-based) weekday wd of the month; n < 0 counts
// from the end (-1: the last).
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) time.Time {
	if n > 0 {
		first := day(y, m, 1)
		off := (int(wd) - int(first.Weekday()) + 7) % 7
		return first.AddDate(0, 0, off+7*(n-1))
	}
	last := day(y, m+1, 1).AddDate(0, 0, -1)
	off := (int(last.Weekday()) - int(wd) + 7) % 7
	return last.AddDate(0, 0, -off-7*(-n-1))
}

// WinterSales is the first day of the French winter sales: the second
// Wednesday of January, brought forward to the first Wednesday when the
// second falls after the 12th. Source: Code de commerce, art. D310-15-2
// (2008–2019), the rule kept by the arrêté of 27 March 2019 under
// art. L310-3 since 2020. Some départements (Moselle, Meuse, Vosges,
// Meurthe-et-Moselle) and overseas territories have their own dates.
func WinterSales(y int) time.Time {
	d := nthWeekday(y, time.January, time.Wednesday, 2)
	if d.Day() > 12 {
		d = d.AddDate(0, 0, -7)
	}
	return d
}

// SummerSales is the first day of the French summer sales: the last
// Wednesday of June, brought forward a week when it falls after the 28th
// (same sources as WinterSales).
func SummerSales(y int) time.Time {
	d := nthWeekday(y, time.June, time.Wednesday, -1)
	if d.Day() > 28 {
		d = d.AddDate(0, 0, -7)
	}
	return d
}

// MothersDay is the French fête des mères: the last Sunday of May, or the
// first Sunday of June when that Sunday is Pentecost. Source: Code de
// l'action sociale et des familles, art. D215-1 (loi du 24 mai 1950).
func MothersDay(y int) time.Time {
	d := nthWeekday(y, time.May, time.Sunday, -1)
	if d.Equal(Easter(y).AddDate(0, 0, 49)) {
		d = nthWeekday(y, time.June, time.Sunday, 1)
	}
	return d
}

// BlackFriday is the day after the United States' Thanksgiving (the fourth
// Thursday of November, 36 U.S.C. § 6103).
func BlackFriday(y int) time.Time {
	return nthWeekday(y, time.November, time.Thursday, 4).AddDate(0, 0, 1)
}

// Year returns the key dates of year y, by day then name.
func Year(y int) []Date {
	easter := Easter(y)
	ds := []Date{
		// French public holidays: Code du travail, art. L3133-1.
		{day(y, time.January, 1), "New Year's Day", Holiday},
		{easter.AddDate(0, 0, 1), "Easter Monday", Holiday},
		{day(y, time.May, 1), "Labour Day", Holiday},
		{day(y, time.May, 8), "Victory in Europe Day", Holiday},
		{easter.AddDate(0, 0, 39), "Ascension Day", Holiday},
		{easter.AddDate(0, 0, 50), "Whit Monday", Holiday},
		{day(y, time.July, 14), "Bastille Day", Holiday},
		{day(y, time.August, 15), "Assumption of Mary", Holiday},
		{day(y, time.November, 1), "All Saints' Day", Holiday},
		{day(y, time.November, 11), "Armistice Day", Holiday},
		{day(y, time.December, 25), "Christmas Day", Holiday},

		// Commercial days.
		{WinterSales(y), "Winter sales start", Commercial},
		{SummerSales(y), "Summer sales start", Commercial},
		{day(y, time.February, 14), "Valentine's Day", Commercial},
		{MothersDay(y), "Mother's Day (France)", Commercial},
		// Fête des pères: the third Sunday of June, a custom without a text.
		{nthWeekday(y, time.June, time.Sunday, 3), "Father's Day (France)", Commercial},
		{day(y, time.October, 31), "Halloween", Commercial},
		{BlackFriday(y), "Black Friday", Commercial},
		{BlackFriday(y).AddDate(0, 0, 3), "Cyber Monday", Commercial},
		{day(y, time.December, 24), "Christmas Eve", Commercial},
		{day(y, time.December, 31), "New Year's Eve", Commercial},

		// International days (United Nations observances).
		{day(y, time.March, 8), "International Women's Day", International},
		{day(y, time.April, 22), "Earth Day", International},
		{day(y, time.June, 21), "Fête de la musique", International},
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Day.Before(ds[j].Day) })
	return ds
}

// Between returns the key dates whose day is in [from, to) (days taken in
// UTC: callers pass the wall-clock bounds of the view).
func Between(from, to time.Time) []Date {
	var out []Date
	for y := from.Year(); y <= to.Year(); y++ {
		for _, d := range Year(y) {
			if !d.Day.Before(day(from.Year(), from.Month(), from.Day())) && d.Day.Before(to) {
				out = append(out, d)
			}
		}
	}
	return out
}
