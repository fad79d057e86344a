package ui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// The composer's link card is read from the page after the check has
// answered (the check itself never waits for the page), then shows the
// page's title, description and image, the image served by Tribune; the
// next check draws the remembered card at once.
func TestComposerLinkCardIsReadFromThePage(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{}) // -allow-private-networks: the page is on 127.0.0.1
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(context.Background(), owner, ws.ID, "box")
	if err != nil {
		t.Fatal(err)
	}
	img := tinyPNG(t)
	var pageHits atomic.Int32
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sale":
			pageHits.Add(1)
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, `<html><head><meta property="og:title" content="Spring sale"><meta property="og:description" content="Three days only."><meta property="og:image" content="/sale.png"></head></html>`)
		case "/sale.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(img)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(site.Close)
	session, _, err := env.App.Auth.Login(context.Background(), "owner@example.test", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path string, form url.Values) (string, http.Header) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req := httptest.NewRequest(method, path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("HX-Request", "true")
		req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
		rec := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(rec, req)
		raw, _ := io.ReadAll(rec.Body)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %s: status %d: %.300s", method, path, rec.Code, raw)
		}
		return string(raw), rec.Header()
	}
	check := func() string {
		body, _ := do(http.MethodPost, fmt.Sprintf("/w/%d/compose/check", ws.ID),
			url.Values{"channel": {fmt.Sprint(ch.ID)}, "text": {"Our sale"}, "link": {site.URL + "/sale"}})
		return body
	}
	first := check()
	if n := pageHits.Load(); n != 0 {
		t.Errorf("the check fetched the page %d times: typing would wait for it", n)
	}
	src := regexp.MustCompile(`hx-get="(/w/\d+/compose/linkcard\?[^"]+)"`).FindStringSubmatch(first)
	if src == nil {
		t.Fatalf("the first check's card does not ask for the page: %s", first)
	}
	card, _ := do(http.MethodGet, strings.ReplaceAll(src[1], "&amp;", "&"), nil)
	for _, want := range []string{"Spring sale", "Three days only.", `data-testid="preview-card-image-sandbox"`} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q: %s", want, card)
		}
	}
	again := check()
	if strings.Contains(again, "compose/linkcard?") || !strings.Contains(again, "Spring sale") {
		t.Errorf("the next check does not draw the remembered card: %s", again)
	}
	if n := pageHits.Load(); n != 1 {
		t.Errorf("the page was read %d times, want once", n)
	}
	imgSrc := regexp.MustCompile(`src="(/w/\d+/compose/linkcard/image\?[^"]+)"`).FindStringSubmatch(card)
	if imgSrc == nil {
		t.Fatalf("no image address in %s", card)
	}
	got, h := do(http.MethodGet, strings.ReplaceAll(imgSrc[1], "&amp;", "&"), nil)
	if h.Get("Content-Type") != "image/png" || got != string(img) {
		t.Errorf("image served as %q, %d bytes; want the page's PNG", h.Get("Content-Type"), len(got))
	}
}
