package inbox

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/tribune-social/tribune/internal/bulk"
)

// ReportCSVHeader are the columns of the report's CSV export. Durations are
// business minutes, so a spreadsheet can sum and chart them.
var ReportCSVHeader = []string{"scope", "id", "name", "handled", "handled_per_day", "median_minutes", "p90_minutes", "late", "from", "to"}

// WriteReportCSV writes the report as CSV: one row per member, per channel
// and the total. Names come from members and channels, so every text cell
// goes through bulk.Neutralise: a member called "=HYPERLINK(…)" stays text.
func WriteReportCSV(w io.Writer, rep Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ReportCSVHeader); err != nil {
		return err
	}
	from := rep.Since.Format(time.DateOnly)
	to := rep.Until.AddDate(0, 0, -1).Format(time.DateOnly)
	minutes := func(d time.Duration) string { return strconv.FormatFloat(d.Minutes(), 'f', 1, 64) }
	row := func(scope string, r ReportRow) error {
		id := ""
		if r.ID != 0 {
			id = strconv.FormatInt(r.ID, 10)
		}
		return cw.Write([]string{scope, id, bulk.Neutralise(r.Name), strconv.Itoa(r.Handled), fmt.Sprintf("%.2f", r.PerDay),
			minutes(r.Median), minutes(r.P90), strconv.Itoa(r.Late), from, to})
	}
	for _, r := range rep.Members {
		if err := row("member", r); err != nil {
			return err
		}
	}
	for _, r := range rep.Channels {
		if err := row("channel", r); err != nil {
			return err
		}
	}
	if err := row("total", rep.Total); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
