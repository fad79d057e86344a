package calendar_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/bulk"
	"github.com/tribune-social/tribune/internal/calendar"
)

// Importing the same file twice creates nothing the second time: every row
// is reported as a duplicate of what the first import stored, in a dry run
// too; asked to, the import creates them anyway. Rows that repeat an
// earlier row of the same file are reported the same way.
func TestImportSetsDuplicatesAside(t *testing.T) {
	t.Parallel()
	for _, dialect := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		t.Run(dialect.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := apptest.Start(t, apptest.Options{Postgres: dialect.postgres})
			owner, ws := e.Owner(t)
			ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acct")
			if err != nil {
				t.Fatal(err)
			}
			day := time.Now().AddDate(0, 0, 3).Format("2006-01-02")
			file := "scheduled_at,channel,text\n"
			for i := range 3 {
				file += fmt.Sprintf("%s %02d:00,%s,post number %d\n", day, 9+i, ch.Name, i)
			}
			imp := func(opt calendar.ImportOptions) calendar.ImportReport {
				t.Helper()
				opt.Format = bulk.Tribune
				rep, err := e.App.Importer.Import(ctx, owner, ws.ID, strings.NewReader(file), opt)
				if err != nil {
					t.Fatal(err)
				}
				return rep
			}
			if rep := imp(calendar.ImportOptions{}); rep.Imported != 3 || len(rep.Duplicates) != 0 {
				t.Fatalf("first import: %+v, want 3 imported", rep)
			}
			dupLines := func(rep calendar.ImportReport) []int {
				var lines []int
				for _, d := range rep.Duplicates {
					if d.Code != "duplicate" || !strings.Contains(d.Localized("en"), "post #") || !strings.Contains(d.Localized("fr"), "publication n°") {
						t.Errorf("duplicate report %+v: want the post it repeats, in English and French", d)
					}
					lines = append(lines, d.Line)
				}
				return lines
			}
			rep := imp(calendar.ImportOptions{DryRun: true})
			if got := fmt.Sprint(dupLines(rep)); rep.Imported != 0 || rep.Valid != 0 || got != "[2 3 4]" {
				t.Errorf("dry run of the same file: %+v, duplicates on lines %s; want lines [2 3 4] reported", rep, got)
			}
			rep = imp(calendar.ImportOptions{})
			if got := fmt.Sprint(dupLines(rep)); rep.Imported != 0 || len(rep.Errors) != 0 || got != "[2 3 4]" {
				t.Errorf("second import: %+v, duplicates on lines %s; want nothing created, lines [2 3 4] reported", rep, got)
			}
			rep = imp(calendar.ImportOptions{ImportDuplicates: true})
			if rep.Imported != 3 || len(rep.Duplicates) != 0 {
				t.Errorf("import duplicates anyway: %+v, want 3 imported", rep)
			}
			page, _, err := e.App.Calendar.Range(ctx, owner, ws.ID, time.Now(), time.Now().AddDate(0, 0, 5), calendar.Filter{}, calendar.Cursor{})
			if err != nil || len(page.Entries) != 6 {
				t.Errorf("%d posts stored (%v), want 6", len(page.Entries), err)
			}

			// Within one file: the second row repeats the first an hour later.
			later := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
			file = "scheduled_at,channel,text\n" +
				later + " 09:00," + ch.Name + ",Same  TEXT\n" +
				later + " 10:00," + ch.Name + ",same text\n" +
				later + " 11:00," + ch.Name + ",other text\n"
			rep = imp(calendar.ImportOptions{})
			if rep.Imported != 2 || len(rep.Duplicates) != 1 || rep.Duplicates[0].Line != 3 || !strings.Contains(rep.Duplicates[0].Localized("en"), "line 2") {
				t.Errorf("a file repeating its own row: %+v, want line 3 reported as a repeat of line 2 and 2 imported", rep)
			}
		})
	}
}
