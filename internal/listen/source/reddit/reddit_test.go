package reddit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
)

func newSource(t *testing.T, f *fakeReddit, values map[string]string) *Source {
	t.Helper()
	v := map[string]string{"client_id": f.id, "client_secret": f.sec, "username": "tribune_dev"}
	for k, x := range values {
		v[k] = x
	}
	s, err := New(source.Config{Kind: "reddit", Values: v}, source.Deps{HTTP: f.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	rs := s.(*Source)
	rs.tokenURL, rs.apiURL = f.srv.URL+"/api/v1/access_token", f.srv.URL
	return rs
}

func titles(b source.Batch) []string {
	out := make([]string, len(b.Posts))
	for i, p := range b.Posts {
		out[i] = strings.SplitN(p.Text, " — ", 2)[0]
	}
	return out
}

// The guarantee: each poll hands over exactly the posts newer than the
// cursor, oldest first, however many pages they span.
func TestSubredditListingResumes(t *testing.T) {
	t.Parallel()
	f := newFakeReddit(t)
	f.add("france", 3, "old")
	f.add("other", 2, "elsewhere")
	s := newSource(t, f, map[string]string{"subreddits": "r/France"})
	ctx := context.Background()

	b, err := s.poll(ctx, cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(titles(b)), "[old 0 old 1 old 2]"; got != want {
		t.Fatalf("first poll = %s, want %s", got, want)
	}
	p := b.Posts[0]
	if p.Network != "reddit" || !strings.HasPrefix(p.ExternalID, "t3_") || !strings.HasPrefix(p.URL, "https://www.reddit.com/r/france/comments/") ||
		p.Author != "u/user1" || p.Text != "old 0 — body & text" || p.AuthorFollowers != -1 || p.CreatedAt.Unix() != 1_780_000_001 {
		t.Errorf("post = %+v", p)
	}
	if calls := f.apiCalls(); !strings.HasPrefix(calls[0], "/r/France/new?") {
		t.Errorf("called %s, want /r/France/new", calls[0])
	}

	// 150 new posts: two pages, all handed over, in order.
	f.add("france", 150, "new")
	b, err = s.poll(ctx, parseCursor(b.Cursor))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Posts) != 150 || titles(b)[0] != "new 0" || titles(b)[149] != "new 149" {
		t.Fatalf("second poll: %d posts, first %q; want 150 from new 0 to new 149", len(b.Posts), titles(b)[0])
	}
	c := parseCursor(b.Cursor)

	// Nothing new: nothing handed over, one call.
	before := len(f.apiCalls())
	b, err = s.poll(ctx, c)
	if err != nil || len(b.Posts) != 0 || len(f.apiCalls()) != before+1 {
		t.Fatalf("third poll: %d posts, %d calls, err %v; want none, 1 call", len(b.Posts), len(f.apiCalls())-before, err)
	}

	// The cursor's post deleted: the source stops at older posts instead of
	// paging back through the whole subreddit.
	f.remove(c.Name)
	f.add("france", 1, "after delete")
	before = len(f.apiCalls())
	b, err = s.poll(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(titles(b)); got != "[after delete 0]" || len(f.apiCalls()) != before+1 {
		t.Errorf("after a deletion: %s in %d calls, want [after delete 0] in 1", got, len(f.apiCalls())-before)
	}
}

// Run from a stored cursor hands over only what is newer, then waits for
// the next interval.
func TestRunFromStoredCursor(t *testing.T) {
	t.Parallel()
	f := newFakeReddit(t)
	old := f.add("france", 2, "old")
	f.add("france", 2, "new")
	s := newSource(t, f, map[string]string{"subreddits": "france"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []source.Batch
	err := s.Run(ctx, `{"name":"`+old[1]+`","created":1780000002}`, func(_ context.Context, b source.Batch) error {
		got = append(got, b)
		cancel()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || fmt.Sprint(titles(got[0])) != "[new 0 new 1]" {
		t.Fatalf("batches %+v, want one with new 0 and new 1", got)
	}
	if c := parseCursor(got[0].Cursor); c.Created != 1780000004 {
		t.Errorf("cursor %+v, want the newest post's time", c)
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	f := newFakeReddit(t)
	f.add("france", 2, "Tribune est là")
	f.add("france", 2, "autre chose")
	f.add("marketing", 1, "tribune ailleurs")
	for _, tc := range []struct {
		subs, path string
		want       int
	}{{"", "/search?", 3}, {"france", "/r/france/search?", 2}} {
		s := newSource(t, f, map[string]string{"query": "tribune", "subreddits": tc.subs})
		b, err := s.poll(context.Background(), cursor{})
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Posts) != tc.want {
			t.Errorf("search in %q: %d posts %q, want %d", tc.subs, len(b.Posts), titles(b), tc.want)
		}
		calls := f.apiCalls()
		if last := calls[len(calls)-1]; !strings.HasPrefix(last, tc.path) || !strings.Contains(last, "sort=new") {
			t.Errorf("called %s, want %s…sort=new", last, tc.path)
		}
	}
}

// The guarantee: when an answer says the allowance is spent, the next call
// waits for the period's end (the fake reports a call made before).
func TestRateLimitHeadersRespected(t *testing.T) {
	t.Parallel()
	f := newFakeReddit(t)
	s := newSource(t, f, map[string]string{"subreddits": "france"})
	cur := parseCursor(`{"name":"t3_none","created":1}`)
	f.add("france", 150, "p") // two pages
	f.limit(1, time.Second)
	start := time.Now()
	b, err := s.poll(context.Background(), cur)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Posts) != 150 {
		t.Fatalf("%d posts, want 150", len(b.Posts))
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("two pages in %v with one call allowed a second: the limit was not waited for", d)
	}
}

func TestTokenRenewedWhenRefused(t *testing.T) {
	t.Parallel()
	f := newFakeReddit(t)
	f.add("france", 1, "x")
	s := newSource(t, f, map[string]string{"subreddits": "france"})
	if _, err := s.poll(context.Background(), cursor{}); err != nil {
		t.Fatal(err)
	}
	f.revokeTokens()
	if _, err := s.poll(context.Background(), cursor{}); err != nil {
		t.Fatalf("poll after the token was revoked = %v, want a new token and success", err)
	}
	if f.tokenHits != 2 {
		t.Errorf("%d tokens asked for, want 2", f.tokenHits)
	}
}

func TestBadCredentials(t *testing.T) {
	t.Parallel()
	f := newFakeReddit(t)
	s := newSource(t, f, map[string]string{"subreddits": "france", "client_secret": "wrong"})
	err := s.Run(context.Background(), "", func(context.Context, source.Batch) error { return nil })
	if !errors.Is(err, source.ErrUnauthorized) || !strings.Contains(err.Error(), "client_secret") {
		t.Fatalf("Run = %v, want ErrUnauthorized naming the credentials", err)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	ok := map[string]string{"client_id": "a", "client_secret": "b", "subreddits": "france"}
	for _, tc := range []struct {
		change map[string]string
		field  string
	}{
		{map[string]string{"subreddits": ""}, "query"},
		{map[string]string{"subreddits": "not a/sub!"}, "subreddits"},
		{map[string]string{"client_id": ""}, "client_id"},
		{map[string]string{"client_secret": " "}, "client_secret"},
		{map[string]string{"interval": "0"}, "interval"},
		{map[string]string{"query": strings.Repeat("a", 600)}, "query"},
	} {
		v := map[string]string{}
		for k, x := range ok {
			v[k] = x
		}
		for k, x := range tc.change {
			v[k] = x
		}
		_, err := New(source.Config{Values: v}, source.Deps{})
		if !errors.Is(err, source.ErrPermanent) || !strings.Contains(err.Error(), ": "+tc.field+":") {
			t.Errorf("New with %v = %v, want a permanent error naming %s", tc.change, err, tc.field)
		}
	}
	s, err := New(source.Config{Values: ok}, source.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if ua := s.(*Source).agent; !userAgentRE.MatchString(ua) {
		t.Errorf("User-Agent %q", ua)
	}
}
