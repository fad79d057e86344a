// Package gtstest runs a real GoToSocial server (a Mastodon-compatible
// server, ../shared/peers.md) for connector tests. scripts/peers/gotosocial.sh
// builds it once per machine into the peers cache; a test binary starts one
// server the first time a test asks for it (on 127.0.0.1 only, with an SQLite
// database in a temporary folder) and Main stops it when the tests end.
//
// Each test creates accounts of its own, so tests sharing the server count
// their statuses independently.
package gtstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Version is the GoToSocial release scripts/peers/gotosocial.sh builds.
const Version = "0.19.2"

// Skip is the message of a skipped GoToSocial suite.
const Skip = "GoToSocial suite skipped: run scripts/peers/gotosocial.sh (builds GoToSocial " + Version + "), then set TRIBUNE_TEST_GOTOSOCIAL=1"

// MaxChars is the status limit the test server is configured with (the
// default is 5000): a value of our own shows the connector reads it.
const MaxChars = 640

// Password is every test account's password (GoToSocial refuses weak ones).
const Password = "Tribune-test-password-4217"

// Server is a running GoToSocial.
type Server struct {
	url    string
	bin    string
	config string
	dir    string
	cmd    *exec.Cmd
	done   chan struct{}
	logs   *lockedBuffer
}

var (
	once     sync.Once
	shared   *Server
	startErr error
	accounts atomic.Int64
)

// Start returns the server shared by the test binary, starting it on the
// first call (skipped unless TRIBUNE_TEST_GOTOSOCIAL is set). The package's
// TestMain must call Main so that the server stops with the tests.
func Start(t testing.TB) *Server {
	t.Helper()
	if os.Getenv("TRIBUNE_TEST_GOTOSOCIAL") == "" {
		t.Skip(Skip)
	}
	once.Do(func() { shared, startErr = start() })
	if startErr != nil {
		t.Fatal(startErr)
	}
	return shared
}

// Main runs the tests, then stops the server if one was started.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	os.Exit(code)
}

// URL is the server's address (http://127.0.0.1:PORT).
func (s *Server) URL() string { return s.url }

// Logs returns what the server wrote so far, for failure messages.
func (s *Server) Logs() string { return s.logs.String() }

func peersDir() string {
	if d := os.Getenv("TRIBUNE_PEERS_DIR"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "tribune-peers")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// config is GoToSocial's YAML configuration for a test server; every key is
// documented in its example/config.yaml. JSON is valid YAML, so the file is
// written with encoding/json.
func config(port int, dir, install string) map[string]any {
	return map[string]any{
		"log-level":     "warn",
		"log-client-ip": false,
		// host and protocol make the URLs GoToSocial writes (accounts,
		// statuses, OAuth redirects) point at this server; bind-address
		// keeps it off every other interface.
		"host":         fmt.Sprintf("127.0.0.1:%d", port),
		"protocol":     "http",
		"bind-address": "127.0.0.1",
		"port":         port,
		"db-type":      "sqlite",
		"db-address":   filepath.Join(dir, "sqlite.db"),
		// The sign-in and consent pages of the OAuth flow are rendered
		// from these templates.
		"web-template-base-dir":   filepath.Join(install, "web", "template") + "/",
		"web-asset-base-dir":      filepath.Join(install, "web", "assets") + "/",
		"storage-backend":         "local",
		"storage-local-base-path": filepath.Join(dir, "storage"),
		"statuses-max-chars":      MaxChars,
		"letsencrypt-enabled":     false,
		"metrics-enabled":         false,
		"tracing-enabled":         false,
		// Every request comes from 127.0.0.1: without these, tests would
		// hit GoToSocial's per-address rate limit and throttling.
		"advanced-rate-limit-requests":   0,
		"advanced-throttling-multiplier": 0,
		"accounts-registration-open":     false,
		"instance-languages":             []string{"en"},
	}
}

func start() (*Server, error) {
	install := filepath.Join(peersDir(), "gotosocial-"+Version)
	bin := filepath.Join(install, "gotosocial")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("TRIBUNE_TEST_GOTOSOCIAL is set but %s is missing: run scripts/peers/gotosocial.sh", bin)
	}
	dir, err := os.MkdirTemp("", "tribune-gotosocial-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	raw, _ := json.MarshalIndent(config(port, dir, install), "", "  ")
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, raw, 0o600); err != nil {
		return nil, err
	}
	s := &Server{url: fmt.Sprintf("http://127.0.0.1:%d", port), bin: bin, config: cfg, dir: dir, done: make(chan struct{}), logs: &lockedBuffer{}}
	cmd := exec.Command(bin, "--config-path", cfg, "server", "start")
	cmd.Dir = dir
	// The compiled ffmpeg (WebAssembly) is cached between runs: start-up
	// takes ~3 s instead of ~14 s.
	cmd.Env = append(os.Environ(), "GTS_WAZERO_COMPILATION_CACHE="+filepath.Join(install, "wazero-cache"))
	// Its own process group, killed with the test binary even when Main
	// does not get to run (a panic, a time-out).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s.cmd = cmd
	go func() { _ = cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, err := http.Get(s.url + "/api/v1/instance")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if err := s.checkLoopbackOnly(); err != nil {
					return nil, err
				}
				return s, nil
			}
		}
		select {
		case <-s.done:
			s.stop()
			return nil, fmt.Errorf("GoToSocial stopped while starting: %s", s.Logs())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("GoToSocial did not answer within 3 minutes: %s", s.Logs())
		}
	}
}

// checkLoopbackOnly makes sure the server listens on 127.0.0.1 and nowhere
// else: its listening TCP sockets, read from /proc, must all be bound to
// 127.0.0.1 (a wrong bind-address would open it to the network).
func (s *Server) checkLoopbackOnly() error {
	pid := s.cmd.Process.Pid
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		s.stop()
		return fmt.Errorf("cannot read GoToSocial's sockets: %w", err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if ino, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(ino, "]")] = true
		}
	}
	var listening, elsewhere []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		raw, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(raw), "\n")[1:] {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" || !inodes[f[9]] { // 0A: LISTEN
				continue
			}
			listening = append(listening, f[1])
			if !strings.HasPrefix(f[1], "0100007F:") { // 127.0.0.1, little-endian hex
				elsewhere = append(elsewhere, table+" "+f[1])
			}
		}
	}
	if len(listening) == 0 || len(elsewhere) > 0 {
		s.stop()
		return fmt.Errorf("GoToSocial must listen on 127.0.0.1 only; it listens on %v (not loopback: %v)", listening, elsewhere)
	}
	return nil
}

func (s *Server) stop() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	_ = os.RemoveAll(s.dir)
}

// Account is a local account of the test server.
type Account struct {
	Username, Email, Password string
}

// CreateAccount creates a confirmed, approved account with a fresh username
// through GoToSocial's admin command line, as an administrator would.
func (s *Server) CreateAccount(t testing.TB) Account {
	t.Helper()
	a := Account{Username: fmt.Sprintf("user%d", accounts.Add(1)), Password: Password}
	a.Email = a.Username + "@example.test"
	s.admin(t, "admin", "account", "create", "--username", a.Username, "--email", a.Email, "--password", a.Password)
	// create marks the e-mail verified and the account pre-approved;
	// confirm sets its confirmation date, which the sign-in page checks.
	s.admin(t, "admin", "account", "confirm", "--username", a.Username)
	return a
}

func (s *Server) admin(t testing.TB, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, append([]string{"--config-path", s.config}, args...)...)
	cmd.Dir = s.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gotosocial %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Authorize plays the user's browser on the OAuth authorize page: it signs
// in as a, approves the app, and returns the address GoToSocial sends the
// browser back to (the app's redirect URI with code and state), without
// visiting it. The browser stays on the host of authorizeURL, which may be a
// proxy in front of the server.
func (s *Server) Authorize(t testing.TB, authorizeURL string, a Account) *url.URL {
	t.Helper()
	base, err := url.Parse(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	origin := base.Scheme + "://" + base.Host
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: time.Minute, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host != base.Host {
			return http.ErrUseLastResponse // back to the app: stop there
		}
		return nil
	}}
	send := func(method, u string, form url.Values) *http.Response {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, u, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "text/html")
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.Request.URL.Host == base.Host && resp.Header.Get("Location") == "" {
			t.Fatalf("%s %s: %d %s", method, resp.Request.URL, resp.StatusCode, page)
		}
		return resp
	}
	// Not signed in: the authorize page sends the browser to sign in.
	if resp := send(http.MethodGet, authorizeURL, nil); resp.Request.URL.Path != "/auth/sign_in" {
		t.Fatalf("the authorize page led to %s, want the sign-in page", resp.Request.URL)
	}
	// Signed in: back to the authorize page, which asks for consent.
	if resp := send(http.MethodPost, origin+"/auth/sign_in", url.Values{"username": {a.Email}, "password": {a.Password}}); resp.Request.URL.Path != "/oauth/authorize" {
		t.Fatalf("signing in led to %s, want the authorize page", resp.Request.URL)
	}
	resp := send(http.MethodPost, origin+"/oauth/authorize", url.Values{})
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("approving the app did not send the browser back: %d %v", resp.StatusCode, err)
	}
	return loc
}

// Attachment is a media attachment as the server shows it.
type Attachment struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

// Status is a status as the server shows it.
type Status struct {
	ID          string       `json:"id"`
	Content     string       `json:"content"`
	Visibility  string       `json:"visibility"`
	InReplyToID *string      `json:"in_reply_to_id"`
	Media       []Attachment `json:"media_attachments"`
	CreatedAt   time.Time    `json:"created_at"`
}

// Statuses lists the account's statuses, newest first, straight from the
// server's API (not through the connector under test).
func (s *Server) Statuses(t testing.TB, token, accountID string) []Status {
	t.Helper()
	var out []Status
	s.get(t, token, "/api/v1/accounts/"+url.PathEscape(accountID)+"/statuses?limit=40", &out)
	return out
}

// Me reads who a token acts as (GET /api/v1/accounts/verify_credentials):
// the account's id and its acct (the bare username of a local account).
func (s *Server) Me(t testing.TB, token string) (id, acct string) {
	t.Helper()
	var out struct {
		ID   string `json:"id"`
		Acct string `json:"acct"`
	}
	s.get(t, token, "/api/v1/accounts/verify_credentials", &out)
	return out.ID, out.Acct
}

// Limits reads the status limits of /api/v2/instance.
func (s *Server) Limits(t testing.TB) (maxChars, charactersReservedPerURL int) {
	t.Helper()
	var out struct {
		Configuration struct {
			Statuses struct {
				MaxCharacters            int `json:"max_characters"`
				CharactersReservedPerURL int `json:"characters_reserved_per_url"`
			} `json:"statuses"`
		} `json:"configuration"`
	}
	s.get(t, "", "/api/v2/instance", &out)
	return out.Configuration.Statuses.MaxCharacters, out.Configuration.Statuses.CharactersReservedPerURL
}

// Instance reads /api/v2/instance.
func (s *Server) Instance(t testing.TB) map[string]any {
	t.Helper()
	var out map[string]any
	s.get(t, "", "/api/v2/instance", &out)
	return out
}

func (s *Server) get(t testing.TB, token, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// Get reads path (/api/v1/…) as token into out, straight from the server's
// API (not through the connector under test).
func (s *Server) Get(t testing.TB, token, path string, out any) {
	t.Helper()
	s.get(t, token, path, out)
}
