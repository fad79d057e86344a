package linkcard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/linkcard"
	"github.com/tribune-social/tribune/internal/problem"
)

// pages serves the fake pages of these tests and counts the requests.
func pages(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	hits := new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/article":
			_, _ = w.Write([]byte(`<!doctype html><html><head>
<title>Fallback title</title>
<meta property="og:title" content="Spring sale:
  everything at -30%">
<meta property="og:description" content="Three days only, in every shop.">
<meta property="og:image" content="/img/sale.jpg">
<meta name="description" content="not this one">
</head><body><meta property="og:title" content="a tag in the body is not the page's"></body></html>`))
		case "/plain":
			_, _ = w.Write([]byte(`<html><head><title> Just a title </title><meta name="description" content="From the meta description."></head><body>hi</body></html>`))
		case "/bare":
			_, _ = w.Write([]byte(`<html><body>No head, no title.</body></html>`))
		case "/latin1":
			w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
			_, _ = w.Write([]byte("<html><head><title>Caf\xe9 cr\xe8me</title></head></html>"))
		case "/huge":
			// A head so long that the tags after the limit are never read.
			_, _ = w.Write([]byte(`<html><head><title>Early title</title><script>`))
			pad := []byte(strings.Repeat("x", 64<<10))
			for i := 0; i < 16; i++ { // 1 MiB
				_, _ = w.Write(pad)
			}
			_, _ = w.Write([]byte(`</script><meta property="og:title" content="Late title"></head></html>`))
		case "/photo.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write([]byte("\x89PNG"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

// A page's Open Graph tags make its card (white space folded, the image
// made absolute); without them its <title> and meta description do; a page
// without either gives the host only; another character set is decoded.
func TestCardReadsThePageMetadata(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.Start(t, apptest.Options{}) // -allow-private-networks: the pages are on 127.0.0.1
	owner, ws := env.Owner(t)
	srv, _ := pages(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	host = host[:strings.IndexByte(host, ':')]
	for _, tc := range []struct {
		path string
		want linkcard.Card
	}{
		{"/article", linkcard.Card{Title: "Spring sale: everything at -30%", Description: "Three days only, in every shop.", Image: srv.URL + "/img/sale.jpg"}},
		{"/plain", linkcard.Card{Title: "Just a title", Description: "From the meta description."}},
		{"/bare", linkcard.Card{}},
		{"/latin1", linkcard.Card{Title: "Café crème"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			got, err := env.App.LinkCards.Card(ctx, owner, ws.ID, srv.URL+tc.path)
			if err != nil || got.Err != nil {
				t.Fatalf("card: %v, %v", err, got.Err)
			}
			tc.want.URL, tc.want.Host = srv.URL+tc.path, host
			if got != tc.want {
				t.Errorf("card = %+v\nwant   %+v", got, tc.want)
			}
		})
	}
}

// Only the first MaxBytes of a page are read: the tags past the cut are
// not seen, the ones before it are.
func TestCardReadsAPageUpToTheLimit(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	srv, _ := pages(t)
	got, err := env.App.LinkCards.Card(context.Background(), owner, ws.ID, srv.URL+"/huge")
	if err != nil || got.Err != nil {
		t.Fatalf("card: %v, %v", err, got.Err)
	}
	if got.Title != "Early title" {
		t.Errorf("title = %q, want %q (the tag past %d bytes must not be read)", got.Title, "Early title", linkcard.MaxBytes)
	}
}

// Without -allow-private-networks a page on a private address is never
// asked for: the card has the host only and says why.
func TestCardRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{RefusePrivateNetworks: true})
	owner, ws := env.Owner(t)
	srv, hits := pages(t)
	for _, u := range []string{srv.URL + "/article", strings.Replace(srv.URL, "http://", "https://", 1) + "/article"} {
		got, err := env.App.LinkCards.Card(context.Background(), owner, ws.ID, u)
		if err != nil {
			t.Fatal(err)
		}
		if code := problem.As(got.Err).Code; code != "link_refused" || got.Title != "" || got.Host == "" {
			t.Errorf("%s: card %+v (code %q), want the host only, refused", u, got, code)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the private server was reached %d times", n)
	}
}

// A card is remembered: asking again does not fetch the page again. A
// page that is not HTML, or missing, gives the host only and says why.
func TestCardIsCachedAndFailuresShowTheHost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	srv, hits := pages(t)
	for i := 0; i < 3; i++ {
		if _, err := env.App.LinkCards.Card(ctx, owner, ws.ID, srv.URL+"/plain"); err != nil {
			t.Fatal(err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the page was fetched %d times for three cards, want once", n)
	}
	if c, ok := env.App.LinkCards.Cached(srv.URL + "/plain"); !ok || c.Title != "Just a title" {
		t.Errorf("cached = %+v, %v", c, ok)
	}
	for path, code := range map[string]string{"/photo.png": "link_not_a_page", "/gone": "link_unreachable"} {
		got, err := env.App.LinkCards.Card(ctx, owner, ws.ID, srv.URL+path)
		if err != nil {
			t.Fatal(err)
		}
		if problem.As(got.Err).Code != code || got.Title != "" || got.Host == "" {
			t.Errorf("%s: card %+v, want the host only and %s", path, got, code)
		}
	}
}

// The cache holds a bounded number of cards, forgetting the least
// recently used first.
func TestCacheIsBounded(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	srv, _ := pages(t)
	s := linkcard.New(env.App.Auth, env.App.LinkCards.Client, env.App.LinkCards.Now, 2)
	ctx := context.Background()
	for _, p := range []string{"/plain", "/article", "/plain", "/bare"} {
		if _, err := s.Card(ctx, owner, ws.ID, srv.URL+p); err != nil {
			t.Fatal(err)
		}
	}
	for p, want := range map[string]bool{"/plain": true, "/bare": true, "/article": false} {
		if _, ok := s.Cached(srv.URL + p); ok != want {
			t.Errorf("%s cached = %v, want %v", p, ok, want)
		}
	}
}

// Only members who may compose in the workspace get cards: the fetch is
// not an open proxy.
func TestCardNeedsAComposer(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	srv, hits := pages(t)
	if _, err := env.App.LinkCards.Card(context.Background(), owner, ws.ID+1000, srv.URL+"/plain"); err == nil {
		t.Error("a card for a workspace the user is not in")
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the page was fetched %d times", n)
	}
}

// A page that does not answer in time gives the host only: the card does
// not wait for it.
func TestCardGivesUpOnASlowPage(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	s := linkcard.New(env.App.Auth, env.App.LinkCards.Client, env.App.LinkCards.Now, 8)
	s.Timeout = 200 * time.Millisecond
	start := time.Now()
	got, err := s.Card(context.Background(), owner, ws.ID, srv.URL+"/slow")
	if err != nil {
		t.Fatal(err)
	}
	if problem.As(got.Err).Code != "link_unreachable" || got.Host == "" {
		t.Errorf("card %+v, want the host only, unreachable", got)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the card waited %v for a slow page", d)
	}
}

// A card's image is served only for a remembered card that names one, and
// only when it is an image within MaxImageBytes.
func TestCardImage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	png := "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := func(img string) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html><head><title>t</title><meta property="og:image" content="` + img + `"></head></html>`))
		}
		switch r.URL.Path {
		case "/good":
			page("/i.png")
		case "/text":
			page("/i.txt")
		case "/big":
			page("/big.png")
		case "/i.png":
			_, _ = w.Write([]byte(png))
		case "/i.txt":
			_, _ = w.Write([]byte("words, not pixels"))
		case "/big.png":
			_, _ = w.Write([]byte(png))
			_, _ = w.Write(make([]byte, linkcard.MaxImageBytes))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	if _, _, err := env.App.LinkCards.Image(ctx, owner, ws.ID, srv.URL+"/good"); problem.As(err).Code != "no_card_image" {
		t.Errorf("image of a page never read: %v, want no_card_image (no open proxy)", err)
	}
	for path, code := range map[string]string{"/good": "", "/text": "card_image_type", "/big": "link_unreachable"} {
		if _, err := env.App.LinkCards.Card(ctx, owner, ws.ID, srv.URL+path); err != nil {
			t.Fatal(err)
		}
		mt, data, err := env.App.LinkCards.Image(ctx, owner, ws.ID, srv.URL+path)
		switch {
		case code == "" && (err != nil || mt != "image/png" || string(data) != png):
			t.Errorf("%s: %q, %d bytes, %v; want the PNG", path, mt, len(data), err)
		case code != "" && problem.As(err).Code != code:
			t.Errorf("%s: %v, want %s", path, err, code)
		}
	}
}
