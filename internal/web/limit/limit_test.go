package limit_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/web"
	"github.com/tribune-social/tribune/internal/web/limit"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type answer struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, req *http.Request) answer {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// Password guessing is throttled the same way through the API's token
// creation and the UI's sign-in, since both go through auth.Login.
func TestLoginIsThrottled(t *testing.T) {
	t.Parallel()
	surfaces := []struct {
		name    string
		login   func(env *apptest.Env, email, password string) *http.Request
		ok      int
		message string // what a user reads once throttled
	}{
		{"api tokens", func(env *apptest.Env, email, password string) *http.Request {
			body := `{"email":"` + email + `","password":"` + password + `","name":"t"}`
			req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/api/v1/tokens", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			return req
		}, http.StatusCreated, `"message_fr":"Trop de tentatives de connexion échouées. Réessayez dans 1 s."`},
		{"ui sign-in", func(env *apptest.Env, email, password string) *http.Request {
			form := url.Values{"email": {email}, "password": {password}}
			req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept-Language", "fr")
			return req
		}, http.StatusSeeOther, "Trop de tentatives de connexion échouées. Réessayez dans 1 s."},
	}
	for _, s := range surfaces {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			env := apptest.Start(t, apptest.Options{})
			c := newClock()
			env.App.Auth.Throttle = auth.NewThrottle(c.Now)
			owner, ws := env.Owner(t)
			env.Member(t, owner, ws.ID, "member@example.test", auth.Contributor)
			const right = "correct horse battery"
			for i := range 5 {
				if got := send(t, s.login(env, owner.Email, "wrong password")); got.status != http.StatusUnauthorized {
					t.Fatalf("wrong password #%d: status %d, want 401", i+1, got.status)
				}
			}
			got := send(t, s.login(env, owner.Email, "wrong password"))
			if got.status != http.StatusTooManyRequests || got.header.Get("Retry-After") != "1" {
				t.Fatalf("6th wrong password: status %d Retry-After %q, want 429 and 1", got.status, got.header.Get("Retry-After"))
			}
			if !strings.Contains(got.body, s.message) {
				t.Errorf("6th wrong password: body %s does not say %s", got.body, s.message)
			}
			// The right password during the wait is not even checked.
			if got := send(t, s.login(env, owner.Email, right)); got.status != http.StatusTooManyRequests {
				t.Errorf("right password during the wait: status %d, want 429", got.status)
			}
			// Another account signs in from the same address meanwhile.
			if got := send(t, s.login(env, "member@example.test", right)); got.status != s.ok {
				t.Errorf("another account from the same address: status %d, want %d (%s)", got.status, s.ok, got.body)
			}
			c.Add(time.Second)
			if got := send(t, s.login(env, owner.Email, right)); got.status != s.ok {
				t.Errorf("right password after the wait: status %d, want %d (%s)", got.status, s.ok, got.body)
			}
			// A success starts the account afresh: five free failures again.
			for i := range 5 {
				if got := send(t, s.login(env, owner.Email, "wrong password")); got.status != http.StatusUnauthorized {
					t.Fatalf("after a success, wrong password #%d: status %d, want 401", i+1, got.status)
				}
			}
		})
	}
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }

func apiRequest(method, token, remote string) *http.Request {
	r := httptest.NewRequest(method, "/api/v1/workspaces/1/posts", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	r.RemoteAddr = remote
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// The API's token buckets: writes cost more than reads, every answer says
// where the client stands (draft-ietf-httpapi-ratelimit-headers), and a
// request over the limit gets 429 with Retry-After and never reaches the
// handler.
func TestAPIRateLimits(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := limit.New(limit.Config{TokenPerMinute: 10, AddressPerMinute: 30, WriteCost: 4, Now: c.Now})
	reached := 0
	h := l.Addresses(l.API(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++; ok(w, r) })))
	steps := []struct {
		name                           string
		method, token, remote          string
		status                         int
		limit, remaining, reset, retry string
		advance                        time.Duration
	}{
		{"a read costs 1", "GET", "tok-a", "192.0.2.1:1000", 200, "10", "9", "6", "", 0},
		{"a write costs 4", "POST", "tok-a", "192.0.2.1:1000", 200, "10", "5", "30", "", 0},
		{"another write", "POST", "tok-a", "192.0.2.1:1000", 200, "10", "1", "54", "", 0},
		{"a write over the token's limit", "POST", "tok-a", "192.0.2.1:1000", 429, "10", "1", "54", "18", 0},
		{"a read still fits", "GET", "tok-a", "192.0.2.1:1000", 200, "10", "0", "60", "", 0},
		{"another token has its own bucket", "POST", "tok-b", "192.0.2.1:1000", 200, "10", "6", "24", "", 0},
		{"the refill lets the write through", "POST", "tok-a", "192.0.2.1:1000", 200, "10", "0", "60", "", 24 * time.Second},
		// The address has spent 1+4+4+1+4+4 = 18 of 30, refilled 12 in 24 s: 24 left.
		{"without a token, the address bucket", "GET", "", "192.0.2.1:1000", 200, "30", "23", "14", "", 0},
		{"another address", "GET", "", "192.0.2.2:1000", 200, "30", "29", "2", "", 0},
	}
	for _, s := range steps {
		c.Add(s.advance)
		before := reached
		w := serve(h, apiRequest(s.method, s.token, s.remote))
		h := w.Header()
		got := []string{itoa(w.Code), h.Get("RateLimit-Limit"), h.Get("RateLimit-Remaining"), h.Get("RateLimit-Reset"), h.Get("Retry-After")}
		want := []string{itoa(s.status), s.limit, s.remaining, s.reset, s.retry}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: status, limit, remaining, reset, retry-after = %v, want %v", s.name, got, want)
		}
		if policy := h.Get("RateLimit-Policy"); policy != s.limit+";w=60" {
			t.Errorf("%s: RateLimit-Policy %q", s.name, policy)
		}
		if s.status == 429 && (reached != before || !strings.Contains(w.Body.String(), `"code":"rate_limited"`)) {
			t.Errorf("%s: refused request reached the handler or said %s", s.name, w.Body)
		}
	}
	// Many tokens from one address share the address's bucket.
	var last int
	for i := range 10 {
		last = serve(h, apiRequest("POST", "tok-"+itoa(100+i), "198.51.100.9:1")).Code
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("10 writes of 10 tokens from one address (40 units of 30): last status %d, want 429", last)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestClientAddr(t *testing.T) {
	t.Parallel()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cases := []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"no proxy", "192.0.2.1:5000", "", nil, "192.0.2.1"},
		{"X-Forwarded-For from a client is ignored", "192.0.2.1:5000", "203.0.113.5", nil, "192.0.2.1"},
		{"an untrusted peer cannot claim an address", "192.0.2.1:5000", "203.0.113.5", proxies, "192.0.2.1"},
		{"a trusted proxy names the client", "10.1.2.3:5000", "203.0.113.5", proxies, "203.0.113.5"},
		{"a forged left part is skipped", "10.1.2.3:5000", "1.1.1.1, 203.0.113.5", proxies, "203.0.113.5"},
		{"a chain of trusted proxies", "[::1]:5000", "203.0.113.5, 10.9.9.9", proxies, "203.0.113.5"},
		{"garbage stops at the last trusted hop", "10.1.2.3:5000", "not-an-address", proxies, "10.1.2.3"},
		{"an IPv4-mapped peer", "[::ffff:192.0.2.1]:5000", "", nil, "192.0.2.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			if c.xff != "" {
				r.Header.Set("X-Forwarded-For", c.xff)
			}
			if got := limit.ClientAddr(r, c.trusted).String(); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

// Writes beyond the bound wait, then get 503 with Retry-After; reads, the
// health check and the metrics are never held by a flood of writes.
func TestAdmission(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Query().Get("hold") != "" {
			entered <- struct{}{}
			<-release
		}
		ok(w, r)
	})
	l := limit.New(limit.Config{MaxWritesInFlight: 1, WriteWait: 50 * time.Millisecond})
	h := web.Handler(web.Parts{UI: slow, API: slow, Static: slow, Sandbox: slow, Health: ok, Metrics: prometheus.NewRegistry(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: l})
	srv := httptest.NewServer(h)
	defer srv.Close()
	req := func(method, path string) *http.Request {
		r, _ := http.NewRequestWithContext(context.Background(), method, srv.URL+path, nil)
		return r
	}
	held := make(chan answer, 1)
	go func() { held <- send(t, req("POST", "/api/v1/posts?hold=1")) }()
	<-entered
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"POST", "/api/v1/posts", http.StatusServiceUnavailable},
		{"POST", "/w/1/posts", http.StatusServiceUnavailable},
		{"GET", "/api/v1/posts", http.StatusOK},
		{"GET", "/healthz", http.StatusOK},
		{"GET", "/metrics", http.StatusOK},
		{"POST", "/sandbox/api/v1/statuses", http.StatusOK}, // the publisher's own calls to the mounted sandbox
	} {
		got := send(t, req(c.method, c.path))
		if got.status != c.status {
			t.Errorf("%s %s while a write is in flight: status %d, want %d", c.method, c.path, got.status, c.status)
		}
		if c.status == http.StatusServiceUnavailable && got.header.Get("Retry-After") != "1" {
			t.Errorf("%s %s: Retry-After %q, want 1", c.method, c.path, got.header.Get("Retry-After"))
		}
	}
	close(release)
	if got := <-held; got.status != http.StatusOK {
		t.Errorf("held write: status %d", got.status)
	}
	if got := send(t, req("POST", "/api/v1/posts")); got.status != http.StatusOK {
		t.Errorf("write after the slot freed: status %d", got.status)
	}
	// The latency metric still sees each request's route.
	if got := send(t, req("GET", "/metrics")); !strings.Contains(got.body, `route="GET /healthz"`) {
		t.Errorf("/metrics has no GET /healthz route:\n%s", got.body)
	}
}

// The API's answers carry the rate-limit fields with the configured limits.
func TestAPIAnswersCarryRateLimitFields(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, _ := env.Owner(t)
	resp := env.Do(t, env.Token(t, owner), "GET", "/api/v1/me", nil)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("RateLimit-Limit") != itoa(env.App.Cfg.APIRateLimit) ||
		resp.Header.Get("RateLimit-Remaining") != itoa(env.App.Cfg.APIRateLimit-1) {
		t.Errorf("GET /api/v1/me: %d, RateLimit-Limit %q, RateLimit-Remaining %q", resp.StatusCode,
			resp.Header.Get("RateLimit-Limit"), resp.Header.Get("RateLimit-Remaining"))
	}
}

// A refused request is held before its 429, so a flood that waits for each
// answer slows down instead of spending the CPU on refusals.
func TestRefusalsAreHeld(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := limit.New(limit.Config{TokenPerMinute: 1, Tarpit: 200 * time.Millisecond, Now: c.Now})
	h := l.Addresses(l.API(http.HandlerFunc(ok)))
	if w := serve(h, apiRequest("GET", "tok", "192.0.2.1:1")); w.Code != http.StatusOK {
		t.Fatalf("first request: %d", w.Code)
	}
	start := time.Now()
	w := serve(h, apiRequest("GET", "tok", "192.0.2.1:1"))
	if took := time.Since(start); w.Code != http.StatusTooManyRequests || took < 200*time.Millisecond {
		t.Errorf("refused request: status %d after %s, want 429 after at least 200ms", w.Code, took)
	}
}
