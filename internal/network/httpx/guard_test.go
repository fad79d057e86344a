package httpx

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
)

func TestPublic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"93.184.215.14", true},
		{"2606:4700::6810:85e5", true},
		{"127.0.0.1", false},
		{"127.8.9.10", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.0.1", false},      // carrier-grade NAT
		{"100.127.255.254", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"255.255.255.255", false},
		{"198.18.0.1", false},
		{"240.0.0.1", false},
		{"::1", false},
		{"::", false},
		{"fe80::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"ff02::1", false},
		{"fec0::1", false},
		{"::ffff:127.0.0.1", false}, // IPv4-mapped
		{"::ffff:7f00:1", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"::ffff:93.184.215.14", true},
		{"::127.0.0.1", false}, // IPv4-compatible
		{"::a9fe:a9fe", false},
		{"64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254
		{"64:ff9b::5db8:d70e", true},  // NAT64 of a public address
		{"64:ff9b:1::1", false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			if got := Public(netip.MustParseAddr(tc.addr)); got != tc.want {
				t.Errorf("Public(%s) = %v, want %v", tc.addr, got, tc.want)
			}
		})
	}
}

// target is a test server and how many requests reached it.
type target struct {
	*httptest.Server
	hits atomic.Int32
}

func newTarget(t *testing.T, tlsOn bool, h http.HandlerFunc) *target {
	tg := &target{}
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tg.hits.Add(1); h(w, r) })
	if tlsOn {
		tg.Server = httptest.NewTLSServer(handler)
	} else {
		tg.Server = httptest.NewServer(handler)
	}
	t.Cleanup(tg.Close)
	return tg
}

func (tg *target) port() string { _, p, _ := net.SplitHostPort(tg.Listener.Addr().String()); return p }

// trusting makes c trust the test servers' certificate (httptest uses one
// for all).
func trusting(c *http.Client, srv *httptest.Server) *http.Client {
	c.Transport.(*checkURL).next.(*http.Transport).TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	return c
}

// Every address that is not public is refused when the connection is made,
// whatever form the URL gives it; the refusal is a Permanent error that
// says nothing of the remote side.
func TestPrivateAddressesAreRefused(t *testing.T) {
	t.Parallel()
	srv := newTarget(t, true, nil)
	p := srv.port()
	client := trusting(NewClient(Options{}), srv.Server)
	for _, u := range []string{
		"https://127.0.0.1:" + p + "/",
		"https://127.0.0.2:" + p + "/",
		"https://localhost:" + p + "/", // a name that resolves to loopback
		"https://[::1]:" + p + "/",
		"https://[::ffff:127.0.0.1]:" + p + "/",
		"https://[::ffff:7f00:1]:" + p + "/",
		"https://[::127.0.0.1]:" + p + "/",
		"https://0.0.0.0:" + p + "/",
		"https://[::]:" + p + "/",
		"https://169.254.169.254/latest/meta-data/",
		"https://[::ffff:169.254.169.254]/latest/meta-data/",
		"https://10.0.0.1/",
		"https://172.16.0.1/",
		"https://192.168.0.1/",
		"https://100.64.0.1/",
		"https://[fe80::1]/",
		"https://[fc00::1]/",
		"https://224.0.0.1/",
		"https://2130706433:" + p + "/", // decimal 127.0.0.1
		"https://0177.0.0.1:" + p + "/", // octal
		"https://0x7f.0.0.1:" + p + "/", // hex
		"https://0x7f000001:" + p + "/",
		"https://127.1:" + p + "/",
		"http://127.0.0.1:" + p + "/", // and http besides
		"ftp://example.com/",
	} {
		t.Run(u, func(t *testing.T) {
			t.Parallel()
			c := &Client{HTTP: client}
			_, err := c.Do(context.Background(), Request{Method: http.MethodGet, URL: u}, nil)
			if !Blocked(err) {
				t.Fatalf("got %v, want the call refused", err)
			}
			if ne := network.AsError(err); ne.Kind != network.Permanent || ne.Status != 0 {
				t.Errorf("got %v, want a Permanent error", ne)
			}
		})
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("the private server was reached %d times", n)
	}
}

// A public server (here a loopback one the test declares public) may be
// reached over https only, and every redirect is checked again: its scheme
// and the address it leads to; at most MaxRedirects are followed.
func TestRedirectsAreCheckedAgain(t *testing.T) {
	t.Parallel()
	private := newTarget(t, true, nil)
	privatePlain := newTarget(t, false, nil)
	public := newTarget(t, true, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = io.WriteString(w, "ok")
		case "/to-private":
			http.Redirect(w, r, private.URL+"/", http.StatusFound)
		case "/to-private-name":
			http.Redirect(w, r, "https://localhost:"+private.port()+"/", http.StatusFound)
		case "/to-http":
			http.Redirect(w, r, "http://"+r.Host+"/ok", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "https://169.254.169.254/latest/meta-data/", http.StatusFound)
		default: // /hops/N redirects N more times, then answers
			n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hops/"))
			if err != nil || n == 0 {
				_, _ = io.WriteString(w, "ok")
				return
			}
			http.Redirect(w, r, "/hops/"+strconv.Itoa(n-1), http.StatusFound)
		}
	})
	publicAddr := netip.MustParseAddrPort(public.Listener.Addr().String())
	permit := func(ap netip.AddrPort) bool { return ap == publicAddr }
	client := trusting(NewClient(Options{Permit: permit}), public.Server)
	for _, tc := range []struct {
		path    string
		allowed bool
	}{
		{"/ok", true},
		{"/to-private", false},
		{"/to-private-name", false},
		{"/to-http", false},
		{"/to-metadata", false},
		{"/hops/5", true},
		{"/hops/6", false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			c := &Client{HTTP: client}
			_, err := c.Do(context.Background(), Request{Method: http.MethodGet, URL: public.URL + tc.path}, nil)
			if tc.allowed && err != nil {
				t.Fatalf("got %v, want the call allowed", err)
			}
			if !tc.allowed && !Blocked(err) {
				t.Fatalf("got %v, want the call refused", err)
			}
		})
	}
	// The same server over http is refused before any connection.
	_, err := (&Client{HTTP: client}).Do(context.Background(), Request{Method: http.MethodGet, URL: strings.Replace(public.URL, "https:", "http:", 1) + "/ok"}, nil)
	if !Blocked(err) {
		t.Errorf("http to a public address: got %v, want refused", err)
	}
	if n := private.hits.Load() + privatePlain.hits.Load(); n != 0 {
		t.Errorf("the private servers were reached %d times", n)
	}
}

// -allow-private-networks lets everything through: http, loopback, names
// that resolve to it; redirects stay bounded.
func TestAllowPrivateAllowsEverything(t *testing.T) {
	t.Parallel()
	plain := newTarget(t, false, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/loop" {
			http.Redirect(w, r, "/loop", http.StatusFound)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	secure := newTarget(t, true, nil)
	client := trusting(NewClient(Options{AllowPrivate: true}), secure.Server)
	for _, u := range []string{plain.URL + "/", "http://localhost:" + plain.port() + "/", secure.URL + "/"} {
		if _, err := (&Client{HTTP: client}).Do(context.Background(), Request{Method: http.MethodGet, URL: u}, nil); err != nil {
			t.Errorf("%s: %v, want allowed", u, err)
		}
	}
	if _, err := (&Client{HTTP: client}).Do(context.Background(), Request{Method: http.MethodGet, URL: plain.URL + "/loop"}, nil); !Blocked(err) {
		t.Errorf("endless redirects: got %v, want refused", err)
	}
}

// A client pinned to an origin (the Sandbox's) reaches that origin and
// nothing else, not even by a redirect.
func TestOriginPinsTheClient(t *testing.T) {
	t.Parallel()
	other := newTarget(t, false, nil)
	sandbox := newTarget(t, false, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sandbox/away" {
			http.Redirect(w, r, other.URL+"/", http.StatusFound)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	c := &Client{HTTP: NewClient(Options{AllowPrivate: true, Origin: sandbox.URL + "/sandbox"})}
	ctx := context.Background()
	if _, err := c.Do(ctx, Request{Method: http.MethodGet, URL: sandbox.URL + "/sandbox/api/posts"}, nil); err != nil {
		t.Errorf("the sandbox itself: %v", err)
	}
	for _, u := range []string{other.URL + "/", sandbox.URL + "/sandbox/away", "http://localhost:" + sandbox.port() + "/"} {
		if _, err := c.Do(ctx, Request{Method: http.MethodGet, URL: u}, nil); !Blocked(err) {
			t.Errorf("%s: got %v, want refused", u, err)
		}
	}
	if n := other.hits.Load(); n != 0 {
		t.Errorf("another origin was reached %d times", n)
	}
}

// When a connection fails, the user is told so in Tribune's words: what the
// remote side sent (here a database's banner on a port the user typed)
// stays in the logged cause.
func TestConnectionFailuresDoNotEchoTheRemoteSide(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(conn, "SECRET-BANNER internal database 9.6 ready\r\n\r\n")
			_ = conn.Close()
		}
	}()
	for _, scheme := range []string{"http", "https"} {
		c := &Client{HTTP: NewClient(Options{AllowPrivate: true})}
		_, err := c.Do(context.Background(), Request{Method: http.MethodGet, URL: scheme + "://" + ln.Addr().String() + "/"}, nil)
		var ne *network.Error
		if !errors.As(err, &ne) || ne.Kind != network.Temporary {
			t.Fatalf("%s: got %v, want a Temporary network error", scheme, err)
		}
		if strings.Contains(ne.Message, "SECRET") || ne.Message == "" {
			t.Errorf("%s: message %q, want Tribune's own words", scheme, ne.Message)
		}
	}
}
