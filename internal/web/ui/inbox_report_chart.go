package ui

import (
	"fmt"
	"time"

	"github.com/tribune-social/tribune/internal/inbox"
)

// The response-time report's charts: inline SVG, no script and no
// vendored library; the tables stay below them as the accessible form of
// the same figures (each chart is an img with a title and points to its
// table).

// chartBar is one row of a bar chart: a name and up to two values drawn
// as bars (the median and the 90th percentile, or one value per day).
type chartBar struct {
	Name        string
	A, B        float64
	LabelA      string
	LabelB      string
	WidthA      float64
	WidthB      float64
	Y           int
	NameY, BarY int
}

// Chart geometry, in SVG user units.
const (
	chartWidth   = 640
	chartNameW   = 160 // the names' column
	chartBarMax  = chartWidth - chartNameW - 90
	chartRowH    = 34
	chartBarH    = 11
	chartPadding = 8
)

// timeBars lays out median and p90 bars of rows, scaled to the longest p90.
func timeBars(rows []inbox.ReportRow) ([]chartBar, int) {
	var max time.Duration
	for _, r := range rows {
		if r.Handled > 0 && r.P90 > max {
			max = r.P90
		}
	}
	var out []chartBar
	for _, r := range rows {
		if r.Handled == 0 {
			continue
		}
		b := chartBar{Name: r.Name, A: r.Median.Minutes(), B: r.P90.Minutes(),
			LabelA: businessDuration(r.Median, r.Handled), LabelB: businessDuration(r.P90, r.Handled)}
		if max > 0 {
			b.WidthA = chartBarMax * float64(r.Median) / float64(max)
			b.WidthB = chartBarMax * float64(r.P90) / float64(max)
		}
		out = append(out, b)
	}
	return place(out)
}

// perDayBars lays out the items answered per day of rows.
func perDayBars(rows []inbox.ReportRow) ([]chartBar, int) {
	max := 0.0
	for _, r := range rows {
		max = maxf(max, r.PerDay)
	}
	var out []chartBar
	for _, r := range rows {
		b := chartBar{Name: r.Name, A: r.PerDay, LabelA: fmt.Sprintf("%.1f", r.PerDay)}
		if max > 0 {
			b.WidthA = chartBarMax * r.PerDay / max
		}
		out = append(out, b)
	}
	return place(out)
}

// place gives each bar its row and returns the chart's height.
func place(bars []chartBar) ([]chartBar, int) {
	for i := range bars {
		y := chartPadding + i*chartRowH
		bars[i].Y, bars[i].NameY, bars[i].BarY = y, y+chartRowH/2+4, y+4
		// A bar of a few seconds still shows.
		if bars[i].A > 0 && bars[i].WidthA < 2 {
			bars[i].WidthA = 2
		}
		if bars[i].B > 0 && bars[i].WidthB < 2 {
			bars[i].WidthB = 2
		}
	}
	return bars, 2*chartPadding + len(bars)*chartRowH
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}
