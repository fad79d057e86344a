package firehose_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"golang.org/x/net/websocket"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/atproto"
	"github.com/tribune-social/tribune/internal/listen/source/firehose"
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

// Frames are built as the spec describes them (atproto.com/specs/event-stream,
// /specs/repository for the CAR slice), with an encoder we do not decode with.

func cidOf(block []byte) []byte {
	sum := sha256.Sum256(block)
	return append([]byte{0x01, 0x71, 0x12, 0x20}, sum[:]...) // CIDv1, dag-cbor, sha2-256
}

func link(cid []byte) cbor.Tag { return cbor.Tag{Number: 42, Content: append([]byte{0x00}, cid...)} }

func mustCBOR(v any) []byte {
	em, _ := cbor.CanonicalEncOptions().EncMode()
	b, err := em.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// car is a CAR v1 of blocks, the first one as root.
func car(blocks ...[]byte) []byte {
	h := mustCBOR(map[string]any{"version": 1, "roots": []any{link(cidOf(blocks[0]))}})
	out := binary.AppendUvarint(nil, uint64(len(h)))
	out = append(out, h...)
	for _, b := range blocks {
		c := cidOf(b)
		out = binary.AppendUvarint(out, uint64(len(c)+len(b)))
		out = append(out, c...)
		out = append(out, b...)
	}
	return out
}

func frame(t string, body any) []byte {
	return append(mustCBOR(map[string]any{"op": 1, "t": t}), mustCBOR(body)...)
}

func errorFrame(name, msg string) []byte {
	return append(mustCBOR(map[string]any{"op": -1}), mustCBOR(map[string]any{"error": name, "message": msg})...)
}

func postRecord(text string, langs ...string) []byte {
	r := map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-12-03T09:00:00.000Z"}
	if len(langs) > 0 {
		r["langs"] = langs
	}
	return mustCBOR(r)
}

type op struct {
	action, path string
	record       []byte // nil for a delete
}

// commit is a #commit frame writing ops, its CAR holding a commit block
// and the records (blocksOverride replaces the CAR when set).
func commit(seq int64, repo string, ops []op, blocksOverride []byte) []byte {
	commitBlock := mustCBOR(map[string]any{"did": repo, "version": 3, "rev": "3l3qo2vutsw2b"})
	blocks := [][]byte{commitBlock}
	var wire []any
	for _, o := range ops {
		m := map[string]any{"action": o.action, "path": o.path, "cid": nil}
		if o.record != nil {
			blocks = append(blocks, o.record)
			m["cid"] = link(cidOf(o.record))
		}
		wire = append(wire, m)
	}
	b := car(blocks...)
	if blocksOverride != nil {
		b = blocksOverride
	}
	return frame("#commit", map[string]any{
		"seq": seq, "rebase": false, "tooBig": false, "repo": repo, "commit": link(cidOf(commitBlock)),
		"rev": "3l3qo2vutsw2b", "since": nil, "blocks": b, "ops": wire, "blobs": []any{}, "time": "2026-12-03T09:00:01.000Z",
	})
}

// fakeFirehose serves frames on subscribeRepos: those whose seq is above
// ?cursor= (all of them without one), then holds the connection open.
type fakeFirehose struct {
	*httptest.Server
	mu      sync.Mutex
	frames  []seqFrame
	cursors []string
	conns   int
	dropAt  map[int]int // connection → frames sent before an abrupt cut
	// lastSeq, when set, is the server's seq: a cursor above it gets the
	// FutureCursor error frame, and the connection closes.
	lastSeq  int64
	netConns sync.Map
}

type seqFrame struct {
	seq   int64 // 0: always sent
	bytes []byte
}

func newFake(t *testing.T, frames ...seqFrame) *fakeFirehose {
	f := &fakeFirehose{frames: frames, dropAt: map[int]int{}}
	mux := http.NewServeMux()
	mux.Handle("GET /xrpc/com.atproto.sync.subscribeRepos", websocket.Server{Handler: func(c *websocket.Conn) {
		defer c.Close()
		q := c.Request().URL.Query()
		f.mu.Lock()
		f.cursors = append(f.cursors, q.Get("cursor"))
		conn := f.conns
		f.conns++
		drop, dropping := f.dropAt[conn]
		frames := slices.Clone(f.frames)
		f.mu.Unlock()
		var after int64 = -1
		if q.Has("cursor") {
			after, _ = strconv.ParseInt(q.Get("cursor"), 10, 64)
		}
		if f.lastSeq > 0 && after > f.lastSeq {
			websocket.Message.Send(c, errorFrame("FutureCursor", "cursor in the future"))
			return
		}
		sent := 0
		for _, fr := range frames {
			if fr.seq != 0 && fr.seq <= after {
				continue
			}
			if dropping && sent == drop {
				if nc, ok := f.netConns.Load(c.Request().RemoteAddr); ok {
					nc.(net.Conn).Close() // no close frame
				}
				return
			}
			if websocket.Message.Send(c, fr.bytes) != nil {
				return
			}
			sent++
		}
		var sink []byte
		for websocket.Message.Receive(c, &sink) == nil {
		}
	}})
	f.Server = httptest.NewUnstartedServer(mux)
	f.Server.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateNew {
			f.netConns.Store(c.RemoteAddr().String(), c)
		}
	}
	f.Server.Start()
	t.Cleanup(f.Server.Close)
	return f
}

func (f *fakeFirehose) requested() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.cursors)
}

type sink struct {
	mu     sync.Mutex
	posts  map[string]source.Post
	order  []string
	cursor string
}

func newSink() *sink { return &sink{posts: map[string]source.Post{}} }

func (s *sink) emit(_ context.Context, b source.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range b.Posts {
		if _, dup := s.posts[p.ExternalID]; !dup {
			s.order = append(s.order, p.ExternalID)
		}
		s.posts[p.ExternalID] = p
	}
	s.cursor = b.Cursor
	return nil
}

func (s *sink) stored() string { s.mu.Lock(); defer s.mu.Unlock(); return s.cursor }
func (s *sink) count() int     { s.mu.Lock(); defer s.mu.Unlock(); return len(s.posts) }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func newSource(t *testing.T, url string, log *bytes.Buffer) source.Source {
	t.Helper()
	deps := source.Deps{HTTP: localClient, Now: time.Now}
	if log != nil {
		deps.Log = slog.New(slog.NewTextHandler(log, nil))
	}
	src, err := firehose.New(source.Config{Kind: "firehose", Values: map[string]string{"url": url}}, deps)
	if err != nil {
		t.Fatal(err)
	}
	fs := src.(*firehose.Source)
	fs.Pump = atproto.Pump{MaxDelay: 5 * time.Millisecond, CursorDelay: 5 * time.Millisecond}
	return fs
}

// runUntil runs src until it returns or cond holds, then stops it.
func runUntil(t *testing.T, src source.Source, cursor string, s *sink, cond func() bool) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, cursor, s.emit) }()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case err := <-done:
			return err
		case <-deadline:
			t.Fatal("timed out")
		case <-time.After(10 * time.Millisecond):
			if cond != nil && cond() {
				cancel()
				return <-done
			}
		}
	}
}

func uri(did, rkey string) string { return "at://" + did + "/app.bsky.feed.post/" + rkey }

// Creates of posts become posts; likes, deletes, other messages move the
// cursor only; handles from #identity replace DIDs.
func TestCommitsBecomePosts(t *testing.T) {
	t.Parallel()
	f := newFake(t,
		seqFrame{1, frame("#identity", map[string]any{"seq": 1, "did": alice, "time": "2026-12-03T09:00:00Z", "handle": "alice.test"})},
		seqFrame{2, commit(2, alice, []op{{"create", "app.bsky.feed.post/3aaa", postRecord("La rentrée", "fr")}, {"create", "app.bsky.feed.like/3lik", mustCBOR(map[string]any{"$type": "app.bsky.feed.like"})}}, nil)},
		seqFrame{0, frame("#info", map[string]any{"name": "OutdatedCursor", "message": "cursor too old"})},
		seqFrame{3, commit(3, bob, []op{{"create", "app.bsky.feed.post/3b1", postRecord("thread 1/2")}, {"create", "app.bsky.feed.post/3b2", postRecord("thread 2/2", "en")}}, nil)},
		seqFrame{4, commit(4, alice, []op{{"delete", "app.bsky.feed.post/3aaa", nil}}, nil)},
		seqFrame{5, frame("#account", map[string]any{"seq": 5, "did": bob, "time": "2026-12-03T09:00:00Z", "active": true})},
		seqFrame{6, frame("#handle", map[string]any{"seq": 6, "did": bob, "handle": "old.test"})},
	)
	var log bytes.Buffer
	s := newSink()
	err := runUntil(t, newSource(t, f.URL, &log), "", s, func() bool { return s.stored() == "5" })
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if want := []string{uri(alice, "3aaa"), uri(bob, "3b1"), uri(bob, "3b2")}; !slices.Equal(s.order, want) {
		t.Errorf("posts %v, want %v", s.order, want)
	}
	got := s.posts[uri(alice, "3aaa")]
	want := source.Post{Network: "bluesky", ExternalID: uri(alice, "3aaa"), URL: "https://bsky.app/profile/" + alice + "/post/3aaa",
		Author: "alice.test", AuthorFollowers: -1, Text: "La rentrée", Lang: "fr", CreatedAt: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	if got != want {
		t.Errorf("alice's post\n got %+v\nwant %+v", got, want)
	}
	if p := s.posts[uri(bob, "3b2")]; p.Author != bob || p.Lang != "en" || p.Text != "thread 2/2" {
		t.Errorf("bob's second post = %+v", p)
	}
	if !strings.Contains(log.String(), "older than the server keeps") {
		t.Errorf("log = %s, want the OutdatedCursor notice as a warning", log.String())
	}
	if c := f.requested(); !slices.Equal(c, []string{""}) {
		t.Errorf("cursors asked %q, want none (from now)", c)
	}
}

// A cut connection ends Run with a retryable error; run again from the
// stored seq, the source reads on from there.
func TestResumesFromTheStoredSeq(t *testing.T) {
	t.Parallel()
	var frames []seqFrame
	for i := int64(1); i <= 8; i++ {
		frames = append(frames, seqFrame{i, commit(i, alice, []op{{"create", fmt.Sprintf("app.bsky.feed.post/3p%d", i), postRecord(fmt.Sprint("post ", i))}}, nil)})
	}
	f := newFake(t, frames...)
	f.dropAt[0] = 3
	src := newSource(t, "ws"+strings.TrimPrefix(f.URL, "http")+"/xrpc/com.atproto.sync.subscribeRepos", nil)
	s := newSink()
	err := runUntil(t, src, "0", s, nil)
	if err == nil || errors.Is(err, source.ErrPermanent) || !strings.Contains(err.Error(), "dropped") {
		t.Fatalf("Run = %v, want a retryable error saying the connection dropped", err)
	}
	if s.count() != 3 || s.stored() != "3" {
		t.Fatalf("%d posts, cursor %q before the cut; want 3 and 3", s.count(), s.stored())
	}
	if err := runUntil(t, src, s.stored(), s, func() bool { return s.count() == 8 }); err != nil {
		t.Fatal(err)
	}
	if c := f.requested(); !slices.Equal(c, []string{"0", "3"}) {
		t.Errorf("cursors asked %q, want 0 then the stored 3", c)
	}
}

// Error frames end Run with the server's words; FutureCursor (our cursor
// is ahead of a reset server) restarts from the server's oldest event.
func TestErrorFrames(t *testing.T) {
	t.Parallel()
	t.Run("ConsumerTooSlow", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, seqFrame{0, errorFrame("ConsumerTooSlow", "you are too slow")})
		err := runUntil(t, newSource(t, f.URL, nil), "", newSink(), nil)
		if err == nil || !strings.Contains(err.Error(), "ConsumerTooSlow: you are too slow") {
			t.Errorf("Run = %v, want the server's error", err)
		}
	})
	t.Run("FutureCursor", func(t *testing.T) {
		t.Parallel()
		// The server answers a cursor beyond its seq with the error; the
		// fake sends it to the connection that asks for 500 only.
		f := newFake(t, seqFrame{1, commit(1, alice, []op{{"create", "app.bsky.feed.post/3new", postRecord("after the reset")}}, nil)})
		f.lastSeq = 1
		var log bytes.Buffer
		s := newSink()
		if err := runUntil(t, newSource(t, f.URL, &log), "500", s, func() bool { return s.count() == 1 }); err != nil {
			t.Fatal(err)
		}
		if c := f.requested(); !slices.Equal(c, []string{"500", "0"}) {
			t.Errorf("cursors asked %q, want 500 then 0", c)
		}
		if !strings.Contains(log.String(), "ahead of the server") {
			t.Errorf("log = %s", log.String())
		}
	})
}

// A frame that does not decode, a CAR whose block does not match its CID
// or lacks the record: each is a clear error.
func TestMalformedFrames(t *testing.T) {
	t.Parallel()
	rec := postRecord("hello")
	good := car(mustCBOR(map[string]any{"did": alice}), rec)
	tampered := bytes.Replace(slices.Clone(good), []byte("hello"), []byte("hellO"), 1)
	for _, tc := range []struct {
		name  string
		frame []byte
		want  string
	}{
		{"not CBOR", []byte{0xff, 0x00}, "header does not decode"},
		{"unknown op", append(mustCBOR(map[string]any{"op": 2}), mustCBOR(map[string]any{})...), "op 2"},
		{"tampered block", commit(1, alice, []op{{"create", "app.bsky.feed.post/3a", rec}}, tampered), "does not match its CID"},
		{"truncated CAR", commit(1, alice, []op{{"create", "app.bsky.feed.post/3a", rec}}, good[:len(good)-10]), "runs past the end"},
		{"record missing", commit(1, alice, []op{{"create", "app.bsky.feed.post/3a", rec}}, car(mustCBOR(map[string]any{"did": alice}))), "does not carry its record"},
		{"no repo", commit(1, "alice", []op{{"create", "app.bsky.feed.post/3a", rec}}, nil), "without seq or repo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, seqFrame{1, tc.frame})
			err := runUntil(t, newSource(t, f.URL, nil), "", newSink(), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Run = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func TestFieldsAreValidated(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "ftp://relay.example", "wss://relay.example/xrpc/other", "wss://relay.example?cursor=1", "wss://"} {
		_, err := firehose.New(source.Config{Values: map[string]string{"url": bad}}, source.Deps{HTTP: localClient})
		var fe *atproto.FieldError
		if !errors.As(err, &fe) || fe.Field != "url" || !errors.Is(err, source.ErrPermanent) {
			t.Errorf("New(%q) = %v, want a permanent error on url", bad, err)
		}
	}
	for _, good := range []string{"bsky.network", "wss://bsky.network", "https://pds.example/", "wss://pds.example/xrpc/com.atproto.sync.subscribeRepos"} {
		if _, err := firehose.New(source.Config{Values: map[string]string{"url": good}}, source.Deps{HTTP: localClient}); err != nil {
			t.Errorf("New(%q) = %v", good, err)
		}
	}
	if k := firehose.Kind(); k.Name != "firehose" || k.Network != "bluesky" || !strings.Contains(k.Needs, "relay or of a PDS") {
		t.Errorf("Kind() = %+v", k)
	}
}

// A quiet stream whose server answers pings stays open; one whose server
// went silent (no frame, no pong) is closed with an error saying so.
func TestQuietAndDeadConnections(t *testing.T) {
	t.Parallel()
	t.Run("quiet but alive", func(t *testing.T) {
		t.Parallel()
		f := newFake(t) // sends nothing, answers pings
		// The safe client's call timeout must not cut the stream.
		timed := httpx.NewClient(httpx.Options{AllowPrivate: true, Timeout: 300 * time.Millisecond})
		s, err := firehose.New(source.Config{Values: map[string]string{"url": f.URL}}, source.Deps{HTTP: timed})
		if err != nil {
			t.Fatal(err)
		}
		src := s.(*firehose.Source)
		src.PingEvery, src.IdleAfter = 50*time.Millisecond, 500*time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- src.Run(ctx, "", newSink().emit) }()
		select {
		case err := <-done:
			t.Fatalf("Run = %v on a quiet stream whose server answers pings", err)
		case <-time.After(2 * time.Second): // four idle periods
		}
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	t.Run("dead", func(t *testing.T) {
		t.Parallel()
		// Upgrades, then neither writes nor reads: pings go unanswered.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
			conn, rw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
				base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n")
			rw.Flush()
			<-r.Context().Done()
		}))
		t.Cleanup(srv.Close)
		src := newSource(t, srv.URL, nil).(*firehose.Source)
		src.PingEvery, src.IdleAfter = 50*time.Millisecond, 300*time.Millisecond
		err := runUntil(t, src, "", newSink(), nil)
		if err == nil || !strings.Contains(err.Error(), "no answer to pings") {
			t.Errorf("Run = %v, want the dead connection said", err)
		}
	})
}

// Stopping while the handshake hangs is not a failure: Run returns nil.
func TestStoppingDuringTheHandshake(t *testing.T) {
	t.Parallel()
	hung := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(hung)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- newSource(t, srv.URL, nil).Run(ctx, "", newSink().emit) }()
	<-hung
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v when stopped during the handshake, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
}
