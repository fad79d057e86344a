package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/posts"
)

// The calendar opens on one day (?view=timeGridDay) with that day's post
// at its time, and its "day list" button lists the same post.
func TestCalendarDayView(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1)
	at := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 10, 30, 0, 0, time.UTC)
	in := posts.Input{Variants: []posts.VariantInput{{ChannelID: s.chs[0].ID, Text: "day view post"}}, ScheduledLocal: at.Format("2006-01-02T15:04")}
	v, err := s.env.App.Posts.Save(context.Background(), s.owner, s.ws.ID, 0, in, posts.DoSchedule)
	if err != nil {
		t.Fatal(err)
	}
	ev := fmt.Sprintf(`[data-testid="event-%d"]`, v.Post.ID)
	err = chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/calendar?view=timeGridDay", s.ws.ID))),
		chromedp.WaitVisible(chromedp.CSS(`.fc-timeGridDay-view`)),
		chromedp.Click(chromedp.CSS(`.fc-next-button`)),
		chromedp.WaitVisible(chromedp.CSS(`.fc-timeGridDay-view `+ev)),
		chromedp.Click(chromedp.CSS(`.fc-listDay-button`)),
		chromedp.WaitVisible(chromedp.CSS(`.fc-listDay-view `+ev)),
	)
	if err != nil {
		shot(t, ctx, "day-view")
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.fc-listDay-view `+ev)))
	if err != nil {
		t.Fatal(err)
	}
	if want := "day view post"; !strings.Contains(title, want) || !strings.Contains(title, "10:30") {
		t.Errorf("day list shows %q, want the post %q at 10:30", title, want)
	}
}

// The month view shows the key dates behind the days (every month but
// September holds one; two steps forward always reach one).
func TestCalendarShowsKeyDates(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/calendar", s.ws.ID))),
		chromedp.WaitVisible(chromedp.CSS(`.fc-dayGridMonth-view`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 3; step++ {
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.fc-bg-event.kd')).map(e => e.getAttribute('data-testid') + ' ' + e.textContent.trim())`))
			if err != nil {
				t.Fatal(err)
			}
			if len(names) > 0 {
				for _, n := range names {
					if !strings.HasPrefix(n, "keydate-") || len(strings.TrimSpace(n[len("keydate-2026-01-01"):])) == 0 {
						t.Errorf("key date shown as %q, want keydate-<day> and its name", n)
					}
				}
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.fc-next-button`))); err != nil {
			t.Fatal(err)
		}
	}
	shot(t, ctx, "keydates")
	t.Fatal("no key date shown in three months")
}
