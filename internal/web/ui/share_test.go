package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/posts"
)

// The calendar page makes a read-only share link shown once; the shared
// page shows the scheduled post with its author's name and nothing to act
// with (no form, no editable calendar, no draft, no other member's name);
// a new link kills the old one, and stopping sharing kills it too.
func TestCalendarShareLinkPage(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		env.Member(t, owner, ws.ID, "hidden@example.test", auth.Contributor)
		ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acct")
		if err != nil {
			t.Fatal(err)
		}
		when := time.Now().AddDate(0, 0, 4).Format("2006-01-02") + "T10:00"
		for _, c := range []struct {
			text   string
			action posts.Action
		}{{"client launch", posts.DoSchedule}, {"internal draft", posts.SaveDraft}} {
			if _, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{ScheduledLocal: when, Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: c.text}}}, c.action); err != nil {
				t.Fatal(err)
			}
		}
		b := newBrowser(t, env, owner.Email)
		calendar := fmt.Sprintf("/w/%d/calendar", ws.ID)
		var links []string
		for range 2 {
			resp := b.do(http.MethodPost, calendar+"/share", url.Values{})
			readBody(resp)
			c := cookieNamed(resp, "tribune_share_link")
			if c == nil {
				t.Fatalf("share: %d, no link", resp.StatusCode)
			}
			page := readBody(b.do(http.MethodGet, calendar, nil, c))
			link := regexp.MustCompile(`/shared/[A-Za-z0-9_-]+`).FindString(page)
			if link == "" {
				t.Fatalf("the calendar page does not show the new link")
			}
			if again := readBody(b.do(http.MethodGet, calendar, nil)); strings.Contains(again, link) || !strings.Contains(again, `data-testid="share-active"`) {
				t.Errorf("the link is shown again, or the page does not say one works")
			}
			links = append(links, link)
		}
		if r := b.do(http.MethodGet, links[0], nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("old link: %d, want 404", r.StatusCode)
		}
		// The client is not signed in.
		resp, err := http.Get(env.Server.URL + links[1])
		if err != nil {
			t.Fatal(err)
		}
		page := readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `data-testid="shared-calendar"`) || !strings.Contains(page, "client launch") || !strings.Contains(page, owner.Name) {
			t.Fatalf("shared page: %d %.500s", resp.StatusCode, page)
		}
		// The layout's language switch is a form; the calendar itself has none.
		body := page[strings.Index(page, `data-testid="shared-calendar"`):]
		for _, bad := range []string{"internal draft", "<form", "<button", "data-calendar", "/compose", "/edit", "/posts/", "hidden@example.test", "data-move-url"} {
			if strings.Contains(body, bad) {
				t.Errorf("the shared page holds %q", bad)
			}
		}
		r := b.do(http.MethodPost, calendar+"/share/revoke", url.Values{})
		readBody(r)
		if r := b.do(http.MethodGet, links[1], nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("link after stopping: %d, want 404", r.StatusCode)
		}
	})
}

// The shared page names its days and links to the pages before and after,
// in the viewer's language; a post three months and more ahead is on the
// next page, and a page beyond the workspace's horizon, or not a number,
// is not found.
func TestSharedCalendarPager(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		if _, err := env.App.Posts.SetScheduleHorizon(ctx, owner, ws.ID, 120); err != nil {
			t.Fatal(err)
		}
		ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acct")
		if err != nil {
			t.Fatal(err)
		}
		when := time.Now().AddDate(0, 0, 100).Format("2006-01-02") + "T10:00"
		if _, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{ScheduledLocal: when, Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "far launch"}}}, posts.DoSchedule); err != nil {
			t.Fatal(err)
		}
		link, err := env.App.Calendar.RotateShare(ctx, owner, ws.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		path := link[strings.Index(link, "/shared/"):]
		get := func(query, lang string) (int, string) {
			req, _ := http.NewRequest(http.MethodGet, env.Server.URL+path+query, nil)
			req.Header.Set("Accept-Language", lang)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return resp.StatusCode, readBody(resp)
		}
		// Horizon 120 days: pages -2 to 1.
		for _, c := range []struct {
			query, lang  string
			prev, next   string // the links' targets, "" when absent
			far          bool
			periodPrefix string
		}{
			{"", "en", "?page=-1", "?page=1", false, "From "},
			{"?page=1", "fr", "?page=0", "", true, "Du "},
			{"?page=-2", "en", "", "?page=-1", false, "From "},
		} {
			status, page := get(c.query, c.lang)
			if status != http.StatusOK {
				t.Fatalf("%s: %d", c.query, status)
			}
			for _, l := range []struct{ testid, want string }{{"shared-prev", c.prev}, {"shared-next", c.next}} {
				m := regexp.MustCompile(`href="([^"]*)"[^>]*data-testid="` + l.testid + `"`).FindStringSubmatch(page)
				got := ""
				if m != nil {
					got = m[1]
				}
				if got != l.want {
					t.Errorf("%s: %s links to %q, want %q", c.query, l.testid, got, l.want)
				}
			}
			if strings.Contains(page, "far launch") != c.far {
				t.Errorf("%s: shows the post 100 days ahead: %v, want %v", c.query, !c.far, c.far)
			}
			period := regexp.MustCompile(`data-testid="shared-period">([^<]*)<`).FindStringSubmatch(page)
			if period == nil || !strings.HasPrefix(period[1], c.periodPrefix) {
				t.Errorf("%s (%s): period %q, want it to start %q", c.query, c.lang, period, c.periodPrefix)
			}
		}
		for _, q := range []string{"?page=2", "?page=-3", "?page=next"} {
			if status, _ := get(q, "en"); status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", q, status)
			}
		}
	})
}
