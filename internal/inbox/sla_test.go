package inbox

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// The SLA from settings to report on both databases: which actions are a
// first response (pending/done, "responded"; not open, not a tag, not an
// automatic action), business time across a night in Paris, per-member and
// per-channel median and p90, late answers, what is still waiting past the
// target.
func TestSLAReportAndOverdue(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		paris, _ := time.LoadLocation("Europe/Paris")

		// Without settings: disabled, and nothing is overdue.
		c, err := f.s.SLA(ctx, f.reader, f.ws.ID)
		must(t, err)
		if c.Enabled || c.Timezone != "Europe/Paris" {
			t.Fatalf("default settings %+v", c)
		}
		set := DefaultSLASettings("")
		set.Enabled = true
		wantProblem(t, "an analyst sets the SLA", f.s.SetSLA(ctx, f.reader, f.ws.ID, set), "forbidden")
		bad := set
		bad.Days = [7]bool{}
		wantProblem(t, "no open day", f.s.SetSLA(ctx, f.owner, f.ws.ID, bad), "invalid_sla_days")
		bad = set
		bad.Open, bad.Close = 18*60, 9*60
		wantProblem(t, "reversed hours", f.s.SetSLA(ctx, f.owner, f.ws.ID, bad), "invalid_sla_hours")
		bad = set
		bad.Target = 0
		wantProblem(t, "no target", f.s.SetSLA(ctx, f.owner, f.ws.ID, bad), "invalid_sla_target")
		must(t, f.s.SetSLA(ctx, f.owner, f.ws.ID, set))
		c, err = f.s.SLA(ctx, f.reader, f.ws.ID)
		must(t, err)
		if !c.Enabled || c.Target != 2*time.Hour || c.Days != set.Days || c.Open != 9*60 || c.Close != 18*60 || !c.FrenchHolidays {
			t.Fatalf("stored settings %+v", c)
		}

		// Five comments on Tuesday 1 December 2026 from 10:01 to 10:05 Paris.
		_, err = f.s.Ingest(ctx, f.ch, comments(1, 5))
		must(t, err)
		ids := f.ids(t, "c1", "c2", "c3", "c4", "c5")
		pending, open, done := StatusPending, StatusOpen, StatusDone

		f.now = time.Date(2026, 12, 1, 10, 31, 0, 0, paris)
		must(t, f.s.Update(ctx, f.cm, f.ws.ID, ids[0:1], Change{Status: &pending})) // 30 min
		f.now = time.Date(2026, 12, 1, 10, 40, 0, 0, paris)
		must(t, f.s.Update(ctx, f.owner, f.ws.ID, ids[1:2], Change{Status: &open, AddTags: []string{"vip"}}))
		must(t, f.s.Update(ctx, f.owner, f.ws.ID, ids[4:5], Change{AddTags: []string{"later"}}))
		// An automatic action is never a member's response.
		must(t, st.AddInboxAction(ctx, store.AddInboxActionParams{WorkspaceID: f.ws.ID, ItemID: ids[4], Action: "status", Detail: "done", Result: ResultOK, CreatedAt: f.now}))

		// At 11:00 nothing has waited 2 business hours.
		f.now = time.Date(2026, 12, 1, 11, 0, 0, 0, paris)
		o, err := f.s.Overdue(ctx, f.reader, f.ws.ID)
		must(t, err)
		if !o.Enabled || len(o.IDs) != 0 {
			t.Fatalf("overdue at 11:00: %+v", o)
		}

		// Wednesday 9:30: c2 and c3 are answered after a night (7h58 + 30 min).
		f.now = time.Date(2026, 12, 2, 9, 30, 0, 0, paris)
		must(t, f.s.MarkResponded(ctx, f.owner, ids[1]))                         // 8h28
		must(t, f.s.Update(ctx, f.cm, f.ws.ID, ids[2:3], Change{Status: &done})) // 8h27
		o, err = f.s.Overdue(ctx, f.reader, f.ws.ID)
		must(t, err)
		if want := []int64{ids[4], ids[3]}; !slices.Equal(o.IDs, want) || !o.Has(ids[3]) || o.Has(ids[1]) {
			t.Errorf("overdue on Wednesday: %v, want %v", o.IDs, want)
		}

		// A later mark or status change is not the first response.
		f.now = time.Date(2026, 12, 2, 11, 0, 0, 0, paris)
		must(t, f.s.MarkResponded(ctx, f.owner, ids[1]))
		must(t, f.s.Update(ctx, f.owner, f.ws.ID, ids[0:1], Change{Status: &done}))

		day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		rep, err := f.s.ResponseReport(ctx, f.reader, f.ws.ID, day, day)
		must(t, err)
		if rep.Days != 1 || rep.Unanswered != 2 || !rep.Since.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, paris)) {
			t.Errorf("report days %d unanswered %d since %v", rep.Days, rep.Unanswered, rep.Since)
		}
		m := func(h, min int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(min)*time.Minute }
		wantMembers := []ReportRow{
			{ID: f.cm.ID, Name: "cm", Handled: 2, PerDay: 2, Median: m(0, 30), P90: m(8, 27), Late: 1},
			{ID: f.owner.ID, Name: "owner", Handled: 1, PerDay: 1, Median: m(8, 28), P90: m(8, 28), Late: 1},
		}
		if !slices.Equal(rep.Members, wantMembers) {
			t.Errorf("members\n got %+v\nwant %+v", rep.Members, wantMembers)
		}
		wantChannels := []ReportRow{{ID: f.ch.ID, Name: "fake channel", Handled: 3, PerDay: 3, Median: m(8, 27), P90: m(8, 28), Late: 2}}
		if !slices.Equal(rep.Channels, wantChannels) {
			t.Errorf("channels\n got %+v\nwant %+v", rep.Channels, wantChannels)
		}
		if rep.Total.Handled != 3 || rep.Total.Late != 2 || rep.Total.Median != m(8, 27) {
			t.Errorf("total %+v", rep.Total)
		}
		// The next day holds none of these items.
		rep, err = f.s.ResponseReport(ctx, f.reader, f.ws.ID, day.AddDate(0, 0, 1), day.AddDate(0, 0, 1))
		must(t, err)
		if rep.Total.Handled != 0 || rep.Unanswered != 0 {
			t.Errorf("next day: %+v", rep)
		}
		_, err = f.s.ResponseReport(ctx, f.reader, f.ws.ID, day, day.AddDate(1, 1, 0))
		wantProblem(t, "a 13-month report", err, "invalid_range")
		_, err = f.s.ResponseReport(ctx, f.reader, f.ws.ID, day, day.AddDate(0, 0, -1))
		wantProblem(t, "a reversed range", err, "invalid_range")

		// Switched off: nothing is late any more.
		must(t, f.s.SetSLA(ctx, f.owner, f.ws.ID, SLASettings{}))
		o, err = f.s.Overdue(ctx, f.reader, f.ws.ID)
		must(t, err)
		if o.Enabled || len(o.IDs) != 0 {
			t.Errorf("overdue with the SLA off: %+v", o)
		}
	})
}
