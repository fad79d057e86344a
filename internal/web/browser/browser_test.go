// Package browser tests the web UI in a real headless Chromium (Debian's
// chromium package), driven by chromedp.
package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

// browser starts Chromium, or skips when the browser suite is off; the
// test has 90 s in it.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, 90*time.Second)
}

// browserFor is browser with a test's own time budget (one that visits
// every page several times needs more).
func browserFor(t *testing.T, budget time.Duration) context.Context {
	t.Helper()
	exe := os.Getenv("TRIBUNE_TEST_CHROMIUM")
	if exe == "" {
		t.Skip("browser suite skipped: apt-get install chromium, then set TRIBUNE_TEST_CHROMIUM=/usr/bin/chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, budget)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("TRIBUNE_TEST_CHROMIUM is set but Chromium does not start: %v", err)
	}
	return ctx
}

type site struct {
	env   *apptest.Env
	owner store.User
	ws    store.Workspace
	chs   []store.Channel
}

func newSite(t *testing.T) site {
	t.Helper()
	env := apptest.Start(t, apptest.Options{Workers: true})
	owner, ws := env.Owner(t)
	s := site{env: env, owner: owner, ws: ws}
	for _, name := range []string{"alpha", "beta"} {
		ch, err := env.App.Channels.ConnectSandbox(context.Background(), owner, ws.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		s.chs = append(s.chs, ch)
	}
	return s
}

func (s site) url(path string) string { return s.env.Server.URL + path }

// signIn fills the sign-in form like a person.
func (s site) signIn() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(s.url("/login")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-email]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-email]`), "owner@example.test"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=calendar-page]`)),
	)
}

func shot(t *testing.T, ctx context.Context, name string) {
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(80)); err == nil {
		dir := os.Getenv("TRIBUNE_SCREENSHOTS")
		if dir != "" {
			_ = os.WriteFile(filepath.Join(dir, name+".jpg"), buf, 0o644)
		}
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url("/login")),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-email]`), "owner@example.test"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), "wrong password!"),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-error]`)),
	); err != nil {
		t.Fatalf("a wrong password did not show an error: %v", err)
	}
	if err := chromedp.Do(ctx, s.signIn()); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "Calendar") {
		t.Errorf("after sign-in the page title is %q, want the calendar", title)
	}
}

func TestComposeForTwoChannelsWithImageAndSchedule(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	img := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(img, pngBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	when := time.Now().AddDate(0, 0, 3)
	// datetime-local inputs take typed digits in the locale's order; set the value directly.
	local := when.Format("2006-01-02") + "T10:30"
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/media", s.ws.ID))),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=upload-file]`), []string{img}),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=upload-alt]`), "Notre nouvelle lampe"),
		chromedp.Click(chromedp.CSS(`[data-testid=upload-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid^=media-item-]`)),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/compose", s.ws.ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=channel-%d]`, s.chs[0].ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=channel-%d]`, s.chs[1].ID))),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=text]`), "Nouvelle collection : découvrez-la ce week-end !"),
		chromedp.Click(chromedp.CSS(`[data-testid^=media-]`)),
		chromedp.SetValue(chromedp.CSS(`[data-testid=scheduled-local]`), local),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid=counter-%d]`, s.chs[1].ID))),
		chromedp.Click(chromedp.CSS(`[data-testid=schedule]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=post]`)),
	)
	if err != nil {
		shot(t, ctx, "compose")
		t.Fatal(err)
	}
	list, err := s.env.Store.ListPostsByStatus(context.Background(), store.ListPostsByStatusParams{WorkspaceID: s.ws.ID, Status: string(posts.Scheduled), MaxRows: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("scheduled posts: %d, %v; want 1", len(list), err)
	}
	vs, _ := s.env.Store.ListVariantsByPost(context.Background(), list[0].ID)
	if len(vs) != 2 || vs[0].MediaIDs == "[]" || publish.VariantState(vs[0].State) != publish.VariantQueued {
		t.Errorf("variants %+v: want two queued variants with the image", vs)
	}
	if list[0].ScheduledLocal != local {
		t.Errorf("scheduled for %q, want %q", list[0].ScheduledLocal, local)
	}
}

func TestCounterTurnsRedPastTheLimit(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	counter := fmt.Sprintf(`[data-testid=counter-%d]`, s.chs[0].ID)
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/compose", s.ws.ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=channel-%d]`, s.chs[0].ID))),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=text]`), "short"),
		chromedp.WaitVisible(chromedp.CSS(counter)),
	)
	if err != nil {
		t.Fatal(err)
	}
	class, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(counter), "class"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(class.Value, "over") {
		t.Fatalf("counter is red for a short text: %q", class.Value)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`[data-testid=text]`), strings.Repeat("x", 510)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=text]`), "!"), // an input event, as typing makes
		chromedp.WaitVisible(chromedp.CSS(counter+".over")),
	)
	if err != nil {
		shot(t, ctx, "counter")
		t.Fatalf("the counter did not turn red past 500 characters: %v", err)
	}
}

func TestDragPostToNextDay(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	// A post on the 10th of next month at 09:00, dragged to the 11th.
	next := time.Now().AddDate(0, 1, 0)
	day := time.Date(next.Year(), next.Month(), 10, 9, 0, 0, 0, time.UTC)
	in := posts.Input{Variants: []posts.VariantInput{{ChannelID: s.chs[0].ID, Text: "drag me"}}, ScheduledLocal: day.Format("2006-01-02T15:04")}
	v, err := s.env.App.Posts.Save(context.Background(), s.owner, s.ws.ID, 0, in, posts.DoSchedule)
	if err != nil {
		t.Fatal(err)
	}
	target := day.AddDate(0, 0, 1).Format("2006-01-02")
	err = chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/calendar", s.ws.ID))),
		chromedp.WaitVisible(chromedp.CSS(`.fc`)),
		chromedp.Click(chromedp.CSS(`.fc-next-button`)),
		chromedp.WaitVisible(chromedp.CSS(`.fc-event:not(.fc-bg-event)`)),
	)
	if err != nil {
		shot(t, ctx, "drag-before")
		t.Fatal(err)
	}
	from, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('.fc-event:not(.fc-bg-event)').getBoundingClientRect(); return [r.x + r.width/2, r.y + r.height/2]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	to, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`(() => { const r = document.querySelector('td[data-date="%s"] .fc-daygrid-day-frame').getBoundingClientRect(); return [r.x + r.width/2, r.y + r.height/2]; })()`, target)))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, drag(from[0], from[1], to[0], to[1]))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, _ := s.env.Store.GetPost(context.Background(), v.Post.ID)
		if strings.HasPrefix(p.ScheduledLocal, target) {
			vs, _ := s.env.Store.ListVariantsByPost(context.Background(), p.ID)
			if posts.Status(p.Status) != posts.Scheduled || publish.VariantState(vs[0].State) != publish.VariantQueued || p.ScheduleRev < 2 {
				t.Errorf("after the drag: status %q, variant %q, rev %d; want re-queued", p.Status, vs[0].State, p.ScheduleRev)
			}
			if !strings.HasSuffix(p.ScheduledLocal, "09:00") {
				t.Errorf("after the drag: %q, want the same time the next day", p.ScheduledLocal)
			}
			break
		}
		if time.Now().After(deadline) {
			shot(t, ctx, "drag-after")
			t.Fatalf("post still at %q after dragging to %s", p.ScheduledLocal, target)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// drag presses the mouse at (x1,y1), moves in steps and releases at (x2,y2),
// as a person does (FullCalendar follows mouse events, not native drags).
func drag(x1, y1, x2, y2 float64) chromedp.Action[chromedp.Void] {
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, x1, y1, chromedp.ButtonLeft, chromedp.ClickCount(1))}
	for i := 1; i <= 20; i++ {
		x := x1 + (x2-x1)*float64(i)/20
		y := y1 + (y2-y1)*float64(i)/20
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x, y, chromedp.ButtonLeft), chromedp.Sleep(20*time.Millisecond))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x2, y2, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	return chromedp.Steps(steps...)
}

func TestApproveThroughReviewerLink(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	in := posts.Input{Variants: []posts.VariantInput{{ChannelID: s.chs[0].ID, Text: "for Claire"}}, ScheduledLocal: time.Now().AddDate(0, 0, 4).Format("2006-01-02") + "T11:00"}
	v, err := s.env.App.Posts.Save(context.Background(), s.owner, s.ws.ID, 0, in, posts.Submit)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/posts/%d", s.ws.ID, v.Post.ID))),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=reviewer-name]`), "Claire"),
		chromedp.Click(chromedp.CSS(`[data-testid=create-review-link]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	link, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=review-link] code`), chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	// The reviewer has no account: a fresh browser context, no cookies.
	rctx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	err = chromedp.Do(rctx,
		chromedp.Navigate(strings.TrimSpace(link)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=review]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=review-reason]`), "Parfait, merci"),
		chromedp.Click(chromedp.CSS(`[data-testid=review-approve]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=review-decision]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.env.Store.GetPost(context.Background(), v.Post.ID)
	if posts.Status(p.Status) != posts.Scheduled {
		t.Errorf("after the reviewer approved: %q, want scheduled", p.Status)
	}
}

func TestSwitchToFrench(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Click(chromedp.CSS(`[data-testid=lang-switch] button[value=fr], [data-testid=lang-switch] [value=fr]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=fr]`)),
	)
	if err != nil {
		shot(t, ctx, "french")
		t.Fatal(err)
	}
	nav, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`nav`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Calendrier", "Rédiger", "Canaux"} {
		if !strings.Contains(nav, want) {
			t.Errorf("navigation in French lacks %q: %q", want, nav)
		}
	}
	u, _ := s.env.Store.GetUser(context.Background(), s.owner.ID)
	if u.Locale != "fr" {
		t.Errorf("the choice was not kept on the account: locale %q", u.Locale)
	}
}

var pngBytes = []byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xff, 0xff, 0x3f, 0x00, 0x05, 0xfe, 0x02, 0xfe, 0xa7, 0x35, 0x81,
	0x84, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82}

// A month holding more posts than one answer carries says so, and a busy day
// shows four posts and a "+N more" link.
func TestBusyMonthSaysWhatItDoesNotShow(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	s.env.App.Calendar.PageSize = 6
	next := time.Now().AddDate(0, 1, 0)
	for h := 8; h < 15; h++ {
		day := time.Date(next.Year(), next.Month(), 10, h, 0, 0, 0, time.UTC)
		in := posts.Input{Variants: []posts.VariantInput{{ChannelID: s.chs[h%2].ID, Text: fmt.Sprintf("busy day, post at %d h", h)}}, ScheduledLocal: day.Format("2006-01-02T15:04")}
		if _, err := s.env.App.Posts.Save(context.Background(), s.owner, s.ws.ID, 0, in, posts.DoSchedule); err != nil {
			t.Fatal(err)
		}
	}
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/calendar", s.ws.ID))),
		chromedp.WaitVisible(chromedp.CSS(`.fc`)),
		chromedp.Click(chromedp.CSS(`.fc-next-button`)),
		chromedp.WaitVisible(chromedp.CSS(`.fc-event:not(.fc-bg-event)`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=calendar-truncated]`)),
		chromedp.WaitVisible(chromedp.CSS(`.fc-daygrid-more-link`)),
	)
	if err != nil {
		shot(t, ctx, "busy-month")
		t.Fatalf("the truncated month shows no notice or no +N more link: %v", err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.fc-daygrid-event-harness:not(.fc-daygrid-event-harness-abs)').length`))
	if err != nil {
		t.Fatal(err)
	}
	if shown > 4 {
		t.Errorf("%d posts shown in one day cell, want at most 4", shown)
	}
	// Back to a quiet month (two back: this month's six weeks may reach the
	// 10th of the next): the notice goes away.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.fc-prev-button`)), chromedp.Click(chromedp.CSS(`.fc-prev-button`)),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid=calendar-truncated]`))); err != nil {
		t.Errorf("the notice stays on a month that is not truncated: %v", err)
	}
}

// Every choice of the Sandbox's "Simulate" menu is one the Sandbox accepts.
func TestEverySandboxFaultChoiceApplies(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	page := s.url(fmt.Sprintf("/w/%d/channels", s.ws.ID))
	if err := chromedp.Do(ctx, s.signIn(), chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=faults]`))); err != nil {
		t.Fatal(err)
	}
	modes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid=faults] select[name=mode] option')].map(o => o.value)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(modes) < 6 {
		t.Fatalf("the menu offers %v", modes)
	}
	for _, mode := range modes {
		sel := `[data-testid=faults] select[name=mode]`
		// Each answer comes back to this page; the previous message is
		// removed first, so the wait below sees the new one. (Navigating
		// again right after the redirect could abort the load.)
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelectorAll('[data-testid=flash], [data-testid=error]').forEach(e => e.remove()); true`)); err != nil {
			t.Fatal(err)
		}
		err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel)),
			chromedp.SetValue(chromedp.CSS(sel), mode),
			chromedp.Click(chromedp.CSS(`[data-testid=faults] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash], [data-testid=error]`)))
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=flash], [data-testid=error]`)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(msg, "Sandbox updated") {
			shot(t, ctx, "fault-"+mode)
			t.Errorf("choosing %q: %q", mode, msg)
		}
	}
}
