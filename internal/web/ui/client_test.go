package ui_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// client is a person's browser on the UI of a test instance, without
// JavaScript: the one test helper of this package's HTTP-level tests. get,
// post and send keep cookies and follow redirects as a browser does; do
// sends one request as it is and shows its answer untouched.
type client struct {
	t    *testing.T
	base string // scheme and host
	c    *http.Client
	// session is the session cookie's value once signed in.
	session string
}

// newClient is a signed-out browser on env's server.
func newClient(t *testing.T, env *apptest.Env) *client {
	t.Helper()
	return clientOn(t, env.Server.URL, nil)
}

// signIn signs the owner in through the sign-in form.
func signIn(t *testing.T, env *apptest.Env) *client {
	t.Helper()
	return signInAs(t, env, "owner@example.test")
}

// signInAs signs email in through the sign-in form.
func signInAs(t *testing.T, env *apptest.Env, email string) *client {
	t.Helper()
	b := newClient(t, env)
	if status, body := b.post("/login", url.Values{"email": {email}, "password": {"correct horse battery"}}); status != http.StatusOK {
		t.Fatalf("sign in as %s: %d %.200s", email, status, body)
	}
	for _, c := range b.c.Jar.Cookies(b.baseURL()) {
		if c.Name == ui.SessionCookie {
			b.session = c.Value
		}
	}
	return b
}

// newBrowser is a browser on the UI as an https deployment builds it
// (Secure cookies), served in-process; email "" stays signed out.
func newBrowser(t *testing.T, env *apptest.Env, email string) *client {
	t.Helper()
	a := env.App
	h, err := ui.New(ui.Deps{Auth: a.Auth, Notifications: a.Notifier, Posts: a.Posts, Channels: a.Channels, Media: a.Media,
		Calendar: a.Calendar, Importer: a.Importer, LinkCards: a.LinkCards, Status: a.Status, Inbox: a.Inbox, Idempotency: a.Idempotency, Contacts: a.Contacts, Log: a.Log, Now: time.Now,
		PublicURL: "https://tribune.example.test", Secure: true})
	if err != nil {
		t.Fatal(err)
	}
	b := clientOn(t, "https://tribune.example.test", inProcess{h})
	if email != "" {
		if b.session, _, err = a.Auth.Login(context.Background(), email, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		b.c.Jar.SetCookies(b.baseURL(), []*http.Cookie{{Name: ui.SessionCookie, Value: b.session, Path: "/", Secure: true, HttpOnly: true}})
	}
	return b
}

func clientOn(t *testing.T, base string, transport http.RoundTripper) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, c: &http.Client{Jar: jar, Transport: transport}}
}

func (b *client) baseURL() *url.URL {
	u, err := url.Parse(b.base)
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// inProcess serves requests with a handler, without a network, as
// httptest.NewRequest describes them (https requests carry a TLS state).
type inProcess struct{ h http.Handler }

func (p inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Host, r.RequestURI, r.RemoteAddr = req.URL.Host, req.URL.RequestURI(), "192.0.2.1:1234"
	if r.Body == nil {
		r.Body = http.NoBody
	}
	if req.URL.Scheme == "https" {
		r.TLS = &tls.ConnectionState{Version: tls.VersionTLS12, HandshakeComplete: true, ServerName: req.URL.Hostname()}
	}
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// get loads path with the request headers given as name, value pairs and
// returns the last answer (after redirects) with its body.
func (b *client) get(path string, header ...string) (*http.Response, string) {
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
	return resp, readBody(resp)
}

// post submits a form and returns the last answer's status and body.
func (b *client) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	return b.send(path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// send posts a body of any type (a multipart form) like post.
func (b *client) send(path, contentType string, body io.Reader) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, readBody(resp)
}

// do sends one request with the client's cookies and extra ones, and
// returns its answer as it is: a redirect is not followed and the cookies
// it sets are left for the test to read, not kept.
func (b *client) do(method, path string, form url.Values, cookies ...*http.Cookie) *http.Response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range append(b.c.Jar.Cookies(req.URL), cookies...) {
		req.AddCookie(c)
	}
	once := &http.Client{Transport: b.c.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := once.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp
}

func readBody(r *http.Response) string {
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	return string(b)
}

func cookieNamed(r *http.Response, name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name && c.Value != "" {
			return c
		}
	}
	return nil
}
