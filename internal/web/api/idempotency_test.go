package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/store"
)

// doKeyed sends an API POST with an Idempotency-Key.
func doKeyed(t *testing.T, env *apptest.Env, tok, key, path, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.Server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(got)
}

// A repeated Idempotency-Key replays the first answer, secret included, and
// refuses another body; the record of a route that returns a secret
// (invitation, review link, API token) holds no token in plain text, nor a
// plain hash of a body that holds a password.
func TestIdempotencyReplaysAndStoresNoSecret(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			env := apptest.Start(t, apptest.Options{Postgres: pg})
			ctx := context.Background()
			owner, ws := env.Owner(t)
			tok := env.Token(t, owner)
			ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "idem")
			if err != nil {
				t.Fatal(err)
			}
			v, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "for review"}}}, posts.Submit)
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct{ name, path, body, other string }{
				{"invitation", fmt.Sprintf("/api/v1/workspaces/%d/invitations", ws.ID), `{"email":"new@example.test","role":"analyst"}`, `{"email":"other@example.test","role":"analyst"}`},
				{"review link", fmt.Sprintf("/api/v1/posts/%d/review-links", v.Post.ID), `{"reviewer":"Client"}`, `{"reviewer":"Someone else"}`},
				// The body holds a password: not even its hash may be readable.
				{"API token", "/api/v1/tokens", `{"email":"owner@example.test","password":"correct horse battery","name":"cli"}`,
					`{"email":"owner@example.test","password":"correct horse battery","name":"other"}`},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					key := "key-" + tc.name
					status, _, first := doKeyed(t, env, tok, key, tc.path, tc.body)
					if status != http.StatusCreated {
						t.Fatalf("first: %d %s", status, first)
					}
					var out struct{ Token string }
					if err := json.Unmarshal([]byte(first), &out); err != nil || out.Token == "" {
						t.Fatalf("first answer %s: no token (%v)", first, err)
					}
					status, hdr, again := doKeyed(t, env, tok, key, tc.path, tc.body)
					if status != http.StatusCreated || again != first || hdr.Get("Idempotent-Replayed") != "true" {
						t.Errorf("repeat: %d %q (replayed=%q), want 201 and the first answer %q", status, again, hdr.Get("Idempotent-Replayed"), first)
					}
					if status, _, body := doKeyed(t, env, tok, key, tc.path, tc.other); status != http.StatusUnprocessableEntity || !strings.Contains(body, "idempotency_key_reused") {
						t.Errorf("same key, other body: %d %s, want 422 idempotency_key_reused", status, body)
					}
					// The row as the database holds it.
					row, err := env.Store.GetIdempotencyRecord(ctx, store.GetIdempotencyRecordParams{UserID: owner.ID, Key: key})
					if err != nil {
						t.Fatal(err)
					}
					if bytes.Contains(row.Body, []byte(out.Token)) || bytes.Contains(row.Body, []byte(`"token"`)) {
						t.Errorf("the recorded answer holds the token in plain text: %q", row.Body)
					}
					sum := sha256.Sum256([]byte("POST " + tc.path + "\n" + tc.body))
					if hash := hex.EncodeToString(sum[:]); row.RequestHash == hash || bytes.Contains(row.Body, []byte(hash)) {
						t.Errorf("the record holds the request's plain SHA-256 %s (a fast hash of what the body holds)", hash)
					}
					if row.KeyID == "" {
						t.Error("the recorded answer names no sealing key")
					}
				})
			}
		})
	}
}

// A body sent with an Idempotency-Key streams to the handler: a 20 MB
// upload reaches the multipart parser (a temporary file in TMPDIR grows)
// while the client is still sending, instead of being held whole in memory
// first. Not parallel: TMPDIR is the process's.
func TestIdempotencyStreamsTheBody(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/media", ws.ID), pr)
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Idempotency-Key", "big-upload")
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		env.App.Handler.ServeHTTP(rec, req)
	}()

	const sent = 20 << 20
	fw, err := mw.CreateFormFile("file", "big.png")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(paddedPNG(t, sent)); err != nil {
		t.Fatal(err)
	}
	// The file part is written but the body is not over: the server must
	// already have passed most of it on.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var onDisk int64
		ents, _ := os.ReadDir(tmp)
		for _, e := range ents {
			if fi, err := e.Info(); err == nil {
				onDisk += fi.Size()
			}
		}
		if onDisk >= sent/2 {
			break
		}
		if time.Now().After(deadline) {
			pw.CloseWithError(fmt.Errorf("test over"))
			<-done
			t.Fatalf("after 20 MB sent, %d bytes reached the handler's temporary file: the body is held before the handler sees it", onDisk)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mw.Close()
	pw.Close()
	<-done
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
}

// With an Idempotency-Key, a body is read no further than the endpoint's own
// cap (huma's 1 MB for JSON bodies), on a first request as on a repeat.
func TestIdempotencyRespectsTheEndpointLimit(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	path := fmt.Sprintf("/api/v1/workspaces/%d/invitations", ws.ID)
	huge := `{"email":"a@example.test","role":"analyst","pad":"` + strings.Repeat("x", 2<<20) + `"}`
	if status, _, body := doKeyed(t, env, tok, "fresh-key", path, huge); status != http.StatusRequestEntityTooLarge {
		t.Errorf("first request over the cap: %d %.200s, want 413", status, body)
	}
	if status, _, body := doKeyed(t, env, tok, "used-key", path, `{"email":"b@example.test","role":"analyst"}`); status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	if status, _, body := doKeyed(t, env, tok, "used-key", path, huge); status != http.StatusRequestEntityTooLarge {
		t.Errorf("repeat over the cap: %d %.200s, want 413", status, body)
	}
}
