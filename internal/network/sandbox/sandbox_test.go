package sandbox

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

// testControl is the control token of the test servers.
const testControl = "test-control-token"

func start(t *testing.T, opt Options) (*Server, string) {
	t.Helper()
	opt.ControlToken = testControl
	s, err := NewServer(opt)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(func() { hs.Close(); s.Close() })
	return s, hs.URL
}

func TestPublishThreadMediaDelete(t *testing.T) {
	s, u := start(t, Options{Idempotency: true})
	ctx := context.Background()
	c := NewConnector(nil)
	acct, err := c.CreateAccount(ctx, u, "", "shop")
	if err != nil {
		t.Fatal(err)
	}
	img := network.Media{Filename: "a.png", MIME: "image/png", Alt: "a lamp", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("png")), nil }}
	up, err := c.UploadMedia(ctx, acct, img)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := c.MediaReady(ctx, acct, up); !ok || err != nil {
		t.Fatalf("media not ready: %v", err)
	}
	first, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "k1", Text: "Hello", Media: []network.UploadedMedia{up}})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "k1", Text: "Hello"})
	if err != nil || again.ID != first.ID {
		t.Fatalf("same key gave %v %v, want the first post", again, err)
	}
	reply, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "k2", Text: "Second", ReplyTo: &first})
	if err != nil {
		t.Fatal(err)
	}
	got := s.Received()
	if len(got) != 2 || got[1].ReplyTo != first.ID || len(got[0].Media) != 1 {
		t.Fatalf("received %+v", got)
	}
	if err := c.Delete(ctx, acct, reply); err != nil {
		t.Fatal(err)
	}
	if live, err := c.CheckLive(ctx, acct, reply); live || err != nil {
		t.Errorf("deleted post live=%v err=%v", live, err)
	}
	if live, err := c.CheckLive(ctx, acct, first); !live || err != nil {
		t.Errorf("post live=%v err=%v", live, err)
	}
}

func TestNetworkRulesAndFaults(t *testing.T) {
	_, u := start(t, Options{Hang: 2 * time.Second})
	ctx := context.Background()
	c := NewConnector(&http.Client{Timeout: 300 * time.Millisecond})
	c.ControlToken = testControl
	acct, _ := c.CreateAccount(ctx, u, "", "shop")
	_, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "a", Text: strings.Repeat("x", 501)})
	if ne := network.AsError(err); ne.Kind != network.Permanent || !strings.Contains(ne.Message, "limit is 500") {
		t.Errorf("over-long post: %v", err)
	}
	_, err = c.Publish(ctx, acct, network.PostRequest{AttemptKey: "b", Text: "bad " + RejectTag})
	if ne := network.AsError(err); ne.Kind != network.Permanent || !strings.Contains(ne.Message, "moderation") {
		t.Errorf("moderated post: %v", err)
	}
	if err := c.SetFaults(ctx, u, Faults{Mode: "rate_limit", RetryAfter: 7, Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(ctx, acct, network.PostRequest{AttemptKey: "c", Text: "hi"})
	if ne := network.AsError(err); ne.Kind != network.RateLimited || ne.RetryAfter != 7*time.Second {
		t.Errorf("rate limit: %v", err)
	}
	if _, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "c", Text: "hi"}); err != nil {
		t.Errorf("after the counted fault: %v", err)
	}
	_ = c.SetFaults(ctx, u, Faults{Mode: "error", Status: 503, Count: 1, Account: acct.ExternalID})
	if _, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "d", Text: "x"}); network.AsError(err).Kind != network.Temporary || network.AsError(err).Status != 503 {
		t.Errorf("503: %v", err)
	}
	// A time-out: the post lands, the answer never comes; Recover finds it.
	_ = c.SetFaults(ctx, u, Faults{Mode: "timeout", Count: 1})
	req := network.PostRequest{AttemptKey: "e", Text: "lost answer", CreatedAt: time.Now()}
	if _, err := c.Publish(ctx, acct, req); network.AsError(err).Kind != network.Temporary {
		t.Fatalf("timeout: %v", err)
	}
	if ref, err := c.Recover(ctx, acct, req); err != nil || ref.ID == "" {
		t.Errorf("recover landed: %v %v", ref, err)
	}
	if _, err := c.Recover(ctx, acct, network.PostRequest{AttemptKey: "never", CreatedAt: time.Now()}); !errors.Is(err, network.ErrNotPublished) {
		t.Errorf("recover absent: %v", err)
	}
	bad := acct
	bad.Token.AccessToken = "nope"
	if _, err := c.Publish(ctx, bad, network.PostRequest{Text: "x"}); network.AsError(err).Kind != network.Unauthorized {
		t.Errorf("bad token: %v", err)
	}
}

func TestDataFileSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sandbox.jsonl")
	s, u := start(t, Options{DataFile: file, Idempotency: true})
	ctx := context.Background()
	c := NewConnector(nil)
	acct, _ := c.CreateAccount(ctx, u, "", "shop")
	if _, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "k", Text: "kept"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, u2 := start(t, Options{DataFile: file, Idempotency: true})
	if got := s2.Received(); len(got) != 1 || got[0].Text != "kept" {
		t.Fatalf("after restart: %+v", got)
	}
	acct.BaseURL = u2
	if _, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "k2", Text: "token still valid"}); err != nil {
		t.Errorf("token lost: %v", err)
	}
}

// "hidden" accepts a post that shows only later: the answer says so, and
// the post cannot be read until then (but is in the account's record).
func TestHiddenPostsShowLate(t *testing.T) {
	s, u := start(t, Options{})
	ctx := context.Background()
	c := NewConnector(nil)
	c.ControlToken = testControl
	acct, _ := c.CreateAccount(ctx, u, "", "shop")
	now, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "a", Text: "at once"})
	if err != nil || !now.Live {
		t.Fatalf("ordinary post: live=%v err=%v, want live", now.Live, err)
	}
	if err := c.SetFaults(ctx, u, Faults{Mode: "hidden", HideSeconds: 1, Count: 1}); err != nil {
		t.Fatal(err)
	}
	late, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "b", Text: "later", CreatedAt: time.Now()})
	if err != nil || late.Live {
		t.Fatalf("hidden post: live=%v err=%v, want accepted and not live", late.Live, err)
	}
	if live, err := c.CheckLive(ctx, acct, late); live || err != nil {
		t.Errorf("hidden post right away: live=%v err=%v", live, err)
	}
	if ref, err := c.Recover(ctx, acct, network.PostRequest{AttemptKey: "b", CreatedAt: time.Now()}); err != nil || ref.ID != late.ID {
		t.Errorf("the account's record misses the hidden post: %v %v", ref, err)
	}
	time.Sleep(1100 * time.Millisecond)
	if live, err := c.CheckLive(ctx, acct, late); !live || err != nil {
		t.Errorf("hidden post a second later: live=%v err=%v", live, err)
	}
	if next, _ := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "c", Text: "fault spent"}); !next.Live {
		t.Error("the fault outlived its count")
	}
	if got := s.Received(); len(got) != 3 {
		t.Errorf("received %d posts, want 3", len(got))
	}
}

// A slow network takes a post it has read even when the client gave up
// waiting: what a process killed mid-call leaves behind.
func TestSlowPostsLandAfterTheClientLeft(t *testing.T) {
	s, u := start(t, Options{})
	ctx := context.Background()
	control := NewConnector(nil)
	control.ControlToken = testControl
	acct, err := control.CreateAccount(ctx, u, "w1", "shop")
	if err != nil {
		t.Fatal(err)
	}
	if err := control.SetFaults(ctx, u, Faults{Mode: "slow", DelayMS: 400}); err != nil {
		t.Fatal(err)
	}
	c := NewConnector(&http.Client{Timeout: 100 * time.Millisecond})
	if _, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "a", Text: "slow"}); err == nil {
		t.Fatal("a 400 ms post answered within the client's 100 ms")
	}
	if n := len(s.Received()); n != 0 {
		t.Fatalf("the post landed before the delay: %d received", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Received()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the post never landed after its client left")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
