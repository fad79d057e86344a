package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/web"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// Text that PostgreSQL cannot store (a NUL character, invalid UTF-8) is
// refused at the edge with the same 422 on both databases, through the
// API (JSON bodies and query strings, signed in or not) and the UI (forms
// and query strings).
func TestInvalidTextIsRefusedAtTheEdge(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			env := apptest.Start(t, apptest.Options{Postgres: pg})
			ctx := context.Background()
			owner, ws := env.Owner(t)
			ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "main")
			if err != nil {
				t.Fatal(err)
			}
			tok := env.Token(t, owner)
			sess, _, err := env.App.Auth.Login(ctx, owner.Email, "correct horse battery")
			if err != nil {
				t.Fatal(err)
			}
			type route struct {
				name, method, path string
				api, session       bool
				form               bool // body is a URL-encoded form, else JSON
				body               func(bad string) string
				query              bool // the bad text goes in the query string
				multipart          bool // the bad text is the alt field of a media upload
			}
			// bad values: as written in JSON, and as raw bytes for forms and queries.
			bads := []struct{ name, json, raw string }{
				{"NUL", `\u0000`, "\x00"},
				{"invalid UTF-8", "\xff\xfe", "\xff\xfe"},
			}
			routes := []route{
				{name: "API token, signed out", method: "POST", path: "/api/v1/tokens", api: true,
					body: func(b string) string {
						return `{"email":"owner@example.test` + b + `","password":"correct horse battery"}`
					}},
				{name: "API workspace name", method: "PATCH", path: fmt.Sprintf("/api/v1/workspaces/%d", ws.ID), api: true,
					body: func(b string) string { return `{"name":"Brand` + b + `"}` }},
				{name: "API post text", method: "POST", path: fmt.Sprintf("/api/v1/workspaces/%d/posts", ws.ID), api: true,
					body: func(b string) string {
						return fmt.Sprintf(`{"action":"draft","variants":[{"channel_id":%d,"text":"hello%s"}]}`, ch.ID, b)
					}},
				{name: "API calendar query", method: "GET", path: fmt.Sprintf("/api/v1/workspaces/%d/calendar?from=2030-01-01T00:00:00Z&to=2030-02-01T00:00:00Z&tag=", ws.ID), api: true, query: true},
				{name: "UI login form", method: "POST", path: "/login", form: true,
					body: func(b string) string { return "email=" + url.QueryEscape("owner@example.test"+b) + "&password=x" }},
				{name: "UI settings form", method: "POST", path: fmt.Sprintf("/w/%d/settings", ws.ID), form: true, session: true,
					body: func(b string) string { return "name=" + url.QueryEscape("Brand"+b) + "&timezone=UTC" }},
				{name: "UI composer form", method: "POST", path: fmt.Sprintf("/w/%d/compose", ws.ID), form: true, session: true,
					body: func(b string) string {
						return fmt.Sprintf("action=draft&channel=%d&text=%s", ch.ID, url.QueryEscape("hello"+b))
					}},
				{name: "API media upload alt", method: "POST", path: fmt.Sprintf("/api/v1/workspaces/%d/media", ws.ID), api: true, multipart: true},
				{name: "UI media upload alt", method: "POST", path: fmt.Sprintf("/w/%d/media", ws.ID), session: true, multipart: true},
				{name: "UI post list query", method: "GET", path: fmt.Sprintf("/w/%d/posts?tag=", ws.ID), session: true, query: true},
			}
			for _, rt := range routes {
				for _, bad := range bads {
					t.Run(rt.name+"/"+bad.name, func(t *testing.T) {
						path := rt.path
						var body io.Reader
						contentType := "application/json"
						switch {
						case rt.multipart:
							var b bytes.Buffer
							mw := multipart.NewWriter(&b)
							_ = mw.WriteField("alt", "a picture"+bad.raw)
							fw, _ := mw.CreateFormFile("file", "p.png")
							_, _ = fw.Write([]byte("\x89PNG\r\n\x1a\n"))
							_ = mw.Close()
							body, contentType = &b, mw.FormDataContentType()
						case rt.query:
							path += url.QueryEscape(bad.raw)
						case rt.form:
							body = strings.NewReader(rt.body(bad.raw))
						default:
							body = strings.NewReader(rt.body(bad.json))
						}
						req, err := http.NewRequest(rt.method, env.Server.URL+path, body)
						if err != nil {
							t.Fatal(err)
						}
						if rt.form {
							req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						} else if body != nil {
							req.Header.Set("Content-Type", contentType)
						}
						if rt.api && !strings.HasSuffix(rt.path, "/tokens") {
							req.Header.Set("Authorization", "Bearer "+tok)
						}
						if rt.session {
							req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: sess})
						}
						resp, err := http.DefaultTransport.RoundTrip(req)
						if err != nil {
							t.Fatal(err)
						}
						got, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusUnprocessableEntity {
							t.Fatalf("%s %s: %d %.300s, want 422", rt.method, rt.path, resp.StatusCode, got)
						}
						if rt.api && !bytes.Contains(got, []byte("invalid_text")) {
							t.Errorf("answer does not say what is wrong: %s", got)
						}
						if !rt.api && !bytes.Contains(got, []byte("UTF-8")) {
							t.Errorf("page does not say what is wrong: %.500s", got)
						}
					})
				}
			}
			if w, _ := env.Store.GetWorkspace(ctx, ws.ID); w.Name != ws.Name {
				t.Errorf("workspace renamed to %q", w.Name)
			}
		})
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The request log at debug level never prints the secret of an invitation,
// review, password-reset or iCal path, nor does the panic log.
func TestRequestLogRedactsSecretPaths(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("panic") != "" {
			panic("boom")
		}
	})
	h := web.Handler(web.Parts{UI: ok, API: ok, Static: ok, Health: ok, Metrics: prometheus.NewRegistry(), Log: log})
	const s = "s3cr3tTOKENvalue"
	for _, path := range []string{
		"/invite/" + s, "/review/" + s, "/reset/" + s, "/ical/" + s + ".ics", "/shared/" + s,
		"/api/v1/invitations/" + s, "/api/v1/reviews/" + s, "/api/v1/password-resets/" + s,
		"/invite/" + s + "?panic=1",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	}
	out := logs.String()
	if strings.Contains(out, s) {
		t.Errorf("the log holds a secret:\n%s", out)
	}
	for _, want := range []string{"path=/invite/REDACTED", "path=/api/v1/reviews/REDACTED", "path=/ical/REDACTED", "path=/shared/REDACTED", "msg=panic"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	// Other paths are logged as they are.
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/w/1/calendar", nil))
	if !strings.Contains(logs.String(), "path=/w/1/calendar") {
		t.Errorf("an ordinary path is not logged:\n%s", logs.String())
	}
}
