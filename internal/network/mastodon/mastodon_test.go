package mastodon_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/mastodon"
	"github.com/tribune-social/tribune/internal/network/mastodon/mastodonfake"
)

func account(f *mastodonfake.Server) network.Account {
	return network.Account{BaseURL: f.URL(), ExternalID: "109", Handle: "@alice@fake.test", Token: network.Token{AccessToken: f.Token()}}
}

func TestConnectWithOAuthAndPKCE(t *testing.T) {
	f := mastodonfake.New(t)
	f.MaxChars = 1000
	ctx := context.Background()
	c := mastodon.New(localClient)
	app, err := c.RegisterApp(ctx, f.URL(), "https://tribune.example/oauth/mastodon/callback", "https://tribune.example")
	if err != nil {
		t.Fatal(err)
	}
	verifier := "a-verifier-of-enough-length-0123456789abcdef"
	sum := sha256.Sum256([]byte(verifier))
	authURL := c.AuthorizeURL(app, "state-1", base64.RawURLEncoding.EncodeToString(sum[:]))
	// The browser visits the authorize page and is redirected back.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || back.Query().Get("state") != "state-1" || back.Query().Get("code") == "" {
		t.Fatalf("redirect %q", resp.Header.Get("Location"))
	}
	tok, err := c.Exchange(ctx, app, back.Query().Get("code"), verifier)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := c.Instance(ctx, f.URL())
	if err != nil || inst.MaxChars != 1000 || inst.URLLength != 23 {
		t.Errorf("limits %+v %v", inst, err)
	}
	acct, err := c.VerifyCredentials(ctx, f.URL(), inst.Domain, tok)
	if err != nil {
		t.Fatal(err)
	}
	if acct.ExternalID != "109" || acct.Handle != "@alice@fake.test" {
		t.Errorf("account %+v", acct)
	}
	// A wrong verifier is refused by the instance.
	if _, err := c.Exchange(ctx, app, "code-unknown", verifier); err == nil {
		t.Error("an unknown code was accepted")
	}
}

func TestPublishMediaThreadDelete(t *testing.T) {
	f := mastodonfake.New(t)
	f.ProcessingPolls = 2
	ctx := context.Background()
	c := mastodon.New(localClient)
	acct := account(f)
	up, err := c.UploadMedia(ctx, acct, network.Media{Filename: "a.png", MIME: "image/png", Alt: "a lamp", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("png")), nil }})
	if err != nil {
		t.Fatal(err)
	}
	polls := 0
	for {
		ok, err := c.MediaReady(ctx, acct, up)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if polls++; polls > 5 {
			t.Fatal("media never ready")
		}
	}
	if polls != 2 {
		t.Errorf("ready after %d polls, want 2 (the fake answers 206 twice)", polls)
	}
	first, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "k1", Text: "Hello", Link: "https://example.com", Media: []network.UploadedMedia{up}})
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "k2", Text: "Second", ReplyTo: &first, Root: &first})
	if err != nil {
		t.Fatal(err)
	}
	third, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "k3", Text: "Third", ReplyTo: &second, Root: &first})
	if err != nil {
		t.Fatal(err)
	}
	got := f.Statuses()
	if len(got) != 3 || got[0].Text != "Hello\n\nhttps://example.com" || len(got[0].MediaIDs) != 1 || got[1].InReplyToID != first.ID || got[2].InReplyToID != second.ID {
		t.Fatalf("statuses %+v", got)
	}
	// The same key again returns the first status (Mastodon's idempotency).
	again, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "k1", Text: "Hello", Link: "https://example.com"})
	if err != nil || again.ID != first.ID || len(f.Statuses()) != 3 {
		t.Errorf("repeated key: %v %v, %d statuses", again, err, len(f.Statuses()))
	}
	if err := c.Delete(ctx, acct, third); err != nil {
		t.Fatal(err)
	}
	if live, err := c.CheckLive(ctx, acct, third); live || err != nil {
		t.Errorf("deleted status live=%v err=%v", live, err)
	}
	if live, err := c.CheckLive(ctx, acct, first); !live || err != nil {
		t.Errorf("status live=%v err=%v", live, err)
	}
	if err := c.Delete(ctx, acct, third); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	f := mastodonfake.New(t)
	ctx := context.Background()
	c := mastodon.New(&http.Client{Timeout: 300 * time.Millisecond})
	acct := account(f)
	req := network.PostRequest{AttemptKey: "k", Text: "hi"}

	bad := acct
	bad.Token.AccessToken = "revoked"
	if _, err := c.Publish(ctx, bad, req); network.AsError(err).Kind != network.Unauthorized {
		t.Errorf("401: %v", err)
	}
	_, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "long", Text: strings.Repeat("a", 501)})
	if ne := network.AsError(err); ne.Kind != network.Permanent || ne.Message != "Validation failed: Text character limit of 500 exceeded" {
		t.Errorf("422: %v", err)
	}
	reset := time.Now().Add(90 * time.Second).UTC().Format(time.RFC3339)
	f.FailNext("/api/v1/statuses", 1, 429, `{"error":"Too many requests"}`, http.Header{"X-Ratelimit-Reset": {reset}})
	if ne := network.AsError(first(c.Publish(ctx, acct, req))); ne.Kind != network.RateLimited || ne.RetryAfter < 80*time.Second {
		t.Errorf("429: %+v", ne)
	}
	f.FailNext("/api/v1/statuses", 1, 503, `{"error":"Service Unavailable"}`, nil)
	if ne := network.AsError(first(c.Publish(ctx, acct, req))); ne.Kind != network.Temporary || ne.Status != 503 {
		t.Errorf("503: %+v", ne)
	}
	dead := acct
	dead.BaseURL = "http://127.0.0.1:1"
	if ne := network.AsError(first(c.Publish(ctx, dead, req))); ne.Kind != network.Temporary || ne.Status != 0 {
		t.Errorf("no answer: %+v", ne)
	}
}

func first(_ network.Ref, err error) error { return err }

func TestRecoverFindsLandedAttemptAndProvesAbsence(t *testing.T) {
	f := mastodonfake.New(t)
	f.IgnoreIdempotency = true // GoToSocial: the key protects nothing
	ctx := context.Background()
	c := mastodon.New(localClient)
	acct := account(f)
	landed := network.PostRequest{AttemptKey: "a", Text: "Soldes d’hiver : -20 % & plus <3", CreatedAt: time.Now()}
	ref, err := c.Publish(ctx, acct, landed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Recover(ctx, acct, landed)
	if err != nil || got.ID != ref.ID {
		t.Errorf("recover landed: %v %v, want %s", got, err, ref.ID)
	}
	_, err = c.Recover(ctx, acct, network.PostRequest{AttemptKey: "b", Text: "never sent", CreatedAt: time.Now()})
	if !errors.Is(err, network.ErrNotPublished) {
		t.Errorf("recover absent: %v", err)
	}
	reply := network.PostRequest{AttemptKey: "c", Text: "Soldes d’hiver : -20 % & plus <3", ReplyTo: &ref, CreatedAt: time.Now()}
	if _, err := c.Recover(ctx, acct, reply); !errors.Is(err, network.ErrNotPublished) {
		t.Errorf("a reply with the same text as its parent was taken for the parent: %v", err)
	}
}

// The instance document tells Mastodon from GoToSocial (which counts a
// link's every character) and gives the domain of the handles, which is not
// the host Tribune reaches the instance through (the fake listens on
// 127.0.0.1 and calls itself social.example).
func TestInstanceDocument(t *testing.T) {
	for _, c := range []struct {
		name     string
		software mastodonfake.Software
		v1Only   bool
		want     mastodon.Instance
	}{
		{"mastodon", mastodonfake.Mastodon, false, mastodon.Instance{Domain: "social.example", Software: mastodon.SoftwareMastodon, MaxChars: 500, URLLength: 23, APIVersion: 7, StreamingURL: "ws://"}},
		{"gotosocial", mastodonfake.GoToSocial, false, mastodon.Instance{Domain: "social.example", Software: mastodon.SoftwareGoToSocial, MaxChars: 500, URLLength: 25, LinksCountInFull: true, StreamingURL: "ws://"}},
		{"mastodon before 4.0 (v1 only)", mastodonfake.Mastodon, true, mastodon.Instance{Domain: "social.example", Software: mastodon.SoftwareMastodon, MaxChars: 500, URLLength: 23}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mastodonfake.New(t)
			f.Software, f.V1Only, f.Domain = c.software, c.v1Only, "social.example"
			ctx := context.Background()
			conn := mastodon.New(localClient)
			got, err := conn.Instance(ctx, f.URL())
			if c.want.StreamingURL != "" {
				c.want.StreamingURL += strings.TrimPrefix(f.URL(), "http://") // where the fake's streaming API lives
			}
			if err != nil || got != c.want {
				t.Fatalf("got %+v %v, want %+v", got, err, c.want)
			}
			acct, err := conn.VerifyCredentials(ctx, f.URL(), got.Domain, network.Token{AccessToken: f.Token()})
			if err != nil || acct.Handle != "@alice@social.example" {
				t.Errorf("handle %q %v, want @alice@social.example", acct.Handle, err)
			}
		})
	}
}

// Every status says its visibility, thread replies included, so the
// account's own default on the server (the fake's is "unlisted", like a new
// GoToSocial account) never decides.
func TestPublishSendsTheVisibility(t *testing.T) {
	f := mastodonfake.New(t)
	ctx := context.Background()
	c := mastodon.New(localClient)
	acct := account(f)
	first, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "v1", Text: "followers only", Visibility: network.VisibilityPrivate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "v2", Text: "and a reply", ReplyTo: &first, Root: &first, Visibility: network.VisibilityPrivate}); err != nil {
		t.Fatal(err)
	}
	for _, st := range f.Statuses() {
		if st.Visibility != "private" || st.Shown != "private" {
			t.Errorf("status %q sent visibility %q, shown %q; want private", st.Text, st.Visibility, st.Shown)
		}
	}
}
