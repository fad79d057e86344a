package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/network/mastodon/mastodonfake"
)

// wait is how long a test waits for something that should happen at once:
// generous, for a loaded machine; nothing waits this long when all is well.
const wait = 30 * time.Second

func newSource(t *testing.T, srv *mastodonfake.Server, values map[string]string) *Source {
	t.Helper()
	v := map[string]string{"instance": srv.URL(), "token": srv.Token()}
	for k, x := range values {
		v[k] = x
	}
	s, err := New(source.Config{Kind: "mastodon", Values: v}, source.Deps{HTTP: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Source)
}

// run runs s in the background, passing every batch on; stop cancels it
// and returns Run's result.
type run struct {
	batches chan source.Batch
	done    chan error
	cancel  context.CancelFunc
}

func start(s *Source, cursor string) *run {
	ctx, cancel := context.WithCancel(context.Background())
	r := &run{batches: make(chan source.Batch, 100), done: make(chan error, 1), cancel: cancel}
	go func() {
		r.done <- s.Run(ctx, cursor, func(_ context.Context, b source.Batch) error {
			r.batches <- b
			return nil
		})
	}()
	return r
}

func (r *run) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run after cancel = %v, want nil", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return after cancel")
	}
}

// posts collects batches until n posts arrived, and returns them with the
// last cursor.
func (r *run) posts(t *testing.T, n int) ([]source.Post, string) {
	t.Helper()
	var got []source.Post
	var cursor string
	deadline := time.After(wait)
	for len(got) < n {
		select {
		case b := <-r.batches:
			got = append(got, b.Posts...)
			cursor = b.Cursor
		case err := <-r.done:
			t.Fatalf("Run ended with %v after %d of %d posts", err, len(got), n)
		case <-deadline:
			t.Fatalf("got %d of %d posts", len(got), n)
		}
	}
	return got, cursor
}

func connected(t *testing.T, srv *mastodonfake.Server) {
	t.Helper()
	select {
	case <-srv.Connected():
	case <-time.After(wait):
		t.Fatal("the source never connected its stream")
	}
}

// following waits until the fake's open connections follow want (a
// WebSocket subscription lands after the connection opens).
func following(t *testing.T, srv *mastodonfake.Server, want ...string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !slices.Equal(srv.PublicStreams(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("following %q, want %q", srv.PublicStreams(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func texts(ps []source.Post) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Text
	}
	return out
}

func TestStreamsHashtags(t *testing.T) {
	t.Parallel()
	for _, refuseWS := range []bool{false, true} {
		t.Run(fmt.Sprintf("refuse websocket %v", refuseWS), func(t *testing.T) {
			t.Parallel()
			srv := mastodonfake.New(t)
			srv.RefuseWebSocket = refuseWS
			bob := srv.AddAccount("bob")
			s := newSource(t, srv, map[string]string{"hashtags": "#Tribune, veille"})
			r := start(s, "")
			defer r.stop(t)
			connected(t, srv)
			if refuseWS { // one event stream per hashtag
				connected(t, srv)
			}
			following(t, srv, "hashtag tribune", "hashtag veille")
			srv.PostAs(bob, mastodonfake.Post{Text: "nothing to see"})
			srv.PostAs(bob, mastodonfake.Post{Text: "J'adore #tribune", Lang: "fr"})
			srv.PostAs(bob, mastodonfake.Post{Text: "ma #Veille du jour"})
			srv.PostAs(bob, mastodonfake.Post{Text: "#tribune en privé", Visibility: "unlisted"})
			got, cursor := r.posts(t, 2)
			slices.SortFunc(got, func(a, b source.Post) int { return strings.Compare(a.Text, b.Text) })
			if want := []string{"J'adore #tribune", "ma #Veille du jour"}; !slices.Equal(texts(got), want) {
				t.Fatalf("got %q, want %q", texts(got), want)
			}
			p := got[0]
			// A local account's handle names the instance's domain, from its
			// instance document, not the address Tribune reaches it at.
			if p.Network != "mastodon" || !strings.Contains(p.ExternalID, "/statuses/") || p.URL == "" || p.Author != "bob@"+srv.Domain ||
				p.AuthorName != "Bob" || p.AuthorFollowers != mastodonfake.Followers || p.Lang != "fr" || p.CreatedAt.IsZero() {
				t.Errorf("post = %+v", p)
			}
			if cursor == "" {
				t.Error("no cursor")
			}
		})
	}
}

// The guarantee: a status posted while the source was away (the stream
// dropped, the process restarted) is heard on the next connection, through
// the timeline, from the stored cursor — across several pages.
func TestGapFillAfterDrop(t *testing.T) {
	t.Parallel()
	srv := mastodonfake.New(t)
	bob := srv.AddAccount("bob")
	s := newSource(t, srv, map[string]string{"hashtags": "tribune"})
	r := start(s, "")
	connected(t, srv)
	srv.PostAs(bob, mastodonfake.Post{Text: "#tribune one"})
	_, cursor := r.posts(t, 1)

	srv.DropStreams()
	select {
	case err := <-r.done:
		if err == nil || errors.Is(err, source.ErrPermanent) {
			t.Fatalf("Run after a dropped stream = %v, want a retryable error", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not notice the dropped stream")
	}

	// While away: 45 statuses on the tag (more than a page of 40) and
	// others that are not.
	for i := range 45 {
		srv.PostAs(bob, mastodonfake.Post{Text: fmt.Sprintf("#tribune away %02d", i)})
		srv.PostAs(bob, mastodonfake.Post{Text: "off topic"})
	}
	r = start(s, cursor)
	defer r.stop(t)
	connected(t, srv)
	got, cursor2 := r.posts(t, 45)
	for i, p := range got {
		if want := fmt.Sprintf("#tribune away %02d", i); p.Text != want {
			t.Fatalf("post %d = %q, want %q (the gap in order, oldest first)", i, p.Text, want)
		}
	}
	if newest(cursor, cursor2) != cursor2 || cursor2 == cursor {
		t.Errorf("cursor went from %s to %s, want it to move on", cursor, cursor2)
	}
	// And the stream goes on after the gap.
	srv.PostAs(bob, mastodonfake.Post{Text: "#tribune live again"})
	got, _ = r.posts(t, 1)
	if got[0].Text != "#tribune live again" {
		t.Errorf("after the gap: %q", got[0].Text)
	}
	var tl int
	for _, req := range srv.Requests() {
		if req == "GET /api/v1/timelines/tag/tribune" {
			tl++
		}
	}
	if tl != 3 {
		t.Errorf("%d timeline pages read, want 3 (the empty first look, then 40 + 5)", tl)
	}
}

func TestLocalPublicTimeline(t *testing.T) {
	t.Parallel()
	srv := mastodonfake.New(t)
	bob := srv.AddAccount("bob")
	far := srv.AddAccount("zoe@elsewhere.test")
	s := newSource(t, srv, map[string]string{"local": "yes"})
	srv.PostAs(bob, mastodonfake.Post{Text: "before"})
	first := srv.Statuses()[0].ID
	srv.PostAs(far, mastodonfake.Post{Text: "remote while away"})
	srv.PostAs(bob, mastodonfake.Post{Text: "local while away"})
	r := start(s, first)
	defer r.stop(t)
	connected(t, srv)
	srv.PostAs(far, mastodonfake.Post{Text: "remote live"})
	srv.PostAs(bob, mastodonfake.Post{Text: "local live"})
	got, _ := r.posts(t, 2)
	if want := []string{"local while away", "local live"}; !slices.Equal(texts(got), want) {
		t.Fatalf("got %q, want %q", texts(got), want)
	}
	if got[0].Author != "bob@fake.test" {
		t.Errorf("author %q", got[0].Author)
	}
}

// A server that accepts a stream but pushes nothing on it (GoToSocial
// does so for public streams) is read through the timeline every poll.
func TestPollsWhileStreaming(t *testing.T) {
	t.Parallel()
	srv := mastodonfake.New(t)
	srv.MutePublic = true
	bob := srv.AddAccount("bob")
	srv.PostAs(bob, mastodonfake.Post{Text: "#tribune already there"})
	s := newSource(t, srv, map[string]string{"hashtags": "tribune"})
	s.poll = 50 * time.Millisecond
	r := start(s, "")
	defer r.stop(t)
	connected(t, srv)
	// The start stores the newest status as the cursor, without it: a
	// source starts from now.
	select {
	case b := <-r.batches:
		if len(b.Posts) != 0 || b.Cursor != srv.Statuses()[0].ID {
			t.Fatalf("first batch %+v, want the cursor at %s alone", b, srv.Statuses()[0].ID)
		}
	case <-time.After(wait):
		t.Fatal("no first cursor")
	}
	srv.PostAs(bob, mastodonfake.Post{Text: "#tribune never streamed"})
	got, _ := r.posts(t, 1)
	if got[0].Text != "#tribune never streamed" {
		t.Errorf("polled %q", got[0].Text)
	}
}

// A server with no stream for us (GoToSocial has no event streams, and
// here a proxy refuses WebSockets) is heard through its timeline alone.
func TestNoStreamPollsOnly(t *testing.T) {
	t.Parallel()
	srv := mastodonfake.New(t)
	srv.Software, srv.RefuseWebSocket = mastodonfake.GoToSocial, true
	bob := srv.AddAccount("bob")
	srv.PostAs(bob, mastodonfake.Post{Text: "#tribune before"})
	s := newSource(t, srv, map[string]string{"hashtags": "tribune"})
	s.poll = 50 * time.Millisecond
	r := start(s, srv.Statuses()[0].ID)
	defer r.stop(t)
	srv.PostAs(bob, mastodonfake.Post{Text: "#tribune polled"})
	got, _ := r.posts(t, 1)
	if got[0].Text != "#tribune polled" {
		t.Errorf("got %q", got[0].Text)
	}
}

func TestRefusedToken(t *testing.T) {
	t.Parallel()
	srv := mastodonfake.New(t)
	s, err := New(source.Config{Values: map[string]string{"instance": srv.URL(), "token": "wrong"}}, source.Deps{HTTP: http.DefaultClient})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Run(context.Background(), "", func(context.Context, source.Batch) error { return nil })
	if !errors.Is(err, source.ErrUnauthorized) {
		t.Fatalf("Run with a refused token = %v, want ErrUnauthorized", err)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		values map[string]string
		field  string
	}{
		{map[string]string{"token": "t"}, "instance"},
		{map[string]string{"instance": "https://m.test/@bob", "token": "t"}, "instance"},
		{map[string]string{"instance": "https://m.test"}, "token"},
		{map[string]string{"instance": "https://m.test", "token": "t", "hashtags": "ok, not-a-tag"}, "hashtags"},
		{map[string]string{"instance": "https://m.test", "token": "t", "local": "maybe"}, "local"},
	} {
		_, err := New(source.Config{Values: tc.values}, source.Deps{})
		if !errors.Is(err, source.ErrPermanent) || !strings.Contains(err.Error(), ": "+tc.field+":") {
			t.Errorf("New(%v) = %v, want a permanent error naming %s", tc.values, err, tc.field)
		}
	}
	s, err := New(source.Config{Values: map[string]string{"instance": "mastodon.test/", "token": "t", "hashtags": "#A  b,c"}}, source.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(*Source); got.base != "https://mastodon.test" || !slices.Equal(got.tags, []string{"a", "b", "c"}) {
		t.Errorf("base %q tags %q", got.base, got.tags)
	}
}
