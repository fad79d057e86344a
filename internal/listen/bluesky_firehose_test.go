// Against the real PDS: the runner with the firehose kind stores every
// matching post; with the firehose resuming without its cursor it fails
// (the posts written while the runner was stopped never arrive).

package listen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/firehose"
	"github.com/tribune-social/tribune/internal/network/bluesky/pdstest"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// TestBlueskyFirehoseThroughTheRunner: posts created on the real PDS are
// matched through its firehose and stored as mentions; the runner is
// stopped while posts are being written, more are written while it is
// down, and a new runner (a restart) resumes from the stored cursor: every
// matching post is stored, once.
func TestBlueskyFirehoseThroughTheRunner(t *testing.T) {
	pds := pdstest.Start(t)
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		handle := fmt.Sprintf("u%d.test", time.Now().UnixNano()%100000)
		did := pds.CreateAccount(t, handle, "hunter2-long-password")
		body, _ := json.Marshal(map[string]string{"identifier": handle, "password": "hunter2-long-password"})
		resp, err := http.Post(pds.URL()+"/xrpc/com.atproto.server.createSession", "application/json", bytes.NewReader(body))
		must(t, err)
		var sess struct{ AccessJwt string }
		json.NewDecoder(resp.Body).Decode(&sess)
		resp.Body.Close()
		postIt := func(text string) {
			b, _ := json.Marshal(map[string]any{"repo": did, "collection": "app.bsky.feed.post", "record": map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": time.Now().UTC().Format(time.RFC3339Nano)}})
			req, _ := http.NewRequest("POST", pds.URL()+"/xrpc/com.atproto.repo.createRecord", bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+sess.AccessJwt)
			r, err := http.DefaultClient.Do(req)
			must(t, err)
			r.Body.Close()
		}
		f := newFixture(t, st)
		f.now = time.Now().UTC()
		f.s.Kinds.Add(firehose.Kind())
		f.s.Deps = source.Deps{HTTP: httpx.NewClient(httpx.Options{AllowPrivate: true})}
		f.topic(t, "Rentrée", `rentree`)
		src, err := f.s.CreateSource(ctx, f.owner, f.ws.ID, SourceInput{Kind: "firehose", Name: "PDS", Values: map[string]string{"url": pds.URL()}})
		must(t, err)
		r := newRunner(f, "node-a")
		r.Start(ctx)
		must(t, r.Sync(ctx))
		// Warm up until the consumer stored a cursor: it is subscribed.
		waitFor(t, "a stored cursor", func() bool {
			postIt("warm-up, nothing to see")
			got, err := f.s.Source(ctx, f.owner, f.ws.ID, src.ID)
			must(t, err)
			return got.Cursor != ""
		})
		for i := range 5 {
			postIt(fmt.Sprintf("La rentrée %d arrive", i))
			postIt(fmt.Sprintf("unrelated %d", i))
		}
		waitFor(t, "a first mention", func() bool { return countMentions(t, f) >= 1 })
		r.Stop()
		for i := 5; i < 10; i++ {
			postIt(fmt.Sprintf("La rentrée %d arrive", i))
		}
		r2 := newRunner(f, "node-a")
		r2.Start(ctx)
		must(t, r2.Sync(ctx))
		waitFor(t, "10 mentions", func() bool { return countMentions(t, f) == 10 })
		r2.Stop()
		if n := countMentions(t, f); n != 10 {
			t.Fatalf("mentions %d, want 10", n)
		}
	})
}
