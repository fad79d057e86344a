// Package apptest starts a whole Tribune in-process for tests: a database of
// the chosen dialect, the Sandbox network on an httptest server, the HTTP
// handler, and (optionally) the River workers.
package apptest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/app"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// Options tune a test instance.
type Options struct {
	Postgres bool // run on PostgreSQL (skips when the suite is off)
	Workers  bool // start River workers
	// SandboxIdempotency makes the sandbox honour Idempotency-Key (off by
	// default: tests prove Tribune's own protection).
	SandboxIdempotency bool
	NetworkTimeout     time.Duration
	// RefusePrivateNetworks leaves -allow-private-networks off, as in
	// production: Mastodon and Bluesky fakes on 127.0.0.1 are then out of
	// reach (the Sandbox stays reachable).
	RefusePrivateNetworks bool
	// Configure, when set, changes the configuration before the app is
	// built (rate limits, admission of writes…).
	Configure func(*config.Config)
}

// Env is a running instance.
type Env struct {
	App        *app.App
	Server     *httptest.Server
	Sandbox    *sandbox.Server
	SandboxURL string
	// SandboxControlToken opens the Sandbox's /_sandbox/ endpoints.
	SandboxControlToken string
	Store               store.Store
}

// Start builds and starts an instance; everything stops with the test.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	control := secret.NewToken("sbx_")
	// The Sandbox gives absolute web addresses, as in production (app.go
	// gives it PublicURL): the inbox keeps only http(s) ones, and a bare
	// path would read as no address at all. Its address is known once its
	// listener is, before it serves.
	var sb *sandbox.Server
	sbSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sb.ServeHTTP(w, r) }))
	sb, err := sandbox.NewServer(sandbox.Options{Idempotency: o.SandboxIdempotency, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ControlToken: control,
		PublicURL: "http://" + sbSrv.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	sbSrv.Start()
	t.Cleanup(sbSrv.Close)
	if o.NetworkTimeout == 0 {
		o.NetworkTimeout = 3 * time.Second
	}
	dir := t.TempDir()
	cfg, err := config.Load("test", nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.SecretKeys = secret.NewKeySpec("k1")
	cfg.SandboxURL = sbSrv.URL
	cfg.SandboxControlToken = control
	cfg.NetworkTimeout = o.NetworkTimeout
	cfg.AllowPrivateNetworks = !o.RefusePrivateNetworks
	cfg.JobTimeout = 4 * o.NetworkTimeout
	cfg.NodeID = "test-node"
	// Listen first so links Tribune writes (review links, OAuth callbacks)
	// point at this server.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.PublicURL = "http://" + ln.Addr().String()
	if o.Postgres {
		cfg.DatabaseURL = storetest.PostgresURL(t)
	}
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.New(context.Background(), cfg, log, app.Roles{Web: true, Workers: o.Workers})
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last registered first: the store closes after River stopped.
	t.Cleanup(a.Close)
	a.Publisher.RetryBase = 100 * time.Millisecond
	// Tests never reach the internet: a composer test that types a real
	// address (www.example.com) must not make its link card fetch it.
	// Loopback test servers stay reachable, under the safe client's rules.
	c := a.LinkCards.Client
	a.LinkCards.Client = &http.Client{Timeout: c.Timeout, CheckRedirect: c.CheckRedirect, Transport: loopbackOnly{c.Transport}}
	// Webhook retries within a test's patience; the default schedule has its own test.
	a.Webhooks.Retries = []time.Duration{150 * time.Millisecond, 150 * time.Millisecond, 150 * time.Millisecond}
	srv := httptest.NewUnstartedServer(a.Handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	// As app's server does at shutdown: stopping the live layer first ends
	// the pages' event streams, which would otherwise hold Close (an open
	// browser keeps its stream until the test's budget ends).
	t.Cleanup(func() { a.Live.Stop(); srv.Close() })
	if o.Workers {
		ctx, cancel := context.WithCancel(context.Background())
		if err := a.Store.Jobs().Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stopCtx, c2 := context.WithTimeout(context.Background(), 10*time.Second)
			defer c2()
			_ = a.Store.Jobs().Stop(stopCtx)
			cancel()
		})
	}
	return &Env{App: a, Server: srv, Sandbox: sb, SandboxURL: sbSrv.URL, SandboxControlToken: control, Store: a.Store}
}

// SandboxConnector is a Sandbox connector holding the control token, for
// tests that set faults themselves.
func (e *Env) SandboxConnector() *sandbox.Connector {
	c := sandbox.NewConnector(nil)
	c.ControlToken = e.SandboxControlToken
	return c
}

// loopbackOnly refuses every request whose host is not a loopback
// address, before the next transport sees it.
type loopbackOnly struct{ next http.RoundTripper }

func (l loopbackOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	h := req.URL.Hostname()
	if ip, err := netip.ParseAddr(h); h != "localhost" && (err != nil || !ip.IsLoopback()) {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, errors.New("apptest: tests never reach the internet (" + h + ")")
	}
	return l.next.RoundTrip(req)
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(string(b))
	return len(b), nil
}

// Owner creates the first owner and workspace.
func (e *Env) Owner(t testing.TB) (store.User, store.Workspace) {
	t.Helper()
	u, ws, err := e.App.Auth.SignUpOwner(context.Background(), auth.SignUpInput{Name: "Owner", Email: "owner@example.test",
		Password: "correct horse battery", Timezone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	return u, ws
}

// Member invites email into ws with role and returns the new user.
func (e *Env) Member(t testing.TB, inviter store.User, wsID int64, email string, role auth.Role) store.User {
	t.Helper()
	ctx := context.Background()
	tok, err := e.App.Auth.Invite(ctx, inviter, wsID, email, role)
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.App.Auth.AcceptInvitation(ctx, tok, email, "correct horse battery", "en")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// OrgOwner adds an owner to owner's organisation with no membership row in
// any workspace: they own every workspace all the same (auth.roleOf), the
// case a feature that picks people from the membership rows would miss.
func (e *Env) OrgOwner(t testing.TB, owner store.User, email string) store.User {
	t.Helper()
	u, err := e.App.Store.CreateUser(context.Background(), store.CreateUserParams{OrganizationID: owner.OrganizationID, Email: email,
		Name: "Co-owner " + email, PasswordHash: "x", OrgRole: string(auth.Owner), Locale: "en", CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Token returns an API token for u.
func (e *Env) Token(t testing.TB, u store.User) string {
	t.Helper()
	tok, _, err := e.App.Auth.CreateAPIToken(context.Background(), u, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Do sends an API request with a bearer token.
func (e *Env) Do(t testing.TB, token, method, path string, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.Server.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
