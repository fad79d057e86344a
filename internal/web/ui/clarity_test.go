package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
)

// An address no route claims gets a 404 page in the layout and in the
// user's language, not the bare "404 page not found" of net/http.
func TestUnknownPageIsARealNotFoundPage(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.Owner(t)
	b := newClient(t, env) // signed out: the browser's language decides
	for _, c := range []struct{ lang, want string }{
		{"en", "This page does not exist"},
		{"fr", "Cette page n’existe pas"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			resp, body := b.get("/no/such/page", "Accept-Language", c.lang)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("status %d, want 404", resp.StatusCode)
			}
			if !strings.Contains(body, c.want) || !strings.Contains(body, `class="brand"`) {
				t.Errorf("the 404 answer is not a page of the layout saying %q: %.300s", c.want, body)
			}
		})
	}
}

// Pages link a favicon under its content-hash URL, the file is served as
// SVG, and /favicon.ico leads to it.
func TestFaviconIsServed(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.Owner(t)
	b := signIn(t, env)
	_, page := b.get("/login")
	_, rest, ok := strings.Cut(page, `rel="icon" type="image/svg+xml" href="`)
	href, _, _ := strings.Cut(rest, `"`)
	if !ok || !strings.HasPrefix(href, "/static/favicon.svg?v=") {
		t.Fatalf("the page links no hashed favicon: %q", href)
	}
	resp, body := b.get(href)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "image/svg+xml") || !strings.Contains(body, "<svg") {
		t.Errorf("favicon: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, _ = b.get("/favicon.ico")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.RequestURI() != href {
		t.Errorf("/favicon.ico ends at %s (status %d), want %s", resp.Request.URL.RequestURI(), resp.StatusCode, href)
	}
}

// "Publish now" is offered on a post waiting for approval only to a member
// who may approve it: the contributor who submitted it is not shown a button
// the approval rule would refuse.
func TestPublishNowHiddenFromWhoCannotApprove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	contributor := env.Member(t, owner, ws.ID, "contributor@example.test", auth.Contributor)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.App.Posts.Save(ctx, contributor, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "please approve"}}}, posts.Submit)
	if err != nil || posts.Status(v.Post.Status) != posts.NeedsApproval {
		t.Fatalf("submit: %v, status %q", err, v.Post.Status)
	}
	page := fmt.Sprintf("/w/%d/posts/%d", ws.ID, v.Post.ID)
	for _, c := range []struct {
		who   string
		email string
		shown bool
	}{
		{"contributor", "contributor@example.test", false},
		{"owner", "owner@example.test", true},
	} {
		t.Run(c.who, func(t *testing.T) {
			resp, body := signInAs(t, env, c.email).get(page)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("post page: %d", resp.StatusCode)
			}
			if got := strings.Contains(body, `data-testid="action-publish_now"`); got != c.shown {
				t.Errorf("Publish now shown to the %s: %v, want %v", c.who, got, c.shown)
			}
		})
	}
}

// Deleting a published post asks first; once deleted from the network the
// post page says so and offers neither "View on the network" nor "Publish
// now". Disconnecting a channel asks first too.
func TestIrreversibleActionsAskAndDeletedPostShowsDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.Start(t, apptest.Options{Workers: true})
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "going out"}}}, posts.PublishNow)
	if err != nil {
		t.Fatal(err)
	}
	waitState := func(want publish.VariantState) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			vs, err := env.Store.ListVariantsByPost(ctx, v.Post.ID)
			if err == nil && len(vs) == 1 && publish.VariantState(vs[0].State) == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("variant never reached %q: %+v %v", want, vs, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitState(publish.VariantPublished)
	b := signIn(t, env)
	page := fmt.Sprintf("/w/%d/posts/%d", ws.ID, v.Post.ID)
	if _, body := b.get(page); !strings.Contains(body, `data-testid="view-on-network"`) && !strings.Contains(body, `data-testid="network-address"`) {
		t.Fatalf("a published post offers no link to the network")
	}

	status, body := b.post(page+"/delete", url.Values{})
	if status != http.StatusOK || !strings.Contains(body, `data-testid="confirm"`) || !strings.Contains(body, "also deleted from the networks") {
		t.Fatalf("delete without confirming: %d, want a question page: %.300s", status, body)
	}
	if vs, _ := env.Store.ListVariantsByPost(ctx, v.Post.ID); len(vs) != 1 || publish.VariantState(vs[0].State) != publish.VariantPublished {
		t.Fatalf("asking deleted something: %+v", vs)
	}
	if status, _ := b.post(page+"/delete", url.Values{"confirm": {"1"}}); status != http.StatusOK {
		t.Fatalf("confirmed delete: %d", status)
	}
	waitState(publish.VariantDeleted)
	_, body = b.get(page)
	if !strings.Contains(body, `data-testid="post-deleted"`) || !strings.Contains(body, `data-testid="variant-deleted"`) {
		t.Errorf("the post page does not say the post was deleted")
	}
	for _, gone := range []string{`data-testid="view-on-network"`, `data-testid="network-address"`, `data-testid="action-publish_now"`, `data-testid="action-delete"`} {
		if strings.Contains(body, gone) {
			t.Errorf("a post deleted from the network still offers %s", gone)
		}
	}

	disconnect := fmt.Sprintf("/w/%d/channels/%d/delete", ws.ID, ch.ID)
	status, body = b.post(disconnect, url.Values{})
	if status != http.StatusOK || !strings.Contains(body, `data-testid="confirm"`) || !strings.Contains(body, "alpha") {
		t.Fatalf("disconnect without confirming: %d, want a question page", status)
	}
	if chs, _ := env.App.Channels.List(ctx, owner, ws.ID); len(chs) != 1 {
		t.Fatalf("asking disconnected the channel: %d left", len(chs))
	}
	if status, _ := b.post(disconnect, url.Values{"confirm": {"1"}}); status != http.StatusOK {
		t.Fatalf("confirmed disconnect: %d", status)
	}
	if chs, _ := env.App.Channels.List(ctx, owner, ws.ID); len(chs) != 0 {
		t.Errorf("confirmed disconnect left %d channels", len(chs))
	}
}

// A post page polls while its post may change on its own, is told to reload
// once it did, and stops polling when the post has settled.
func TestPostPageFollowsThePublisher(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	when := time.Now().AddDate(0, 0, 3).Format("2006-01-02") + "T10:00"
	v, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "later"}},
		ScheduledLocal: when, Timezone: "UTC"}, posts.DoSchedule)
	if err != nil || posts.Status(v.Post.Status) != posts.Scheduled {
		t.Fatalf("schedule: %v, status %q", err, v.Post.Status)
	}
	b := signIn(t, env)
	page := fmt.Sprintf("/w/%d/posts/%d", ws.ID, v.Post.ID)
	_, body := b.get(page)
	_, rest, ok := strings.Cut(body, `hx-get="`+page+`?live=`)
	live, _, _ := strings.Cut(rest, `"`)
	if !ok || !strings.Contains(body, `data-testid="post-live"`) {
		t.Fatalf("a scheduled post's page does not poll")
	}
	live, _ = url.QueryUnescape(strings.ReplaceAll(live, "&amp;", "&"))
	poll := func() *http.Response {
		t.Helper()
		resp, _ := b.get(page+"?live="+url.QueryEscape(live), "HX-Request", "true")
		return resp
	}
	if r := poll(); r.StatusCode != http.StatusNoContent || r.Header.Get("HX-Refresh") != "" {
		t.Errorf("unchanged post: %d, HX-Refresh %q; want 204 and no reload", r.StatusCode, r.Header.Get("HX-Refresh"))
	}
	if err := env.App.Posts.Unschedule(ctx, owner, v.Post.ID); err != nil {
		t.Fatal(err)
	}
	if r := poll(); r.Header.Get("HX-Refresh") != "true" {
		t.Errorf("changed post: HX-Refresh %q, want a reload", r.Header.Get("HX-Refresh"))
	}
	if _, body := b.get(page); strings.Contains(body, `data-testid="post-live"`) {
		t.Errorf("a draft's page still polls")
	}
}

// The post list's status filter says "Statut" in French (the status page
// is "État du service").
func TestPostStatusFilterLabel(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	_, ws := env.Owner(t)
	b := signIn(t, env)
	if status, _ := b.post("/settings/language", url.Values{"lang": {"fr"}}); status != http.StatusOK {
		t.Fatalf("switch to French: %d", status)
	}
	_, body := b.get(fmt.Sprintf("/w/%d/posts", ws.ID))
	i := strings.Index(body, `data-testid="filter-status"`)
	if i < 0 {
		t.Fatal("no status filter")
	}
	label := body[max(0, i-200):i]
	if !strings.Contains(label, "Statut") || strings.Contains(label, "État du service") {
		t.Errorf("the status filter's label: %q, want Statut", label)
	}
}

// Notifications are stored in English and shown in the reader's language,
// with the name they carry.
func TestNotificationsShownInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	if err := env.App.Posts.Pause(ctx, owner, ws.ID); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Posts.Resume(ctx, owner, ws.ID, nil); err != nil {
		t.Fatal(err)
	}
	b := signIn(t, env)
	if status, _ := b.post("/settings/language", url.Values{"lang": {"fr"}}); status != http.StatusOK {
		t.Fatalf("switch to French: %d", status)
	}
	_, body := b.get("/notifications")
	for _, want := range []string{"Publications suspendues par " + owner.Name, "Publications reprises par " + owner.Name} {
		if !strings.Contains(body, want) {
			t.Errorf("the notifications page lacks %q", want)
		}
	}
	for _, english := range []string{"Publishing paused by", "Publishing resumed by"} {
		if strings.Contains(body, english) {
			t.Errorf("the French notifications page says %q", english)
		}
	}
}

// The post page shows the media each variant carries with the alt text
// they go out with.
func TestPostPageShowsMediaAndAlt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
	m, err := env.App.Media.Upload(ctx, owner, ws.ID, "lamp.png", strings.NewReader(png), "a brass lamp", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "lamps", MediaIDs: []int64{m.ID}}}}, posts.SaveDraft)
	if err != nil {
		t.Fatal(err)
	}
	_, body := signIn(t, env).get(fmt.Sprintf("/w/%d/posts/%d", ws.ID, v.Post.ID))
	for _, want := range []string{`data-testid="variant-media"`, fmt.Sprintf(`src="/media/%d" alt="a brass lamp"`, m.ID), "lamp.png", "Alt text: a brass lamp"} {
		if !strings.Contains(body, want) {
			t.Errorf("the post page lacks %s", want)
		}
	}
}

// Times are shown in the workspace's (or the user's) zone, and say which.
func TestTimesNameTheirZone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	if err := env.App.Posts.Pause(ctx, owner, ws.ID); err != nil {
		t.Fatal(err)
	}
	b := signIn(t, env)
	_, body := b.get(fmt.Sprintf("/w/%d/crisis", ws.ID))
	if !strings.Contains(body, "("+ws.Timezone+")") {
		t.Errorf("the crisis page's pause time does not name the zone %s", ws.Timezone)
	}
	_, body = b.get("/notifications")
	if !strings.Contains(body, "(UTC)") && !strings.Contains(body, "("+owner.Timezone+")") {
		t.Errorf("the notifications' times do not name their zone")
	}
	// A draft without a date is listed with when it was last changed, in
	// the zone the list names.
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "someday"}}}, posts.SaveDraft)
	if err != nil {
		t.Fatal(err)
	}
	_, body = b.get(fmt.Sprintf("/w/%d/posts", ws.ID))
	zone, err := time.LoadLocation(ws.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`data-testid="draft-updated-%d">updated %s (%s)<`, v.Post.ID, v.Post.UpdatedAt.In(zone).Format("2006-01-02 15:04"), ws.Timezone)
	if !strings.Contains(body, want) {
		t.Errorf("the post list's draft does not show %s", want)
	}
}
