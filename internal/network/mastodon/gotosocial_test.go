package mastodon_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx/httpxtest"
	"github.com/tribune-social/tribune/internal/network/mastodon"
	"github.com/tribune-social/tribune/internal/network/mastodon/gtstest"
)

// The real-server suite shares one GoToSocial per test binary; it stops
// when the tests end.
func TestMain(m *testing.M) { gtstest.Main(m) }

// gts is a Tribune connection to an account of the real server, made the
// way a user makes it: app registration, OAuth authorization code with PKCE.
type gts struct {
	srv  *gtstest.Server
	c    *mastodon.Connector
	user gtstest.Account
	acct network.Account
}

const redirectURI = "https://tribune.example/oauth/mastodon/callback"

func connectGTS(t *testing.T) gts {
	t.Helper()
	srv := gtstest.Start(t)
	return connectGTSAt(t, srv, srv.URL())
}

// connectGTSAt connects through instanceURL: the server, or a proxy in
// front of it.
func connectGTSAt(t *testing.T, srv *gtstest.Server, instanceURL string) gts {
	t.Helper()
	user := srv.CreateAccount(t)
	ctx := context.Background()
	c := mastodon.New(localClient)
	app, err := c.RegisterApp(ctx, instanceURL, redirectURI, "https://tribune.example")
	if err != nil {
		t.Fatal(err)
	}
	verifier := "a-verifier-of-enough-length-0123456789abcdef"
	sum := sha256.Sum256([]byte(verifier))
	back := srv.Authorize(t, c.AuthorizeURL(app, "state-"+user.Username, base64.RawURLEncoding.EncodeToString(sum[:])), user)
	if got := back.Scheme + "://" + back.Host + back.Path; got != redirectURI || back.Query().Get("state") != "state-"+user.Username {
		t.Fatalf("GoToSocial sent the browser to %s, want %s with the state", back, redirectURI)
	}
	tok, err := c.Exchange(ctx, app, back.Query().Get("code"), verifier)
	if err != nil {
		t.Fatal(err)
	}
	// The account is read straight from the server: VerifyCredentials,
	// with the handle and the limits, is checked through Tribune's own
	// connection of a channel (TestGoToSocialThroughTribune).
	id, acct := srv.Me(t, tok.AccessToken)
	if acct != user.Username {
		t.Fatalf("the token acts as %q, want %q", acct, user.Username)
	}
	return gts{srv: srv, c: c, user: user, acct: network.Account{BaseURL: instanceURL, ExternalID: id, Handle: "@" + acct, Token: tok}}
}

// statuses lists the account's statuses straight from the server, oldest
// first.
func (g gts) statuses(t *testing.T) []gtstest.Status {
	t.Helper()
	list := g.srv.Statuses(t, g.acct.Token.AccessToken, g.acct.ExternalID)
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

var (
	markup     = regexp.MustCompile(`<[^>]*>`)
	paragraphs = regexp.MustCompile(`</p>\s*<p[^>]*>`)
	lineBreaks = regexp.MustCompile(`<br\s*/?>`)
)

// text is a status's content as plain text: GoToSocial renders a blank line
// as two paragraphs and a line break as <br>.
func text(st gtstest.Status) string {
	s := paragraphs.ReplaceAllString(st.Content, "\n\n")
	s = lineBreaks.ReplaceAllString(s, "\n")
	return html.UnescapeString(markup.ReplaceAllString(s, ""))
}

// count is how many of the statuses carry exactly this text.
func count(list []gtstest.Status, want string) int {
	n := 0
	for _, st := range list {
		if text(st) == want {
			n++
		}
	}
	return n
}

func TestGoToSocialConnect(t *testing.T) {
	t.Parallel()
	g := connectGTS(t)
	ctx := context.Background()
	// A code the server never gave is refused.
	app, err := g.c.RegisterApp(ctx, g.srv.URL(), redirectURI, "https://tribune.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.c.Exchange(ctx, app, "code-never-given", "a-verifier-of-enough-length-0123456789abcdef"); err == nil {
		t.Error("GoToSocial accepted a code it never gave")
	}
	// A token the server never gave (or revoked) means the channel must be
	// reconnected: retrying would not help.
	bad := g.acct
	bad.Token.AccessToken = "not-a-token"
	if _, err := g.c.Publish(ctx, bad, network.PostRequest{AttemptKey: "3lbtuawq4tk1a", Text: "Not mine", CreatedAt: time.Now()}); err == nil || network.AsError(err).Kind != network.Unauthorized {
		t.Errorf("an unknown token gave %v, want Unauthorized", err)
	}
	if n := len(g.statuses(t)); n != 0 {
		t.Errorf("%d statuses, want none", n)
	}
}

// A post, a thread answering it and a first comment answering the thread,
// then deletion: what Tribune sends lands on the server as sent.
func TestGoToSocialPublishThreadDelete(t *testing.T) {
	t.Parallel()
	g := connectGTS(t)
	ctx := context.Background()
	now := time.Now()
	main, err := g.c.Publish(ctx, g.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk2a", Text: "Thread one", Link: "https://example.com/a?b=1&c=2", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if main.ID == "" || !strings.HasPrefix(main.URL, g.srv.URL()+"/@"+g.user.Username+"/statuses/") {
		t.Errorf("ref %+v: want the status id and its page on the instance", main)
	}
	second, err := g.c.Publish(ctx, g.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk2b", Text: "Thread two", ReplyTo: &main, Root: &main, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	comment, err := g.c.Publish(ctx, g.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk2c", Text: "First comment", ReplyTo: &second, Root: &main, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	got := g.statuses(t)
	if len(got) != 3 {
		t.Fatalf("%d statuses on the server, want 3: %+v", len(got), got)
	}
	wants := []struct {
		id, text string
		replyTo  *string
	}{{main.ID, "Thread one\n\nhttps://example.com/a?b=1&c=2", nil}, {second.ID, "Thread two", &main.ID}, {comment.ID, "First comment", &second.ID}}
	for i, w := range wants {
		st := got[i]
		if st.ID != w.id || text(st) != w.text {
			t.Errorf("status %d: %s %q, want %s %q", i, st.ID, text(st), w.id, w.text)
		}
		if (w.replyTo == nil) != (st.InReplyToID == nil) || (w.replyTo != nil && *st.InReplyToID != *w.replyTo) {
			t.Errorf("status %d answers %v, want %v", i, st.InReplyToID, w.replyTo)
		}
	}
	if live, err := g.c.CheckLive(ctx, g.acct, comment); !live || err != nil {
		t.Errorf("CheckLive of a published status: %v %v", live, err)
	}
	if err := g.c.Delete(ctx, g.acct, comment); err != nil {
		t.Fatal(err)
	}
	// GoToSocial answers the DELETE at once and removes the status in its
	// background worker: poll (a live status past the deadline is a failure).
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		live, err := g.c.CheckLive(ctx, g.acct, comment)
		if err != nil {
			t.Fatalf("CheckLive of a deleted status: %v", err)
		}
		if !live {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("CheckLive of a deleted status: still live 15 s after the delete, want not live")
		}
	}
	// Deleting again counts as deleted: the status is gone either way.
	if err := g.c.Delete(ctx, g.acct, comment); err != nil {
		t.Errorf("deleting a deleted status: %v", err)
	}
	for deadline := time.Now().Add(15 * time.Second); len(g.statuses(t)) != 2; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d statuses left 15 s after the delete, want 2", len(g.statuses(t)))
		}
	}
}

func pngImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for x := 0; x < 16; x++ {
		for y := 0; y < 12; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 20), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGoToSocialMediaWithAltText(t *testing.T) {
	t.Parallel()
	g := connectGTS(t)
	ctx := context.Background()
	raw := pngImage(t)
	up, err := g.c.UploadMedia(ctx, g.acct, network.Media{Filename: "lamp.png", MIME: "image/png", Size: int64(len(raw)), Width: 16, Height: 12, Alt: "A lamp on a desk",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		ready, err := g.c.MediaReady(ctx, g.acct, up)
		if err != nil {
			t.Fatal(err)
		}
		if ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the media is still processing after a minute")
		}
		time.Sleep(200 * time.Millisecond)
	}
	ref, err := g.c.Publish(ctx, g.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk2d", Text: "With a picture", Media: []network.UploadedMedia{up}, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	got := g.statuses(t)
	if len(got) != 1 || got[0].ID != ref.ID || len(got[0].Media) != 1 {
		t.Fatalf("statuses %+v: want one with the picture", got)
	}
	if m := got[0].Media[0]; m.ID != up.RemoteID || m.Type != "image" || m.Description != "A lamp on a desk" {
		t.Errorf("attachment %+v: want the uploaded image with its alt text", m)
	}
}

// Recover, against the server's real rendering of statuses (HTML, links,
// escaped characters): an attempt that landed is found, one that did not is
// reported not published, and a reply is told apart from a post with the
// same words.
func TestGoToSocialRecover(t *testing.T) {
	t.Parallel()
	g := connectGTS(t)
	ctx := context.Background()
	began := time.Now()
	landed := network.PostRequest{AttemptKey: "3lbtuawq4tk2e", Text: "Tom & Jerry <3 \"quotes\" #tribune\nsecond line", Link: "https://example.com/path?q=1&r=2", CreatedAt: began}
	ref, err := g.c.Publish(ctx, g.acct, landed)
	if err != nil {
		t.Fatal(err)
	}
	reply := network.PostRequest{AttemptKey: "3lbtuawq4tk2f", Text: "Same words", ReplyTo: &ref, CreatedAt: began}
	replyRef, err := g.c.Publish(ctx, g.acct, reply)
	if err != nil {
		t.Fatal(err)
	}
	other := network.Ref{ID: "01ARZ3NDEKTSV4RRFFQ69G5FAV"}
	tests := []struct {
		name string
		req  network.PostRequest
		want string // the status found; "" for not published
	}{
		{"landed", landed, ref.ID},
		{"reply that landed", reply, replyRef.ID},
		{"same words, not a reply", network.PostRequest{Text: "Same words", CreatedAt: began}, ""},
		{"same words, another parent", network.PostRequest{Text: "Same words", ReplyTo: &other, CreatedAt: began}, ""},
		{"never sent", network.PostRequest{Text: "Never sent", CreatedAt: began}, ""},
		{"sent before the attempt began", network.PostRequest{Text: landed.Text, Link: landed.Link, CreatedAt: began.Add(time.Hour)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.c.Recover(ctx, g.acct, tt.req)
			if tt.want == "" {
				if !errors.Is(err, network.ErrNotPublished) {
					t.Errorf("got %+v %v, want ErrNotPublished", got, err)
				}
				return
			}
			if err != nil || got.ID != tt.want {
				t.Errorf("got %+v %v, want %s", got, err, tt.want)
			}
		})
	}
}

// Never twice, for real: the server creates the status, then the reused
// keep-alive connection closes before its answer (httpxtest.Front between
// the connector and GoToSocial). GoToSocial ignores Idempotency-Key (see
// TestGoToSocialIgnoresIdempotencyKey), so a re-send by the transport would
// be a second status: there must be exactly one, for a post and for a reply
// (thread items and first comments), and Recover must then find it.
func TestGoToSocialLostAnswerIsNotSentAgain(t *testing.T) {
	t.Parallel()
	g := connectGTS(t)
	for _, reply := range []bool{false, true} {
		name := "post"
		if reply {
			name = "reply"
		}
		t.Run(name, func(t *testing.T) {
			var armed atomic.Bool
			front, lose := httpxtest.Front(t, g.srv.URL(), func(r *http.Request) bool {
				return armed.Load() && r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses"
			})
			ctx := context.Background()
			acct := g.acct
			acct.BaseURL = front.URL
			// A first call opens the connection the lost one reuses.
			first, err := g.c.Publish(ctx, acct, network.PostRequest{AttemptKey: "3lbtuawq4tk3a", Text: "Before " + name, CreatedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			req := network.PostRequest{AttemptKey: "3lbtuawq4tk3b", Text: "Only once: " + name, CreatedAt: time.Now()}
			if reply {
				req.ReplyTo, req.Root = &first, &first
			}
			armed.Store(true)
			_, err = g.c.Publish(ctx, acct, req)
			armed.Store(false)
			if lose.Lost() != 1 {
				t.Fatalf("%d answers lost, want 1", lose.Lost())
			}
			if ne := network.AsError(err); err == nil || ne.Kind != network.Temporary {
				t.Errorf("got %v, want a Temporary error (the answer was lost)", err)
			}
			if n := count(g.statuses(t), req.Text); n != 1 {
				t.Fatalf("GoToSocial holds %d statuses %q, want 1: the lost call was sent again", n, req.Text)
			}
			// What Tribune does next: recover finds the status that landed.
			ref, err := g.c.Recover(ctx, acct, req)
			if err != nil || ref.ID == "" {
				t.Errorf("Recover after the lost answer: %+v %v, want the status", ref, err)
			}
		})
	}
}

// The reason the test above matters: the same Idempotency-Key twice gives
// two statuses on GoToSocial (Mastodon would answer the first one again).
func TestGoToSocialIgnoresIdempotencyKey(t *testing.T) {
	t.Parallel()
	g := connectGTS(t)
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest(http.MethodPost, g.srv.URL()+"/api/v1/statuses", strings.NewReader("status=Keyed"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+g.acct.Token.AccessToken)
		req.Header.Set("Idempotency-Key", "3lbtuawq4tk4a")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /api/v1/statuses: %d", resp.StatusCode)
		}
	}
	if n := count(g.statuses(t), "Keyed"); n != 2 {
		t.Errorf("%d statuses for one key: GoToSocial now honours Idempotency-Key? (peers.md says it does not)", n)
	}
}

// Today's behaviour, for the lead to extend once per-channel and per-post
// visibility lands (issue 12 point 2): Tribune sends no visibility, so a
// status takes the account's default, which GoToSocial sets to "unlisted"
// for a new account — not "public" as on Mastodon.
func TestGoToSocialDefaultVisibility(t *testing.T) {
	t.Parallel()
	g := connectGTS(t)
	ref, err := g.c.Publish(context.Background(), g.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk5a", Text: "Who sees this?", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	got := g.statuses(t)
	if len(got) != 1 || got[0].ID != ref.ID || got[0].Visibility != "unlisted" {
		t.Errorf("statuses %+v: want one, unlisted (the new account's default)", got)
	}
}

// GoToSocial counts every character of a status, links included, whatever
// its characters_reserved_per_url says (issue 12 point 2): a text that fits
// by Mastodon's count (a link costs characters_reserved_per_url) is refused
// when the link's own length makes it too long, and the connector reports
// the refusal as permanent. A counter that follows the server must refuse it
// before sending.
func TestGoToSocialCountsLinksInFull(t *testing.T) {
	t.Parallel()
	g := connectGTS(t)
	maxChars, urlLength := g.srv.Limits(t)
	link := "https://example.com/" + strings.Repeat("l", 60)
	words := strings.Repeat("a", maxChars-urlLength-1)
	fits := func(text string) error {
		_, err := g.c.Publish(context.Background(), g.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk6a", Text: text, CreatedAt: time.Now()})
		return err
	}
	// By Mastodon's count: len(words) + 1 + URLLength = MaxChars.
	if err := fits(words + " " + link); err == nil || network.AsError(err).Kind != network.Permanent {
		t.Errorf("%d characters with a %d-character link: got %v, want a permanent refusal", len(words)+1+len(link), len(link), err)
	}
	// Counted in full, the same link fits with fewer words.
	if err := fits(words[:maxChars-len(link)-1] + " " + link); err != nil {
		t.Errorf("exactly %d characters, link counted in full: %v", maxChars, err)
	}
	if n := len(g.statuses(t)); n != 1 {
		t.Errorf("%d statuses, want 1", n)
	}
}
