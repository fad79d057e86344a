package mastodon

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	conn "github.com/tribune-social/tribune/internal/network/mastodon"
	"github.com/tribune-social/tribune/internal/network/mastodon/gtstest"
)

// The real-server suite shares one GoToSocial per test binary (skipped
// unless TRIBUNE_TEST_GOTOSOCIAL is set); it stops when the tests end.
func TestMain(m *testing.M) { gtstest.Main(m) }

var localClient = httpx.NewClient(httpx.Options{AllowPrivate: true})

// gtsAccount signs an account of the real server in the way a user does
// (app registration, authorization code with PKCE) and returns a
// connection to publish with.
func gtsAccount(t *testing.T, srv *gtstest.Server) (*conn.Connector, network.Account) {
	t.Helper()
	const redirect = "https://tribune.example/oauth/mastodon/callback"
	user := srv.CreateAccount(t)
	ctx := context.Background()
	c := conn.New(localClient)
	app, err := c.RegisterApp(ctx, srv.URL(), redirect, "https://tribune.example")
	if err != nil {
		t.Fatal(err)
	}
	verifier := "a-verifier-of-enough-length-0123456789abcdef"
	sum := sha256.Sum256([]byte(verifier))
	back := srv.Authorize(t, c.AuthorizeURL(app, "state-"+user.Username, base64.RawURLEncoding.EncodeToString(sum[:])), user)
	tok, err := c.Exchange(ctx, app, back.Query().Get("code"), verifier)
	if err != nil {
		t.Fatal(err)
	}
	id, acct := srv.Me(t, tok.AccessToken)
	return c, network.Account{BaseURL: srv.URL(), ExternalID: id, Handle: "@" + acct, Token: tok}
}

// Against GoToSocial: a hashtag's public statuses reach the source through
// the stream, and those posted while it was stopped through the tag
// timeline when it starts again from its cursor.
func TestGoToSocialHashtag(t *testing.T) {
	srv := gtstest.Start(t)
	_, us := gtsAccount(t, srv)
	them, acct := gtsAccount(t, srv)
	tag := fmt.Sprintf("tribune%d", time.Now().UnixNano()%1_000_000)
	s0, err := New(source.Config{Kind: "mastodon", Values: map[string]string{"instance": srv.URL(), "token": us.Token.AccessToken, "hashtags": tag}},
		source.Deps{HTTP: localClient})
	if err != nil {
		t.Fatal(err)
	}
	s := s0.(*Source)
	seq := 0
	publish := func(text string) {
		t.Helper()
		seq++
		_, err := them.Publish(context.Background(), acct, network.PostRequest{AttemptKey: fmt.Sprintf("3lbtuawq4t%03d", seq), Text: text,
			Visibility: "public", CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
	}

	// GoToSocial accepts the hashtag stream but pushes nothing on it: the
	// statuses come through the timeline, read every poll.
	s.poll = 500 * time.Millisecond
	publish("before #" + tag)
	r := start(s, "")
	// The source starts from now: its first batch is the cursor at the
	// newest status, without it.
	select {
	case b := <-r.batches:
		if len(b.Posts) != 0 || b.Cursor == "" {
			t.Fatalf("first batch %+v, want a cursor alone", b)
		}
	case err := <-r.done:
		t.Fatalf("Run ended: %v", err)
	case <-time.After(wait):
		t.Fatal("no first cursor")
	}
	publish("live #" + tag)
	got, cursor := r.posts(t, 1)
	if p := got[0]; !strings.Contains(p.Text, "live #"+tag) || p.Network != "mastodon" || p.ExternalID == "" || !strings.HasPrefix(p.Author, strings.TrimPrefix(acct.Handle, "@")) {
		t.Errorf("streamed post = %+v", p)
	}
	r.stop(t)
	for len(r.batches) > 0 { // statuses streamed before the stop: the cursor follows them
		cursor = (<-r.batches).Cursor
	}

	publish("away one #" + tag)
	publish("away two #" + tag)
	publish("not tagged")
	r = start(s, cursor)
	defer r.stop(t)
	away, _ := r.posts(t, 2)
	for i, want := range []string{"away one #" + tag, "away two #" + tag} {
		if !strings.Contains(away[i].Text, want) {
			t.Errorf("gap-filled post %d = %q, want %q", i, away[i].Text, want)
		}
	}
}
