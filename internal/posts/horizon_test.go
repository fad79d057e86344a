package posts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/bulk"
	"github.com/tribune-social/tribune/internal/calendar"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/schedule"
)

// A new workspace schedules up to two years ahead, not three.
func TestDefaultHorizonIsTwoYears(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	if _, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("in 700 days", future(700)), posts.DoSchedule); err != nil {
		t.Errorf("700 days ahead: %v, want scheduled", err)
	}
	_, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("in three years", future(3*365)), posts.DoSchedule)
	if code(err) != "beyond_horizon" {
		t.Errorf("three years ahead: %v, want beyond_horizon", err)
	}
}

// Every route that gives a post a time refuses one beyond the workspace's
// horizon with the same clear 422, in English and French.
func TestEveryRouteRefusesBeyondTheHorizon(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		name string
		// try gives a post a time 10 days ahead through one route, with
		// the workspace's horizon at 5 days (set before try runs).
		try func(t *testing.T, f fx) error
	}{
		{"composer schedule", func(t *testing.T, f fx) error {
			_, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("x", future(10)), posts.DoSchedule)
			return err
		}},
		{"composer submit for approval", func(t *testing.T, f fx) error {
			c := f.env.Member(t, f.owner, f.ws.ID, "c@example.test", auth.Contributor)
			_, err := f.svc.Save(ctx, c, f.ws.ID, 0, f.in("x", future(10)), posts.Submit)
			return err
		}},
		{"queue", func(t *testing.T, f fx) error {
			// One weekly slot whose next occurrence is six days ahead
			// (between 5.5 and 6.5 days from now): past a 5-day horizon.
			// Not seven: that is today's weekday, whose slot is still
			// ahead today when the test runs before noon.
			loc, _ := schedule.Location(f.ws.Timezone)
			day := time.Now().In(loc).AddDate(0, 0, 6).Weekday()
			if err := f.env.App.Channels.SetQueue(ctx, f.owner, f.ch.ID, []schedule.Slot{{Weekday: day, Minute: 12 * 60}}); err != nil {
				t.Fatal(err)
			}
			_, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("x", ""), posts.AddToQueue)
			return err
		}},
		{"calendar move", func(t *testing.T, f fx) error {
			v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("x", future(2)), posts.DoSchedule)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.Move(ctx, f.owner, v.Post.ID, future(10))
			return err
		}},
		{"approval", func(t *testing.T, f fx) error {
			c := f.env.Member(t, f.owner, f.ws.ID, "c@example.test", auth.Contributor)
			// Submitted while the horizon was wide; approved after it shrank.
			if _, err := f.svc.SetScheduleHorizon(ctx, f.owner, f.ws.ID, posts.DefaultHorizonDays); err != nil {
				t.Fatal(err)
			}
			v, err := f.svc.Save(ctx, c, f.ws.ID, 0, f.in("x", future(10)), posts.Submit)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SetScheduleHorizon(ctx, f.owner, f.ws.ID, 5); err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.Approve(ctx, f.owner, v.Post.ID, 0, "")
			return err
		}},
		{"CSV import", func(t *testing.T, f fx) error {
			csv := "scheduled_at,channel,text\n" + strings.Replace(future(10), "T", " ", 1) + "," + f.ch.Name + ",x\n"
			rep, err := f.env.App.Importer.Import(ctx, f.owner, f.ws.ID, strings.NewReader(csv), calendar.ImportOptions{Format: bulk.Tribune})
			if err != nil {
				return err
			}
			if rep.Imported != 0 || len(rep.Errors) != 1 {
				t.Fatalf("import report %+v, want one row refused", rep)
			}
			e := rep.Errors[0]
			return problem.New(422, e.Code, e.Message).Format(e.Args...)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			if _, err := f.svc.SetScheduleHorizon(ctx, f.owner, f.ws.ID, 5); err != nil {
				t.Fatal(err)
			}
			err := c.try(t, f)
			var pe *problem.Error
			if !errors.As(err, &pe) || pe.Code != "beyond_horizon" || pe.Status != 422 {
				t.Fatalf("got %v, want a 422 beyond_horizon", err)
			}
			msgs := pe.Localized("en") + pe.Localized("fr")
			for _, d := range pe.Details {
				msgs += d.Localized("en") + d.Localized("fr")
			}
			if !strings.Contains(msgs, "5 days") || !strings.Contains(msgs, "5 jours") {
				t.Errorf("the answer does not name the limit in both languages: %+v", pe)
			}
		})
	}
}

// The horizon is a setting a manager changes within bounds; others cannot.
func TestScheduleHorizonSetting(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	for _, days := range []int64{0, -1, posts.MaxHorizonDays + 1} {
		if _, err := f.svc.SetScheduleHorizon(ctx, f.owner, f.ws.ID, days); code(err) != "invalid" {
			t.Errorf("horizon %d days: %v, want invalid", days, err)
		}
	}
	cm := f.env.Member(t, f.owner, f.ws.ID, "cm@example.test", auth.CommunityMgr)
	if _, err := f.svc.SetScheduleHorizon(ctx, cm, f.ws.ID, 30); code(err) != "forbidden" {
		t.Errorf("community manager sets the horizon: %v, want forbidden", err)
	}
	ws, err := f.svc.SetScheduleHorizon(ctx, f.owner, f.ws.ID, 30)
	if err != nil || ws.ScheduleHorizonDays != 30 {
		t.Fatalf("owner sets 30 days: %v %d", err, ws.ScheduleHorizonDays)
	}
	if _, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("x", future(29)), posts.DoSchedule); err != nil {
		t.Errorf("29 days ahead with a 30-day horizon: %v", err)
	}
}

// The zone "Local" (the server's own, which time.LoadLocation accepts) is
// refused like any name that is not IANA's.
func TestLocalTimeZoneIsRefused(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.in("x", future(2))
	in.Timezone = "Local"
	if _, err := f.svc.Save(context.Background(), f.owner, f.ws.ID, 0, in, posts.DoSchedule); code(err) != "bad_timezone" {
		t.Errorf(`scheduling in "Local": %v, want bad_timezone`, err)
	}
}
