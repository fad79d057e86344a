package publish_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/mastodon/mastodonfake"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/store"
)

// A Mastodon channel is connected through OAuth (app registration, PKCE)
// and a thread with a first comment is published to it in order, through
// the same publisher as every network.
func TestConnectMastodonAndPublishThread(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.Options{}, 0)
	fake := mastodonfake.New(t)
	fake.MaxChars = 640
	ctx := context.Background()
	back := authorize(t, f, fake)
	ch, err := f.env.App.Channels.FinishMastodon(ctx, f.owner, back.Query().Get("state"), back.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Network != "mastodon" || ch.MaxChars != 640 || ch.ExternalID != "109" {
		t.Fatalf("channel %+v: want mastodon with the instance's 640-character limit", ch)
	}
	// The state is single-use.
	if _, err := f.env.App.Channels.FinishMastodon(ctx, f.owner, back.Query().Get("state"), back.Query().Get("code")); err == nil {
		t.Error("an OAuth state was accepted twice")
	}
	view := f.publishNow(t, posts.VariantInput{ChannelID: ch.ID, Text: "Toot one", Thread: []string{"Toot two"}, FirstComment: "Toot comment"})
	vs := f.waitVariants(t, view.Post.ID, 20*time.Second)
	if publish.VariantState(vs[0].State) != publish.VariantPublished || vs[0].ExternalID == "" {
		t.Fatalf("variant %+v", vs[0])
	}
	got := fake.Statuses()
	if len(got) != 3 || got[0].Text != "Toot one" || got[1].InReplyToID != got[0].ID || got[2].InReplyToID != got[1].ID || got[2].Text != "Toot comment" {
		t.Errorf("statuses %+v: want the thread then the first comment, each replying to the previous", got)
	}
	if vs[0].ExternalID != got[0].ID {
		t.Errorf("variant keeps %q, want the first status %q", vs[0].ExternalID, got[0].ID)
	}
}

// authorize starts connecting the fake instance and follows the browser
// through its authorize page: it returns the callback address.
func authorize(t *testing.T, f fixture, fake *mastodonfake.Server) *url.URL {
	t.Helper()
	authURL, err := f.env.App.Channels.StartMastodon(context.Background(), f.owner, f.ws.ID, fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasSuffix(back.Path, "/oauth/mastodon/callback") {
		t.Fatalf("the instance sent the browser to %q", resp.Header.Get("Location"))
	}
	return back
}

func connectMastodon(t *testing.T, f fixture, fake *mastodonfake.Server) store.Channel {
	t.Helper()
	back := authorize(t, f, fake)
	ch, err := f.env.App.Channels.FinishMastodon(context.Background(), f.owner, back.Query().Get("state"), back.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// Characters are counted as the channel's server counts them, told from its
// instance document when the channel is connected: a status of more than
// 500 characters whose long link counts 23 goes out to Mastodon, and one of
// less than 500 characters that only fits if its link counts 23 is refused
// before it reaches GoToSocial (which would refuse it). The fake counts
// like the program it plays, so a wrong count fails a publication. The
// handle's domain is the instance's own (social.example), not the host the
// fake listens on.
func TestMastodonCompatibleServersCountTheirWay(t *testing.T) {
	t.Parallel()
	link := "https://example.com/" + strings.Repeat("a", 200)
	longWithLink := strings.Repeat("b", 400) + " " + link // 621 characters; 424 on Mastodon
	for _, c := range []struct {
		name         string
		software     mastodonfake.Software
		wantCounting string
		wantSent     bool
	}{
		{"mastodon", mastodonfake.Mastodon, rules.CountMastodon, true},
		{"gotosocial", mastodonfake.GoToSocial, rules.CountCharacters, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, apptest.Options{}, 0)
			fake := mastodonfake.New(t)
			fake.Software, fake.Domain = c.software, "social.example"
			ch := connectMastodon(t, f, fake)
			if ch.Handle != "@alice@social.example" || ch.TextCounting != c.wantCounting {
				t.Fatalf("channel handle %q counting %q, want @alice@social.example and %q", ch.Handle, ch.TextCounting, c.wantCounting)
			}
			ctx := context.Background()
			view, err := f.env.App.Posts.Save(ctx, f.owner, f.ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: longWithLink}}}, posts.PublishNow)
			if !c.wantSent {
				var pe *problem.Error
				if !errors.As(err, &pe) || pe.Code != "invalid_content" || !strings.Contains(fmt.Sprint(pe.Details), "too_long") {
					t.Fatalf("saving %d characters with a link for GoToSocial: %v, want too_long", len(longWithLink), err)
				}
				if n := len(fake.Statuses()); n != 0 {
					t.Errorf("%d statuses reached the server", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if vs := f.waitVariants(t, view.Post.ID, 20*time.Second); publish.VariantState(vs[0].State) != publish.VariantPublished {
				t.Fatalf("variant %+v, want published", vs[0])
			}
			if got := fake.Statuses(); len(got) != 1 || got[0].Text != longWithLink {
				t.Errorf("statuses %+v", got)
			}
		})
	}
}

// Every status says its visibility: the variant's choice, else the
// channel's default, for the post and each thread item and first comment;
// the account's default on the server (the fake's: unlisted) never decides.
func TestMastodonVisibilityIsChosenNotInherited(t *testing.T) {
	t.Parallel()
	for _, db := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			visibilityIsChosen(t, setup(t, apptest.Options{Postgres: db.postgres}, 0))
		})
	}
}

func visibilityIsChosen(t *testing.T, f fixture) {
	fake := mastodonfake.New(t)
	fake.Software = mastodonfake.GoToSocial
	ch := connectMastodon(t, f, fake)
	if ch.DefaultVisibility != string(network.VisibilityPublic) {
		t.Fatalf("a new channel's default visibility is %q, want public", ch.DefaultVisibility)
	}
	ctx := context.Background()
	publish := func(in posts.VariantInput) []mastodonfake.Status {
		t.Helper()
		before := len(fake.Statuses())
		view := f.publishNow(t, in)
		if vs := f.waitVariants(t, view.Post.ID, 20*time.Second); publish.VariantState(vs[0].State) != publish.VariantPublished {
			t.Fatalf("variant %+v, want published", vs[0])
		}
		return fake.Statuses()[before:]
	}
	for _, c := range []struct {
		name       string
		channelDef network.Visibility
		chosen     network.Visibility
		want       string
	}{
		{"no choice: the channel's default", network.VisibilityPublic, "", "public"},
		{"no choice, the channel says followers only", network.VisibilityPrivate, "", "private"},
		{"chosen for the post", network.VisibilityPrivate, network.VisibilityDirect, "direct"},
		{"chosen unlisted", network.VisibilityPublic, network.VisibilityUnlisted, "unlisted"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := f.env.App.Channels.SetDefaultVisibility(ctx, f.owner, ch.ID, c.channelDef); err != nil {
				t.Fatal(err)
			}
			got := publish(posts.VariantInput{ChannelID: ch.ID, Text: "Hello " + c.name, Thread: []string{"two"}, FirstComment: "comment", Visibility: c.chosen})
			if len(got) != 3 {
				t.Fatalf("%d statuses, want 3", len(got))
			}
			for _, st := range got {
				if st.Visibility != c.want {
					t.Errorf("status %q sent with visibility %q, want %q", st.Text, st.Visibility, c.want)
				}
			}
		})
	}
	// A value that is not one of Mastodon's is refused with a clear message,
	// for a post as for the channel.
	_, err := f.env.App.Posts.Save(ctx, f.owner, f.ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "x", Visibility: "friends"}}}, posts.SaveDraft)
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Status != http.StatusUnprocessableEntity || len(pe.Details) != 1 || pe.Details[0].Code != "bad_visibility" {
		t.Errorf("visibility friends: %v, want 422 bad_visibility", err)
	}
	if _, err := f.env.App.Channels.SetDefaultVisibility(ctx, f.owner, ch.ID, "everyone"); !errors.As(err, &pe) || pe.Details[0].Code != "bad_visibility" {
		t.Errorf("channel default everyone: %v, want 422 bad_visibility", err)
	}
}

// A channel connected before its server was told apart (or whose server
// changed) is read again on demand: handle, limits and way of counting.
func TestMastodonChannelIsReadAgain(t *testing.T) {
	t.Parallel()
	for _, db := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, apptest.Options{Postgres: db.postgres}, 0)
			fake := mastodonfake.New(t)
			ch := connectMastodon(t, f, fake)
			if ch.TextCounting != rules.CountMastodon || ch.Handle != "@alice@fake.test" {
				t.Fatalf("channel %q %q", ch.TextCounting, ch.Handle)
			}
			fake.Software, fake.Domain, fake.MaxChars = mastodonfake.GoToSocial, "moved.example", 5000
			ctx := context.Background()
			got, err := f.env.App.Channels.RefreshMastodon(ctx, f.owner, ch.ID)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := f.env.Store.GetChannel(ctx, ch.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []store.Channel{got, stored} {
				if c.TextCounting != rules.CountCharacters || c.Handle != "@alice@moved.example" || c.MaxChars != 5000 {
					t.Errorf("after reading again: counting %q handle %q max %d, want characters, @alice@moved.example, 5000", c.TextCounting, c.Handle, c.MaxChars)
				}
			}
			sb, err := f.env.App.Channels.ConnectSandbox(ctx, f.owner, f.ws.ID, "box")
			if err != nil {
				t.Fatal(err)
			}
			var pe *problem.Error
			if _, err := f.env.App.Channels.RefreshMastodon(ctx, f.owner, sb.ID); !errors.As(err, &pe) || pe.Status != http.StatusUnprocessableEntity {
				t.Errorf("reading a Sandbox channel as Mastodon: %v, want 422", err)
			}
		})
	}
}
