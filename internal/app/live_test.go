package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/app"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// TestShutdownEndsEventStreams: an open event stream never ends by itself,
// and the HTTP server's Shutdown waits for every request; Run closes the
// streams (through the live broker) so a node stops at once instead of at
// its 20 s shutdown deadline.
func TestShutdownEndsEventStreams(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TRIBUNE_ADDR": "127.0.0.1:0", "TRIBUNE_DATA_DIR": filepath.Join(t.TempDir(), "data"),
		"TRIBUNE_SECRET_KEYS": secret.NewKeySpec("k1")}
	cfg, err := config.Load("test", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Roles{Web: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- a.Run(ctx, ready) }()
	addr := <-ready
	_, ws, err := a.Auth.SignUpOwner(context.Background(), auth.SignUpInput{Name: "Owner", Email: "owner@example.test",
		Password: "correct horse battery", Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	session, _, err := a.Auth.Login(context.Background(), "owner@example.test", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/w/%d/events", addr, ws.ID), nil)
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	ended := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, resp.Body); close(ended) }()

	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still stopping 5 s after its context ended: the open stream holds the shutdown")
	}
	select {
	case <-ended:
	case <-time.After(time.Second):
		t.Error("the stream did not end with the server")
	}
	t.Logf("stopped in %v with a stream open", time.Since(start))
}
