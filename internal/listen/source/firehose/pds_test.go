package firehose_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/network/bluesky/pdstest"
)

// session signs in to the PDS and returns its access token.
func session(t *testing.T, pds *pdstest.PDS, handle, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"identifier": handle, "password": password})
	resp, err := http.Post(pds.URL()+"/xrpc/com.atproto.server.createSession", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessJwt string `json:"accessJwt"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessJwt == "" {
		t.Fatalf("createSession %s: %d %v", handle, resp.StatusCode, err)
	}
	return out.AccessJwt
}

// createPost writes a post through the PDS and returns its at:// URI.
func createPost(t *testing.T, pds *pdstest.PDS, token, did, text string) string {
	body, _ := json.Marshal(map[string]any{"repo": did, "collection": "app.bsky.feed.post",
		"record": map[string]any{"$type": "app.bsky.feed.post", "text": text, "langs": []string{"fr"}, "createdAt": time.Now().UTC().Format(time.RFC3339Nano)}})
	req, _ := http.NewRequest(http.MethodPost, pds.URL()+"/xrpc/com.atproto.repo.createRecord", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	var out struct {
		URI     string `json:"uri"`
		Message string `json:"message"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if out.URI == "" {
		t.Errorf("createRecord: %d %s", resp.StatusCode, out.Message)
	}
	return out.URI
}

// Posts created on a real PDS reach Emit through its firehose with their
// text and at:// URI; a consumer stopped while posts are being written
// and started again from its stored cursor gets every post, each once
// after the store's dedupe, and none is missing.
func TestRealPDSFirehose(t *testing.T) {
	pds := pdstest.Start(t)
	did := pds.CreateAccount(t, "alice.test", "hunter2-long-password")
	token := session(t, pds, "alice.test", "hunter2-long-password")
	src := newSource(t, pds.URL(), nil)

	// A consumer from the PDS's first event sees a post written before it
	// started and one written while it runs.
	first := createPost(t, pds, token, did, "Avant l'abonnement : la rentrée approche")
	s := newSink()
	var second string
	if err := runUntil(t, src, "0", s, func() bool {
		if second == "" && s.count() == 1 {
			second = createPost(t, pds, token, did, "Pendant l'abonnement")
		}
		return s.count() == 2
	}); err != nil {
		t.Fatal(err)
	}
	for uri, text := range map[string]string{first: "Avant l'abonnement : la rentrée approche", second: "Pendant l'abonnement"} {
		p, ok := s.posts[uri]
		rkey := uri[strings.LastIndex(uri, "/")+1:]
		if !ok || p.Text != text || p.Lang != "fr" || p.Network != "bluesky" || p.URL != "https://bsky.app/profile/"+did+"/post/"+rkey {
			t.Errorf("post %s = %+v (found %v), want text %q", uri, p, ok, text)
		}
	}
	// Read from the PDS's first event, the consumer saw the account's
	// #identity event, which names its handle.
	if p := s.posts[first]; p.Author != "alice.test" {
		t.Errorf("author %q, want the handle the #identity event announced", p.Author)
	}

	// Stop mid-stream: the consumer is stopped while a writer is posting,
	// more posts are written while it is stopped, and more after it was
	// started again from its stored cursor.
	const n = 30
	var mu sync.Mutex
	var written []string
	write := func(from, to int) {
		for i := from; i < to; i++ {
			u := createPost(t, pds, token, did, fmt.Sprintf("message %d", i))
			mu.Lock()
			written = append(written, u)
			mu.Unlock()
		}
	}
	received := 0 // posts handed over, duplicates included
	counting := func(ctx context.Context, b source.Batch) error { received += len(b.Posts); return s.emit(ctx, b) }
	start := func(cursor string) (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- src.Run(ctx, cursor, counting) }()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	}
	stop := start(s.stored())
	firstTen := make(chan struct{})
	go func() { defer close(firstTen); write(0, 10) }()
	waitFor(t, "the first posts of the writer", func() bool { return s.count() >= 2+3 })
	stop() // the writer is still posting
	stoppedAt := s.count() - 2
	<-firstTen
	write(10, 20) // while stopped
	stop = start(s.stored())
	write(20, n) // after the restart
	waitFor(t, "every post", func() bool { return s.count() == 2+n })
	stop()
	t.Logf("stopped after %d of the first 10 posts", stoppedAt)
	for _, u := range written {
		if _, ok := s.posts[u]; !ok {
			t.Errorf("post %s never reached Emit", u)
		}
	}
	// seq resumes are exclusive: nothing is read twice.
	if received != n {
		t.Errorf("%d posts handed over after the first two, want %d (each once)", received, n)
	}
}
