package rss

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
)

// feedServer serves a feed with an ETag and a Last-Modified, answering 304
// to a conditional GET that carries either validator unchanged, as a web
// server does (RFC 9110 §13.1.1, §13.1.3), and records the conditional
// headers of every request.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	body     string
	ctype    string
	etag     string
	modified string
	got      []http.Header
	full     int // 200 answers
}

func newFeedServer(t *testing.T, body, ctype string) *feedServer {
	f := &feedServer{body: body, ctype: ctype, etag: `"v1"`, modified: "Wed, 02 Dec 2026 10:00:00 GMT"}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.got = append(f.got, r.Header.Clone())
		if inm := r.Header.Get("If-None-Match"); inm != "" {
			if inm == f.etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		} else if ims := r.Header.Get("If-Modified-Since"); ims != "" && ims == f.modified {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		f.full++
		w.Header().Set("Content-Type", f.ctype)
		w.Header().Set("ETag", f.etag)
		w.Header().Set("Last-Modified", f.modified)
		_, _ = w.Write([]byte(f.body))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *feedServer) set(body, etag string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.body, f.etag = body, etag
	f.modified = "Thu, 03 Dec 2026 10:00:00 GMT"
}

func (f *feedServer) last() http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got[len(f.got)-1]
}

func newSource(t *testing.T, u string) *Source {
	t.Helper()
	s, err := New(source.Config{Kind: "rss", Values: map[string]string{"url": u}}, source.Deps{
		HTTP: &http.Client{Timeout: 10 * time.Second},
		Now:  func() time.Time { return time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Source)
}

const rss2 = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Le Blog Tribune</title><language>fr</language>
<item><title>Deuxième billet</title><link>https://blog.test/2</link><guid isPermaLink="false">post-2</guid>
<description>&lt;p&gt;Tribune &amp;amp; la &lt;b&gt;veille&lt;/b&gt;&lt;/p&gt;</description>
<pubDate>Wed, 2 Dec 2026 09:30:00 +0100</pubDate><dc:creator>Camille</dc:creator></item>
<item><title>Premier billet</title><link>https://blog.test/1</link>
<description>Bonjour&amp;nbsp;!</description><author>jo@blog.test (Jo Martin)</author>
<pubDate>Tue, 01 Dec 2026 08:00:00 GMT</pubDate></item>
</channel></rss>`

const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>Example News</title><author><name>Newsroom</name></author>
<entry><id>tag:news.test,2026:1</id><title type="html">Tribune &lt;em&gt;launches&lt;/em&gt;</title>
<link rel="alternate" href="https://news.test/a/1"/><link rel="enclosure" href="https://news.test/a/1.mp3"/>
<published>2026-12-02T10:00:00Z</published><updated>2026-12-02T11:00:00Z</updated>
<summary type="html">&lt;p&gt;A new platform.&lt;/p&gt;</summary></entry>
<entry><id>tag:news.test,2026:2</id><title>Second</title><link href="https://news.test/a/2"/>
<updated>2026-12-02T12:00:00Z</updated><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Body <b>two</b></p></div></content><author><name>Sam</name></author></entry>
</feed>`

func TestParseFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		want       []source.Post
	}{
		{"rss 2.0", rss2, []source.Post{
			{ExternalID: "https://blog.test/1", URL: "https://blog.test/1", Author: "Jo Martin", Text: "Premier billet — Bonjour !", Lang: "fr", CreatedAt: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)},
			{ExternalID: "post-2", URL: "https://blog.test/2", Author: "Camille", Text: "Deuxième billet — Tribune & la veille", Lang: "fr", CreatedAt: time.Date(2026, 12, 2, 8, 30, 0, 0, time.UTC)},
		}},
		{"atom 1.0", atom, []source.Post{
			{ExternalID: "tag:news.test,2026:1", URL: "https://news.test/a/1", Author: "Newsroom", Text: "Tribune launches — A new platform.", Lang: "en", CreatedAt: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)},
			{ExternalID: "tag:news.test,2026:2", URL: "https://news.test/a/2", Author: "Sam", Text: "Second — Body two", Lang: "en", CreatedAt: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)},
		}},
		{"rss 1.0", `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://r.test/"><title>R</title></channel>
<item rdf:about="https://r.test/x"><title>X</title><link>https://r.test/x</link><dc:date>2026-12-01T00:00:00Z</dc:date><dc:creator>Ann</dc:creator></item></rdf:RDF>`,
			[]source.Post{{ExternalID: "https://r.test/x", URL: "https://r.test/x", Author: "Ann", Text: "X", CreatedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFeedServer(t, tc.body, "application/xml")
			s := newSource(t, srv.URL)
			var c cursor
			b, changed, err := s.poll(context.Background(), &c)
			if err != nil || !changed {
				t.Fatalf("poll: changed %v, err %v", changed, err)
			}
			if len(b.Posts) != len(tc.want) {
				t.Fatalf("got %d posts %+v, want %d", len(b.Posts), b.Posts, len(tc.want))
			}
			for i, w := range tc.want {
				g := b.Posts[i]
				w.Network, w.AuthorName, w.AuthorFollowers = "rss", w.Author, -1
				if g != w {
					t.Errorf("post %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

// The guarantee: an unchanged feed costs a 304 and stores nothing; a
// changed one hands over only the items not seen before.
func TestConditionalGET(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t, rss2, "application/rss+xml")
	s := newSource(t, srv.URL)
	ctx := context.Background()

	var c cursor
	b, changed, err := s.poll(ctx, &c)
	if err != nil || !changed || len(b.Posts) != 2 {
		t.Fatalf("first poll: %d posts, changed %v, err %v; want 2, true, nil", len(b.Posts), changed, err)
	}
	if h := srv.last(); h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != "" {
		t.Errorf("first poll sent validators %v, want none", h)
	}

	// Resume from the stored cursor, as after a restart.
	c = parseCursor(b.Cursor)
	b, changed, err = s.poll(ctx, &c)
	if err != nil || changed || len(b.Posts) != 0 {
		t.Fatalf("second poll: %d posts, changed %v, err %v; want a 304 with nothing", len(b.Posts), changed, err)
	}
	h := srv.last()
	if got, want := h.Get("If-None-Match"), `"v1"`; got != want {
		t.Errorf("If-None-Match = %q, want %q", got, want)
	}
	if got, want := h.Get("If-Modified-Since"), "Wed, 02 Dec 2026 10:00:00 GMT"; got != want {
		t.Errorf("If-Modified-Since = %q, want %q", got, want)
	}
	if srv.full != 1 {
		t.Errorf("the server sent the feed %d times, want 1", srv.full)
	}

	// A new item: only it is handed over.
	srv.set(strings.Replace(rss2, "<item>", `<item><title>Troisième</title><guid>post-3</guid><pubDate>Thu, 03 Dec 2026 09:00:00 GMT</pubDate></item><item>`, 1), `"v2"`)
	b, changed, err = s.poll(ctx, &c)
	if err != nil || !changed {
		t.Fatalf("third poll: changed %v, err %v", changed, err)
	}
	if len(b.Posts) != 1 || b.Posts[0].ExternalID != "post-3" {
		t.Fatalf("third poll: got %+v, want only post-3", b.Posts)
	}
	if got := parseCursor(b.Cursor).ETag; got != `"v2"` {
		t.Errorf("cursor etag = %q, want \"v2\"", got)
	}
}

func TestRunEmitsThenStopsWithContext(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t, atom, "application/atom+xml")
	s := newSource(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	var got []source.Batch
	err := s.Run(ctx, "", func(_ context.Context, b source.Batch) error {
		got = append(got, b)
		cancel()
		return nil
	})
	if err != nil {
		t.Fatalf("Run = %v, want nil once ctx ends", err)
	}
	if len(got) != 1 || len(got[0].Posts) != 2 || got[0].Cursor == "" {
		t.Fatalf("got %+v, want one batch of 2 posts with a cursor", got)
	}
}

func TestBadFeeds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, ctype string
		permanent         bool
		says              string
	}{
		{"html page", "<!doctype html><html><head><title>Blog</title></head><body>hi</body></html>", "text/html; charset=utf-8", true, "web page"},
		{"json", `{"items": []}`, "application/json", true, "not give an RSS or Atom feed"},
		{"other xml", `<?xml version="1.0"?><sitemap><url/></sitemap>`, "application/xml", true, "<sitemap>"},
		{"empty", "", "application/xml", true, "empty"},
		{"truncated", rss2[:len(rss2)/2], "application/rss+xml", false, "malformed at line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFeedServer(t, tc.body, tc.ctype)
			var c cursor
			_, _, err := newSource(t, srv.URL).poll(context.Background(), &c)
			if err == nil {
				t.Fatal("poll succeeded, want an error")
			}
			if got := errors.Is(err, source.ErrPermanent); got != tc.permanent {
				t.Errorf("permanent = %v, want %v (%v)", got, tc.permanent, err)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
		})
	}
}

func TestSizeLimit(t *testing.T) {
	t.Parallel()
	big := `<?xml version="1.0"?><rss><channel><title>` + strings.Repeat("a", MaxFeed) + `</title></channel></rss>`
	srv := newFeedServer(t, big, "application/rss+xml")
	var c cursor
	_, _, err := newSource(t, srv.URL).poll(context.Background(), &c)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("poll = %v, want the size limit", err)
	}
}

func TestServerErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status       int
		permanent    bool
		unauthorized bool
	}{{404, true, false}, {410, true, false}, {401, false, true}, {503, false, false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tc.status) }))
		var c cursor
		_, _, err := newSource(t, srv.URL).poll(context.Background(), &c)
		srv.Close()
		if err == nil || errors.Is(err, source.ErrPermanent) != tc.permanent || errors.Is(err, source.ErrUnauthorized) != tc.unauthorized {
			t.Errorf("HTTP %d: err %v, want permanent %v unauthorized %v", tc.status, err, tc.permanent, tc.unauthorized)
		}
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		values map[string]string
		field  string
	}{
		{map[string]string{}, "url"},
		{map[string]string{"url": "ftp://x.test/feed"}, "url"},
		{map[string]string{"url": "https://x.test/feed", "interval": "2"}, "interval"},
		{map[string]string{"url": "https://x.test/feed", "interval": "often"}, "interval"},
	} {
		_, err := New(source.Config{Values: tc.values}, source.Deps{})
		if !errors.Is(err, source.ErrPermanent) || !strings.HasPrefix(strings.TrimPrefix(err.Error(), source.ErrPermanent.Error()+": "), tc.field+":") {
			t.Errorf("New(%v) = %v, want a permanent error naming %s", tc.values, err, tc.field)
		}
	}
	if _, err := New(source.Config{Values: map[string]string{"url": "https://x.test/feed", "interval": "5"}}, source.Deps{}); err != nil {
		t.Errorf("5 minutes refused: %v", err)
	}
}

// French feeds still come in ISO-8859-1 now and then.
func TestLatin1Feed(t *testing.T) {
	t.Parallel()
	body := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Journal</title>" +
		"<item><guid>1</guid><title>L'\xe9t\xe9 de Tribune</title></item></channel></rss>"
	srv := newFeedServer(t, body, "application/rss+xml")
	var c cursor
	b, _, err := newSource(t, srv.URL).poll(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Posts) != 1 || b.Posts[0].Text != "L'été de Tribune" {
		t.Fatalf("got %+v, want the title decoded from ISO-8859-1", b.Posts)
	}
}

// Without the operator's leave, a feed on a private address is refused
// for good, naming the field.
func TestPrivateAddressRefused(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t, rss2, "application/rss+xml")
	s, err := New(source.Config{Values: map[string]string{"url": srv.URL}}, source.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	var c cursor
	_, _, err = s.(*Source).poll(context.Background(), &c)
	if !errors.Is(err, source.ErrPermanent) || !strings.Contains(err.Error(), "url:") {
		t.Fatalf("poll = %v, want a permanent refusal naming url", err)
	}
}

// BenchmarkParse reads a 200-item RSS 2.0 feed with HTML descriptions.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>`)
	for i := range 200 {
		fmt.Fprintf(&sb, `<item><title>Billet %d sur la veille</title><link>https://blog.test/%d</link><guid>g-%d</guid>`+
			`<description>&lt;p&gt;Un paragraphe &lt;b&gt;assez&lt;/b&gt; long pour ressembler à un résumé d'article de presse, avec un &lt;a href="https://x.test"&gt;lien&lt;/a&gt;.&lt;/p&gt;</description>`+
			`<pubDate>Wed, 02 Dec 2026 09:30:00 +0100</pubDate></item>`, i, i, i)
	}
	sb.WriteString(`</channel></rss>`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		f, err := parse(body, "application/rss+xml")
		if err != nil || len(f.Items) != 200 {
			b.Fatal(err)
		}
		for _, it := range f.Items {
			_ = toPost(f, it, itemID(it), time.Now())
		}
	}
}
