package mastodon_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network/httpx/httpxtest"
	"github.com/tribune-social/tribune/internal/network/mastodon/gtstest"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/store"
)

// tribuneOnGTS is a whole Tribune (composer, River, publisher) with a
// channel on an account of the real server.
type tribuneOnGTS struct {
	env   *apptest.Env
	owner store.User
	ws    store.Workspace
	ch    store.Channel
	user  gtstest.Account
	srv   *gtstest.Server
}

// connectTribune connects the channel the way a user does: Tribune
// registers itself on the instance at instanceURL (the server, or a proxy in
// front of it), the user signs in and approves on the instance's own pages,
// and the instance sends the browser back to Tribune's callback.
func connectTribune(t *testing.T, srv *gtstest.Server, instanceURL string) tribuneOnGTS {
	t.Helper()
	user := srv.CreateAccount(t)
	env := apptest.Start(t, apptest.Options{Workers: true, NetworkTimeout: 20 * time.Second})
	owner, ws := env.Owner(t)
	ctx := context.Background()
	authURL, err := env.App.Channels.StartMastodon(ctx, owner, ws.ID, instanceURL)
	if err != nil {
		t.Fatal(err)
	}
	back := srv.Authorize(t, authURL, user)
	callback, _ := url.Parse(env.Server.URL + channels.MastodonCallback)
	if back.Host != callback.Host || back.Path != callback.Path {
		t.Fatalf("GoToSocial sent the browser to %s, want Tribune's callback %s", back, callback)
	}
	ch, err := env.App.Channels.FinishMastodon(ctx, owner, back.Query().Get("state"), back.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	// The connector read the limits from the instance document, and who
	// the token acts as.
	if ch.Network != "mastodon" || ch.MaxChars != gtstest.MaxChars || ch.ExternalID == "" {
		t.Fatalf("channel %+v: want mastodon with the instance's %d-character limit", ch, gtstest.MaxChars)
	}
	if id, _ := srv.Me(t, accessToken(t, env, ch)); ch.ExternalID != id {
		t.Fatalf("channel's account %q, want %q", ch.ExternalID, id)
	}
	return tribuneOnGTS{env: env, owner: owner, ws: ws, ch: ch, user: user, srv: srv}
}

// publishNow sends a post through the composer and waits until its variant
// left the queue; it must end published.
func (tg tribuneOnGTS) publishNow(t *testing.T, v posts.VariantInput) store.PostVariant {
	t.Helper()
	ctx := context.Background()
	v.ChannelID = tg.ch.ID
	view, err := tg.env.App.Posts.Save(ctx, tg.owner, tg.ws.ID, 0, posts.Input{Variants: []posts.VariantInput{v}}, posts.PublishNow)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		vs, err := tg.env.Store.ListVariantsByPost(ctx, view.Post.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 1 {
			t.Fatalf("%d variants, want 1", len(vs))
		}
		if vs[0].State != "queued" && vs[0].State != "publishing" {
			if vs[0].State != "published" || vs[0].ExternalID == "" {
				t.Fatalf("variant %+v, want published", vs[0])
			}
			return vs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("variant still in flight after 2 minutes: %+v", vs[0])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func accessToken(t *testing.T, env *apptest.Env, ch store.Channel) string {
	t.Helper()
	acct, err := env.App.Channels.Account(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	return acct.Token.AccessToken
}

// statuses lists the channel's account's statuses on the server, oldest
// first, with the token as Tribune keeps it (sealed at rest).
func (tg tribuneOnGTS) statuses(t *testing.T) []gtstest.Status {
	t.Helper()
	acct, err := tg.env.App.Channels.Account(context.Background(), tg.ch)
	if err != nil {
		t.Fatal(err)
	}
	return gts{srv: tg.srv, acct: acct}.statuses(t)
}

// checkThread checks that the server holds exactly these statuses, in
// order, each answering the previous one.
func checkThread(t *testing.T, got []gtstest.Status, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		var texts []string
		for _, st := range got {
			texts = append(texts, text(st))
		}
		t.Fatalf("GoToSocial holds %q, want %q (each message once)", texts, want)
	}
	for i, w := range want {
		if text(got[i]) != w {
			t.Errorf("status %d is %q, want %q", i, text(got[i]), w)
		}
		if i > 0 && (got[i].InReplyToID == nil || *got[i].InReplyToID != got[i-1].ID) {
			t.Errorf("status %d answers %v, want %s", i, got[i].InReplyToID, got[i-1].ID)
		}
	}
}

// The whole of Tribune against a real GoToSocial: a post with a picture, a
// thread and a first comment goes through the composer, River and the
// publisher, and lands once, in order, each message answering the previous
// one.
func TestGoToSocialThroughTribune(t *testing.T) {
	t.Parallel()
	srv := gtstest.Start(t)
	tg := connectTribune(t, srv, srv.URL())
	m, err := tg.env.App.Media.Upload(context.Background(), tg.owner, tg.ws.ID, "lamp.png", bytes.NewReader(pngImage(t)), "A lamp on a desk", nil)
	if err != nil {
		t.Fatal(err)
	}
	v := tg.publishNow(t, posts.VariantInput{Text: "Toot one", MediaIDs: []int64{m.ID}, Thread: []string{"Toot two"}, FirstComment: "Toot comment"})
	got := tg.statuses(t)
	checkThread(t, got, "Toot one", "Toot two", "Toot comment")
	if len(got[0].Media) != 1 || got[0].Media[0].Description != "A lamp on a desk" {
		t.Errorf("first status's media %+v, want the picture with its alt text", got[0].Media)
	}
	if want := "@" + tg.user.Username + "@" + srv.Instance(t)["domain"].(string); tg.ch.Handle != want {
		t.Errorf("handle %q, want %q", tg.ch.Handle, want)
	}
	if v.ExternalID != got[0].ID || !strings.HasPrefix(v.ExternalURL, srv.URL()+"/@"+tg.user.Username+"/statuses/") {
		t.Errorf("variant keeps %q %q, want the first status %q and its page", v.ExternalID, v.ExternalURL, got[0].ID)
	}
}

// Issue 12's duplicate, end to end: GoToSocial creates a thread reply, then
// the reused connection closes before its answer (a proxy in front of the
// server, through which the channel was connected). Neither the transport
// nor the publisher may send it again: Tribune recovers the reply that
// landed and goes on with the first comment, and GoToSocial holds each
// message once.
func TestGoToSocialThroughTribuneLostReplyAnswer(t *testing.T) {
	t.Parallel()
	srv := gtstest.Start(t)
	var armed atomic.Bool
	front, lose := httpxtest.Front(t, srv.URL(), func(r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/statuses" || !armed.Load() {
			return false
		}
		// Read the form without taking it from the proxy.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		return form.Get("status") == "Reply two" && armed.CompareAndSwap(true, false)
	})
	tg := connectTribune(t, srv, front.URL)
	armed.Store(true)
	tg.publishNow(t, posts.VariantInput{Text: "Reply one", Thread: []string{"Reply two"}, FirstComment: "Reply comment"})
	if lose.Lost() != 1 {
		t.Fatalf("%d answers lost, want 1 (the thread reply's)", lose.Lost())
	}
	checkThread(t, tg.statuses(t), "Reply one", "Reply two", "Reply comment")
}

// The channel's handle names the account on the instance's own domain
// (/api/v2/instance's "domain"), not on the host of the address Tribune
// reaches it by: here a proxy in front of the server (issue 12 point 2).
func TestGoToSocialHandleFromTheInstance(t *testing.T) {
	t.Parallel()
	srv := gtstest.Start(t)
	front, _ := httpxtest.Front(t, srv.URL(), func(*http.Request) bool { return false })
	tg := connectTribune(t, srv, front.URL)
	if want := "@" + tg.user.Username + "@" + srv.Instance(t)["domain"].(string); tg.ch.Handle != want {
		t.Errorf("handle %q, want %q", tg.ch.Handle, want)
	}
}
