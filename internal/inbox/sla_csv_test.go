package inbox

import (
	"strings"
	"testing"
	"time"
)

func TestReportCSV(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	rep := Report{Since: time.Date(2026, 12, 1, 0, 0, 0, 0, paris), Until: time.Date(2026, 12, 3, 0, 0, 0, 0, paris), Days: 2,
		Members:  []ReportRow{{ID: 7, Name: "=HYPERLINK(\"http://evil.test\")", Handled: 3, PerDay: 1.5, Median: 90 * time.Second, P90: 2 * time.Hour, Late: 1}},
		Channels: []ReportRow{{ID: 3, Name: "@brand", Handled: 3, PerDay: 1.5, Median: 90 * time.Second, P90: 2 * time.Hour, Late: 1}},
		Total:    ReportRow{Handled: 3, PerDay: 1.5, Median: 90 * time.Second, P90: 2 * time.Hour, Late: 1}}
	var b strings.Builder
	if err := WriteReportCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	want := `scope,id,name,handled,handled_per_day,median_minutes,p90_minutes,late,from,to
member,7,"'=HYPERLINK(""http://evil.test"")",3,1.50,1.5,120.0,1,2026-12-01,2026-12-02
channel,3,'@brand,3,1.50,1.5,120.0,1,2026-12-01,2026-12-02
total,,,3,1.50,1.5,120.0,1,2026-12-01,2026-12-02
`
	if b.String() != want {
		t.Errorf("CSV\n%s\nwant\n%s", b.String(), want)
	}
}
