package ui_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
)

func (b formClient) get(path string, header ...string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

// An address no route claims gets a 404 page in the layout and in the
// user's language, not the bare "404 page not found" of net/http.
func TestUnknownPageIsARealNotFoundPage(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.Owner(t)
	b := formClient{t: t, base: env.Server.URL, c: &http.Client{}} // signed out: the browser's language decides
	for _, c := range []struct{ lang, want string }{
		{"en", "This page does not exist"},
		{"fr", "Cette page n’existe pas"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			resp, body := b.get("/no/such/page", "Accept-Language", c.lang)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("status %d, want 404", resp.StatusCode)
			}
			if !strings.Contains(body, c.want) || !strings.Contains(body, `class="brand"`) {
				t.Errorf("the 404 answer is not a page of the layout saying %q: %.300s", c.want, body)
			}
		})
	}
}

// Pages link a favicon under its content-hash URL, the file is served as
// SVG, and /favicon.ico leads to it.
func TestFaviconIsServed(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.Owner(t)
	b := signIn(t, env)
	_, page := b.get("/login")
	_, rest, ok := strings.Cut(page, `rel="icon" type="image/svg+xml" href="`)
	href, _, _ := strings.Cut(rest, `"`)
	if !ok || !strings.HasPrefix(href, "/static/favicon.svg?v=") {
		t.Fatalf("the page links no hashed favicon: %q", href)
	}
	resp, body := b.get(href)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "image/svg+xml") || !strings.Contains(body, "<svg") {
		t.Errorf("favicon: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, _ = b.get("/favicon.ico")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.RequestURI() != href {
		t.Errorf("/favicon.ico ends at %s (status %d), want %s", resp.Request.URL.RequestURI(), resp.StatusCode, href)
	}
}
