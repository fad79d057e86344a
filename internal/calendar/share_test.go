package calendar_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/calendar"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/secret"
)

func sharedTitles(c calendar.SharedCalendar) []string {
	var out []string
	for _, d := range c.Days {
		for _, p := range d.Posts {
			out = append(out, p.Title+" by "+p.Author)
		}
	}
	return out
}

// A share link is kept hashed, shows scheduled posts but not drafts unless
// asked, dies when rotated or revoked, and is made only by members who
// manage the workspace.
func TestShareLink(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := apptest.Start(t, apptest.Options{Postgres: dialect == "postgres"})
			owner, ws := e.Owner(t)
			ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acct")
			if err != nil {
				t.Fatal(err)
			}
			when := time.Now().AddDate(0, 0, 3).Format("2006-01-02") + "T10:00"
			for _, c := range []struct {
				text   string
				action posts.Action
			}{{"launch day", posts.DoSchedule}, {"secret draft", posts.SaveDraft}} {
				in := posts.Input{ScheduledLocal: when, Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: c.text}}}
				if _, err := e.App.Posts.Save(ctx, owner, ws.ID, 0, in, c.action); err != nil {
					t.Fatal(err)
				}
			}
			manager := e.Member(t, owner, ws.ID, "smm@example.test", auth.SocialMediaMgr) // manages channels, not the workspace
			if _, err := e.App.Calendar.RotateShare(ctx, manager, ws.ID, false); problem.As(err).Status != 403 {
				t.Errorf("a member who does not manage the workspace makes a link: %v", err)
			}
			link, err := e.App.Calendar.RotateShare(ctx, owner, ws.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			tok := link[strings.LastIndex(link, calendar.SharePath)+len(calendar.SharePath):]
			row, err := e.Store.GetCalendarShare(ctx, ws.ID)
			if err != nil || row.TokenHash != secret.HashToken(tok) || strings.Contains(row.TokenHash, tok) {
				t.Fatalf("stored %+v %v: want only the token's hash", row, err)
			}
			got, err := e.App.Calendar.Shared(ctx, tok, 0)
			if err != nil {
				t.Fatal(err)
			}
			if titles := sharedTitles(got); len(titles) != 1 || titles[0] != "launch day by Owner" {
				t.Errorf("shared posts %v, want only the scheduled one with its author", titles)
			}
			if st, _ := e.App.Calendar.Share(ctx, manager, ws.ID); !st.Active || st.ShowDrafts {
				t.Errorf("state %+v", st)
			}
			// Rotating (now with drafts) kills the old link.
			link2, err := e.App.Calendar.RotateShare(ctx, owner, ws.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.App.Calendar.Shared(ctx, tok, 0); !errors.Is(err, problem.NotFound) {
				t.Errorf("old link after rotation: %v, want not found", err)
			}
			tok2 := link2[strings.LastIndex(link2, "/")+1:]
			got, err = e.App.Calendar.Shared(ctx, tok2, 0)
			if err != nil || len(sharedTitles(got)) != 2 {
				t.Errorf("link with drafts shows %v %v, want both posts", sharedTitles(got), err)
			}
			if err := e.App.Calendar.RevokeShare(ctx, manager, ws.ID); problem.As(err).Status != 403 {
				t.Errorf("revoke by a non-manager: %v", err)
			}
			if err := e.App.Calendar.RevokeShare(ctx, owner, ws.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.App.Calendar.Shared(ctx, tok2, 0); !errors.Is(err, problem.NotFound) {
				t.Errorf("revoked link: %v, want not found", err)
			}
			if _, err := e.App.Calendar.Shared(ctx, "", 0); !errors.Is(err, problem.NotFound) {
				t.Errorf("empty token: %v", err)
			}
		})
	}
}

// A shared calendar pages through spans of 97 days (a week back and three
// months ahead, then the spans before and after), each post on the one
// page holding its day, as far ahead as the workspace schedules and as far
// back; a page beyond is not found.
func TestSharedCalendarPages(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := apptest.Start(t, apptest.Options{Postgres: dialect == "postgres"})
			owner, ws := e.Owner(t)
			if _, err := e.App.Posts.SetScheduleHorizon(ctx, owner, ws.ID, 200); err != nil {
				t.Fatal(err)
			}
			ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acct")
			if err != nil {
				t.Fatal(err)
			}
			loc, err := time.LoadLocation(ws.Timezone)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().In(loc)
			today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
			// Days from today in the workspace's zone and the page each is on.
			days := []struct {
				in   int
				page int
			}{{3, 0}, {89, 0}, {90, 1}, {100, 1}, {187, 2}, {199, 2}}
			for _, d := range days {
				when := today.AddDate(0, 0, d.in).Format("2006-01-02") + "T10:00"
				in := posts.Input{ScheduledLocal: when, Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: fmt.Sprintf("day %d", d.in)}}}
				if _, err := e.App.Posts.Save(ctx, owner, ws.ID, 0, in, posts.DoSchedule); err != nil {
					t.Fatalf("day %d: %v", d.in, err)
				}
			}
			link, err := e.App.Calendar.RotateShare(ctx, owner, ws.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			tok := link[strings.LastIndex(link, "/")+1:]
			// Horizon 200 days: pages from -2 (days -201 to -105) to 2 (days 187 to 283).
			for page := -2; page <= 2; page++ {
				got, err := e.App.Calendar.Shared(ctx, tok, page)
				if err != nil {
					t.Fatalf("page %d: %v", page, err)
				}
				var want []string
				for _, d := range days {
					if d.page == page {
						want = append(want, fmt.Sprintf("day %d by Owner", d.in))
					}
				}
				if titles := sharedTitles(got); fmt.Sprint(titles) != fmt.Sprint(want) {
					t.Errorf("page %d shows %v, want %v", page, titles, want)
				}
				if from, to := today.AddDate(0, 0, page*97-7), today.AddDate(0, 0, page*97+89); !got.From.Equal(from) || !got.To.Equal(to) {
					t.Errorf("page %d spans %v to %v, want %v to %v", page, got.From, got.To, from, to)
				}
				if got.Page != page || got.HasPrev != (page > -2) || got.HasNext != (page < 2) {
					t.Errorf("page %d: page %d, previous %v, next %v", page, got.Page, got.HasPrev, got.HasNext)
				}
			}
			for _, page := range []int{-3, 3, 1 << 40} {
				if _, err := e.App.Calendar.Shared(ctx, tok, page); !errors.Is(err, calendar.ErrSharePage) {
					t.Errorf("page %d: %v, want %v", page, err, calendar.ErrSharePage)
				}
			}
		})
	}
}
