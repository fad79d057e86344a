package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/app"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/secret"
)

// run starts a whole Tribune with Run, on SQLite in a temporary directory,
// with env as its environment; it returns the app and its main address.
func run(t *testing.T, env map[string]string) (*app.App, string) {
	t.Helper()
	if env["TRIBUNE_ADDR"] == "" {
		env["TRIBUNE_ADDR"] = "127.0.0.1:0"
	}
	env["TRIBUNE_DATA_DIR"] = filepath.Join(t.TempDir(), "data")
	env["TRIBUNE_SECRET_KEYS"] = secret.NewKeySpec("k1")
	cfg, err := config.Load("test", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Roles{Web: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- a.Run(ctx, ready) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case addr := <-ready:
		return a, addr
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not start")
	}
	return nil, ""
}

// get fetches http://addr/metrics with an Authorization header (if any);
// it reports the status and whether the body is Prometheus metrics.
func get(t *testing.T, addr, auth string) (int, bool) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.Contains(string(b), "# HELP go_goroutines")
}

// /metrics is open by default; -metrics-token closes it to requests without
// the bearer token; -metrics-addr moves it off the main address.
func TestMetricsTokenAndAddress(t *testing.T) {
	t.Parallel()
	type want struct {
		auth    string
		status  int
		metrics bool
	}
	for _, c := range []struct {
		name     string
		env      map[string]string
		main     []want
		separate []want // on -metrics-addr
	}{
		{"open by default", map[string]string{},
			[]want{{"", 200, true}}, nil},
		{"token on the main address", map[string]string{"TRIBUNE_METRICS_TOKEN": "s3cret-metrics"},
			[]want{{"", 401, false}, {"Bearer wrong", 401, false}, {"s3cret-metrics", 401, false}, {"Bearer s3cret-metrics", 200, true}}, nil},
		{"own address", map[string]string{"TRIBUNE_METRICS_ADDR": "127.0.0.1:0"},
			[]want{{"", 0, false}}, []want{{"", 200, true}}},
		{"own address and token", map[string]string{"TRIBUNE_METRICS_ADDR": "127.0.0.1:0", "TRIBUNE_METRICS_TOKEN": "s3cret-metrics"},
			[]want{{"Bearer s3cret-metrics", 0, false}}, []want{{"", 401, false}, {"Bearer s3cret-metrics", 200, true}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, addr := run(t, c.env)
			check := func(where, addr string, ws []want) {
				for _, w := range ws {
					status, metrics := get(t, addr, w.auth)
					if metrics != w.metrics || (w.status != 0 && status != w.status) {
						t.Errorf("%s with %q: %d, metrics %v; want %d, metrics %v", where, w.auth, status, metrics, w.status, w.metrics)
					}
				}
			}
			check("main address", addr, c.main)
			if c.separate != nil {
				if a.MetricsAddr() == "" || a.MetricsAddr() == addr {
					t.Fatalf("metrics address %q beside main %q", a.MetricsAddr(), addr)
				}
				check("metrics address", a.MetricsAddr(), c.separate)
			}
		})
	}
}
