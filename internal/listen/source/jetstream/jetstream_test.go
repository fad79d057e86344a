package jetstream_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/atproto"
	"github.com/tribune-social/tribune/internal/listen/source/jetstream"
	"github.com/tribune-social/tribune/internal/listen/source/jetstream/jetstreamtest"
	"github.com/tribune-social/tribune/internal/network/httpx"
)

var localClient = func() *http.Client {
	c := httpx.NewClient(httpx.Options{AllowPrivate: true})
	c.Timeout = 0
	return c
}()

const (
	alice = "did:plc:alice2aaaaaaaaaaaaaaaaaa"
	bob   = "did:plc:bob33bbbbbbbbbbbbbbbbbbb"
)

// t0 is the first event's time.
var t0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC).UnixMicro()

// sink is the runner's part: it stores batches as they come and keeps one
// copy of each post, as the mentions table does.
type sink struct {
	mu      sync.Mutex
	batches []source.Batch
	posts   map[string]source.Post
	seen    int // posts received, duplicates included
	cursor  string
}

func newSink() *sink { return &sink{posts: map[string]source.Post{}} }

func (s *sink) emit(_ context.Context, b source.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, b)
	for _, p := range b.Posts {
		s.posts[p.ExternalID] = p
		s.seen++
	}
	s.cursor = b.Cursor
	return nil
}

func (s *sink) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.posts) }

func (s *sink) stored() string { s.mu.Lock(); defer s.mu.Unlock(); return s.cursor }

func (s *sink) post(uri string) (source.Post, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[uri]
	return p, ok
}

// waitFor polls until cond holds (a loaded machine gets 30 s).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// run starts src.Run and returns a function that stops it and returns
// Run's error.
func run(t *testing.T, src source.Source, cursor string, s *sink) (stop func() error, done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() { ch <- src.Run(ctx, cursor, s.emit) }()
	t.Cleanup(cancel)
	return func() error {
		cancel()
		select {
		case err := <-ch:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not return after its context ended")
			return nil
		}
	}, ch
}

func newSource(t *testing.T, values map[string]string, log *bytes.Buffer) *jetstream.Source {
	t.Helper()
	deps := source.Deps{HTTP: localClient, Now: time.Now}
	if log != nil {
		deps.Log = slog.New(slog.NewTextHandler(log, nil))
	}
	src, err := jetstream.New(source.Config{Kind: "jetstream", Values: values}, deps)
	if err != nil {
		t.Fatal(err)
	}
	js := src.(*jetstream.Source)
	js.Pump = atproto.Pump{MaxDelay: 5 * time.Millisecond, CursorDelay: 5 * time.Millisecond}
	return js
}

func post(did, rkey string, at int64, text string, langs ...string) jetstreamtest.Event {
	rec := map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": time.UnixMicro(at).UTC().Format(time.RFC3339Nano)}
	if len(langs) > 0 {
		rec["langs"] = langs
	}
	return jetstreamtest.Event{DID: did, TimeUS: at, Operation: "create", Collection: "app.bsky.feed.post", RKey: rkey, Record: rec}
}

func uri(did, rkey string) string { return "at://" + did + "/app.bsky.feed.post/" + rkey }

// A stream of posts, likes, deletes and identity changes gives the posts
// it created, credited to a handle when one was announced, on both wires,
// compressed or not.
func TestCreatedPostsBecomePosts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		path     string
		compress string
	}{
		{"v1 zstd", "/subscribe", ""},
		{"v1 plain", "/subscribe", "off"},
		{"v2 zstd", "/xrpc/network.bsky.jetstream.subscribeEvents", "zstd"},
		{"v2 plain", "/xrpc/network.bsky.jetstream.subscribeEvents", "off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// v2's dictionary comes from the server: give it an ID of its
			// own, so a client using the embedded v1 one would fail.
			dict := slices.Clone(jetstream.LegacyDictionary)
			if tc.path != "/subscribe" {
				copy(dict[4:8], []byte{7, 0, 0, 0})
			}
			srv := jetstreamtest.New(t, dict)
			srv.Publish(
				jetstreamtest.Event{Kind: "identity", DID: alice, TimeUS: t0, Handle: "alice.test"},
				post(alice, "3aaa", t0+1, "La rentrée des classes", "fr", "en"),
				jetstreamtest.Event{DID: bob, TimeUS: t0 + 2, Operation: "create", Collection: "app.bsky.feed.like", RKey: "3lik", Record: map[string]any{"$type": "app.bsky.feed.like"}},
				post(bob, "3bbb", t0+3, "no language"),
				jetstreamtest.Event{DID: alice, TimeUS: t0 + 4, Operation: "delete", Collection: "app.bsky.feed.post", RKey: "3aaa"},
				jetstreamtest.Event{DID: bob, TimeUS: t0 + 5, Operation: "update", Collection: "app.bsky.feed.post", RKey: "3bbb", Record: map[string]any{"text": "edited"}},
			)
			src := newSource(t, map[string]string{"url": srv.WS(tc.path), "compression": tc.compress, "dids": alice + ", " + bob}, nil)
			s := newSink()
			stop, _ := run(t, src, strconv.FormatInt(t0, 10), s)
			last := strconv.FormatInt(t0+5, 10)
			if tc.path != "/subscribe" {
				last += ":6"
			}
			waitFor(t, "the last event's cursor", func() bool { return s.stored() == last })
			if err := stop(); err != nil {
				t.Errorf("Run = %v after its context ended, want nil", err)
			}
			if s.count() != 2 || s.seen != 2 {
				t.Errorf("%d posts (%d received), want 2: %v", s.count(), s.seen, s.posts)
			}
			p, _ := s.post(uri(alice, "3aaa"))
			want := source.Post{Network: "bluesky", ExternalID: uri(alice, "3aaa"), URL: "https://bsky.app/profile/" + alice + "/post/3aaa",
				Author: "alice.test", AuthorFollowers: -1, Text: "La rentrée des classes", Lang: "fr", CreatedAt: time.UnixMicro(t0 + 1).UTC()}
			if p != want {
				t.Errorf("alice's post\n got %+v\nwant %+v", p, want)
			}
			if p, _ := s.post(uri(bob, "3bbb")); p.Author != bob || p.Lang != "" || p.Text != "no language" {
				t.Errorf("bob's post = %+v, want credited to his DID, no language", p)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d connections, want 1", len(reqs))
			}
			q := reqs[0].Query
			wantCursor := strconv.FormatInt(t0-jetstream.Rewind.Microseconds(), 10) // rewound
			if tc.path == "/subscribe" {
				if q.Get("wantedCollections") != "app.bsky.feed.post" || !slices.Equal(q["wantedDids"], []string{alice, bob}) ||
					q.Get("cursor") != wantCursor || (q.Get("compress") == "true") != (tc.compress != "off") {
					t.Errorf("v1 query = %v", q)
				}
			} else {
				wantDict := ""
				if tc.compress != "off" {
					wantDict = "7"
				}
				if q.Get("collections") != "app.bsky.feed.post" || !slices.Equal(q["dids"], []string{alice, bob}) ||
					!slices.Equal(q["kinds"], []string{"commit", "identity"}) || q.Get("cursor") != wantCursor ||
					q.Get("zstdDictionary") != wantDict || reqs[0].Protocol != "xrpc.v1.json" {
					t.Errorf("v2 query = %v, protocol %q", q, reqs[0].Protocol)
				}
			}
		})
	}
}

// A connection cut in the middle of the stream ends Run with an error the
// runner retries; run again from the stored cursor, the source gets every
// post, each stored once.
func TestResumesFromTheCursorAfterADroppedConnection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, path, compress string }{
		{"v1 zstd", "/subscribe", ""},
		{"v1 plain", "/subscribe", "off"},
		{"v2 zstd", "/xrpc/network.bsky.jetstream.subscribeEvents", ""},
		{"v2 plain", "/xrpc/network.bsky.jetstream.subscribeEvents", "off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := jetstreamtest.New(t, jetstream.LegacyDictionary)
			srv.DropAfter = []int{4}
			var want []string
			for i := range 10 {
				// A second apart: the 5 s rewind replays some of them.
				at := t0 + int64(i)*1e6
				srv.Publish(post(alice, fmt.Sprintf("3p%02d", i), at, fmt.Sprintf("post %d", i)))
				want = append(want, uri(alice, fmt.Sprintf("3p%02d", i)))
			}
			src := newSource(t, map[string]string{"url": srv.WS(tc.path), "compression": tc.compress}, nil)
			s := newSink()
			_, done := run(t, src, strconv.FormatInt(t0, 10), s)
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Run did not end when the connection dropped")
			}
			if err == nil || errors.Is(err, source.ErrPermanent) || !strings.Contains(err.Error(), "dropped") {
				t.Fatalf("Run = %v, want a retryable error saying the connection dropped", err)
			}
			if s.count() != 4 {
				t.Fatalf("%d posts before the drop, want the 4 sent", s.count())
			}
			stored := s.stored()
			stop, _ := run(t, src, stored, s)
			waitFor(t, "all ten posts", func() bool { return s.count() == 10 })
			if err := stop(); err != nil {
				t.Error(err)
			}
			got := make([]string, 0, 10)
			for u := range s.posts {
				got = append(got, u)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("posts %v, want %v", got, want)
			}
			q := srv.Requests()[1].Query
			if tc.path == "/subscribe" {
				// The time of the fourth post, rewound 5 s.
				if wantCursor := strconv.FormatInt(t0+3e6-5e6, 10); q.Get("cursor") != wantCursor {
					t.Errorf("resumed with cursor %q (stored %q), want %s", q.Get("cursor"), stored, wantCursor)
				}
			} else if q.Get("cursor") != "4" {
				t.Errorf("resumed with cursor %q (stored %q), want seq 4 (inclusive)", q.Get("cursor"), stored)
			}
		})
	}
}

// A frame that does not decode is skipped and said in the log; a run of
// them ends the connection with an error that says so.
func TestMalformedFrames(t *testing.T) {
	t.Parallel()
	t.Run("one is skipped", func(t *testing.T) {
		t.Parallel()
		srv := jetstreamtest.New(t, nil)
		srv.Publish(post(alice, "3a", t0, "before"), jetstreamtest.Event{Raw: []byte(`{"did":"did:plc:x","time_us":`)}, post(alice, "3b", t0+1, "after"))
		var log bytes.Buffer
		src := newSource(t, map[string]string{"url": srv.WS("/subscribe"), "compression": "off"}, &log)
		s := newSink()
		stop, _ := run(t, src, strconv.FormatInt(t0, 10), s)
		waitFor(t, "both posts", func() bool { return s.count() == 2 })
		if err := stop(); err != nil {
			t.Error(err)
		}
		if !strings.Contains(log.String(), "skipped a frame that does not decode") || !strings.Contains(log.String(), "unexpected end of JSON") {
			t.Errorf("log = %s, want the skipped frame and why", log.String())
		}
	})
	t.Run("a run of them ends the connection", func(t *testing.T) {
		t.Parallel()
		srv := jetstreamtest.New(t, nil)
		srv.Publish(post(alice, "3a", t0, "before"),
			jetstreamtest.Event{Raw: []byte(`<html>`)}, jetstreamtest.Event{Raw: []byte(`{"time_us":1}`)}, jetstreamtest.Event{Raw: []byte(`[]`)},
			post(alice, "3b", t0+1, "never read"))
		src := newSource(t, map[string]string{"url": srv.WS("/subscribe"), "compression": "off"}, nil)
		s := newSink()
		_, done := run(t, src, strconv.FormatInt(t0, 10), s)
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "3 frames in a row do not decode") {
				t.Errorf("Run = %v, want an error naming the frames that do not decode", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not end")
		}
		if _, ok := s.post(uri(alice, "3a")); !ok || s.stored() != strconv.FormatInt(t0, 10) {
			t.Errorf("the post before the bad frames was not kept with its cursor: %v %q", s.posts, s.stored())
		}
	})
}

// v2 specifics: the server's notices are skipped, its error frame ends the
// stream with its name, and a cursor older than its retention resumes by
// time instead of failing for ever.
func TestV2(t *testing.T) {
	t.Parallel()
	const path = "/xrpc/network.bsky.jetstream.subscribeEvents"
	t.Run("error frame", func(t *testing.T) {
		t.Parallel()
		srv := jetstreamtest.New(t, jetstream.LegacyDictionary)
		srv.Info = "resumed from seq 1"
		srv.ErrorAfter = 3 // the info frame and two posts
		srv.Publish(post(alice, "3a", t0, "one"), post(alice, "3b", t0+1, "two"), post(alice, "3c", t0+2, "three"))
		src := newSource(t, map[string]string{"url": srv.WS(path)}, nil)
		s := newSink()
		_, done := run(t, src, strconv.FormatInt(t0, 10), s)
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "ConsumerTooSlow") {
				t.Errorf("Run = %v, want the server's error", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not end")
		}
		if s.count() != 2 || s.stored() != strconv.FormatInt(t0+1, 10)+":2" {
			t.Errorf("posts %d, cursor %q; want 2 and the second post's", s.count(), s.stored())
		}
	})
	t.Run("cursor too old", func(t *testing.T) {
		t.Parallel()
		srv := jetstreamtest.New(t, nil)
		srv.FloorSeq = 3
		for i := range 4 {
			srv.Publish(post(alice, fmt.Sprintf("3p%d", i), t0+int64(i)*1e6, "p"))
		}
		var log bytes.Buffer
		src := newSource(t, map[string]string{"url": srv.WS(path)}, &log)
		s := newSink()
		stop, _ := run(t, src, strconv.FormatInt(t0, 10)+":1", s)
		waitFor(t, "the posts from the floor", func() bool { return s.count() == 4 })
		if err := stop(); err != nil {
			t.Error(err)
		}
		reqs := srv.Requests()
		if len(reqs) != 2 || reqs[0].Query.Get("cursor") != "1" || reqs[1].Query.Get("cursor") != strconv.FormatInt(t0-5e6, 10) {
			t.Errorf("requests %v, want seq 1 refused, then by time", reqs)
		}
		if !strings.Contains(log.String(), "older than the server keeps") {
			t.Errorf("log = %s, want the lost range said", log.String())
		}
	})
}

// A retrained dictionary (a new ID) refuses the one the source holds: it
// fetches the current one and goes on compressed.
func TestV2DictionaryRotation(t *testing.T) {
	t.Parallel()
	const path = "/xrpc/network.bsky.jetstream.subscribeEvents"
	withID := func(id byte) []byte {
		d := slices.Clone(jetstream.LegacyDictionary)
		copy(d[4:8], []byte{id, 0, 0, 0})
		return d
	}
	srv := jetstreamtest.New(t, withID(7))
	srv.Publish(post(alice, "3a", t0, "one"))
	src := newSource(t, map[string]string{"url": srv.WS(path)}, nil)
	s := newSink()
	stop, _ := run(t, src, strconv.FormatInt(t0, 10), s)
	waitFor(t, "the first post", func() bool { return s.count() == 1 })
	stop()
	srv.SetDictionary(withID(8))
	srv.Publish(post(alice, "3b", t0+1, "two"))
	stop, _ = run(t, src, s.stored(), s)
	waitFor(t, "the second post", func() bool { return s.count() == 2 })
	stop()
	var got []string
	for _, r := range srv.Requests() {
		got = append(got, r.Query.Get("zstdDictionary"))
	}
	if !slices.Equal(got, []string{"7", "7", "8"}) {
		t.Errorf("dictionaries asked %v, want 7, then 7 refused, then 8", got)
	}
}

// With several v1 addresses, one that refuses the connection gives way to
// the next, where the time cursor resumes.
func TestFailsOverToTheNextInstance(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	up := jetstreamtest.New(t, jetstream.LegacyDictionary)
	up.Publish(post(alice, "3a", t0, "one"))
	downURL := "ws" + strings.TrimPrefix(down.URL, "http") + "/subscribe"
	var log bytes.Buffer
	src := newSource(t, map[string]string{"url": downURL + " " + up.WS("/subscribe")}, &log)
	s := newSink()
	stop, _ := run(t, src, strconv.FormatInt(t0, 10), s)
	waitFor(t, "the post from the second instance", func() bool { return s.count() == 1 })
	stop()
	if q := up.Requests()[0].Query; q.Get("cursor") != strconv.FormatInt(t0-jetstream.Rewind.Microseconds(), 10) {
		t.Errorf("the second instance was asked cursor %q", q.Get("cursor"))
	}
	if !strings.Contains(log.String(), "trying the next") {
		t.Errorf("log = %s", log.String())
	}

	// All down: the error is retryable.
	src = newSource(t, map[string]string{"url": downURL + " " + downURL}, nil)
	_, done := run(t, src, "", newSink())
	if err := <-done; err == nil || errors.Is(err, source.ErrPermanent) || !strings.Contains(err.Error(), "503") {
		t.Errorf("Run with every instance down = %v, want a retryable 503", err)
	}
}

// A setting the source cannot use is refused by New with an error naming
// the field, and never retried.
func TestFieldsAreValidated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		values map[string]string
		field  string
	}{
		{map[string]string{"url": "ftp://jetstream.example/subscribe"}, "url"},
		{map[string]string{"url": "wss://jetstream.example/firehose"}, "url"},
		{map[string]string{"url": "wss://jetstream.example/subscribe?wantedCollections=x"}, "url"},
		{map[string]string{"url": "wss://"}, "url"},
		{map[string]string{"dids": "did:plc:abc, alice.bsky.social"}, "dids"},
		{map[string]string{"compression": "gzip"}, "compression"},
		{map[string]string{"url": "wss://a.example/subscribe wss://b.example/xrpc/network.bsky.jetstream.subscribeEvents"}, "url"},
	} {
		_, err := jetstream.New(source.Config{Values: tc.values}, source.Deps{HTTP: localClient})
		var fe *atproto.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, source.ErrPermanent) {
			t.Errorf("New(%v) = %v, want a permanent error on %s", tc.values, err, tc.field)
		}
	}
	for _, values := range []map[string]string{
		{},
		{"url": "wss://jetstream1.us-west.bsky.network"},
		{"url": "wss://jetstream1.us-west.bsky.network/subscribe, wss://jetstream2.us-west.bsky.network"},
		{"url": "wss://j.example/xrpc/network.bsky.jetstream.subscribeEvents", "dids": "did:plc:abc\ndid:web:example.com", "compression": "off"},
	} {
		if _, err := jetstream.New(source.Config{Values: values}, source.Deps{HTTP: localClient}); err != nil {
			t.Errorf("New(%v) = %v", values, err)
		}
	}
	if k := jetstream.Kind(); k.Name != "jetstream" || k.Network != "bluesky" || !strings.Contains(k.Needs, "public Jetstream") {
		t.Errorf("Kind() = %+v", k)
	}
}
