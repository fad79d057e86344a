// Package e2e runs the tribune binary as users and operators do — several
// processes, SIGKILL, restarts — against the Sandbox network.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/secret"
)

var binary string

// sandboxControl is the control token of the Sandbox processes the tests
// start (see start).
var sandboxControl = secret.NewToken("sbx_")

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "tribune-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "tribune")
	cmd := exec.Command("go", "build", "-o", binary, "github.com/tribune-social/tribune/cmd/tribune")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build tribune:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running tribune process.
type proc struct {
	t    testing.TB
	cmd  *exec.Cmd
	URL  string
	logs *bytes.Buffer
	mu   *sync.Mutex
	done chan struct{}
}

var urlLine = regexp.MustCompile(`(?:running at|listening at) (http://[0-9.:]+)`)

// start runs `tribune args…` with env and waits for the line announcing its URL.
func start(t testing.TB, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, args...)
	// Every process gets the Sandbox's control token: `tribune sandbox`
	// opens its control endpoints with it, `tribune serve` sets faults with it.
	// The tests schedule hundreds of posts through one token as fast as they
	// can; the rate limits are not what they measure.
	cmd.Env = append(append(os.Environ(), "TRIBUNE_SANDBOX_CONTROL_TOKEN="+sandboxControl,
		"TRIBUNE_API_RATE_LIMIT=0", "TRIBUNE_API_RATE_LIMIT_ADDRESS=0"), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, logs: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
	cmd.Stderr = &lockedWriter{p.mu, p.logs}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs.WriteString(line + "\n")
			p.mu.Unlock()
			if m := urlLine.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill(syscall.SIGKILL) })
	select {
	case p.URL = <-found:
	case <-p.done:
		t.Fatalf("tribune %v exited:\n%s", args, p.Logs())
	case <-time.After(60 * time.Second):
		t.Fatalf("tribune %v did not start:\n%s", args, p.Logs())
	}
	return p
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (p *proc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.logs.String()
	if len(s) > 8000 {
		s = "…" + s[len(s)-8000:]
	}
	return s
}

func (p *proc) kill(sig syscall.Signal) {
	if p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// client calls Tribune's API.
type client struct {
	t     testing.TB
	base  string
	token string
	http  *http.Client
}

func (c *client) do(method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, nil
}

func (c *client) must(method, path string, in, out any) {
	c.t.Helper()
	if _, err := c.do(method, path, in, out); err != nil {
		c.t.Fatal(err)
	}
}

// setupOwner creates the owner and returns an API client and the workspace id.
func setupOwner(t testing.TB, base string) (*client, int64) {
	t.Helper()
	c := &client{t: t, base: base, http: &http.Client{Timeout: 30 * time.Second}}
	var setup struct {
		Workspace struct {
			ID int64 `json:"id"`
		} `json:"workspace"`
	}
	c.must("POST", "/api/v1/setup", map[string]string{"name": "Owner", "email": "owner@example.test", "password": "correct horse battery", "timezone": "Europe/Paris"}, &setup)
	var tok struct {
		Token string `json:"token"`
	}
	c.must("POST", "/api/v1/tokens", map[string]string{"email": "owner@example.test", "password": "correct horse battery", "name": "e2e"}, &tok)
	c.token = tok.Token
	return c, setup.Workspace.ID
}

// received reads the sandbox's record of every accepted create.
func received(t testing.TB, sandboxURL string) []map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, sandboxURL+"/_sandbox/received", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+sandboxControl)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Posts []map[string]any `json:"posts"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sandbox record: %d %s", resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		// the record may be a bare list
		var list []map[string]any
		if err2 := json.Unmarshal(raw, &list); err2 != nil {
			t.Fatalf("sandbox record: %v: %s", err, raw)
		}
		return list
	}
	return out.Posts
}

// sandboxCount is how many posts the sandbox has received.
func sandboxCount(t testing.TB, sandboxURL string) int { return len(received(t, sandboxURL)) }

// setFaults tells the sandbox to misbehave (see sandbox.Faults).
func setFaults(t testing.TB, sandboxURL string, faults map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(faults)
	req, err := http.NewRequest(http.MethodPost, sandboxURL+"/_sandbox/faults", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+sandboxControl)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("sandbox faults: %d %s", resp.StatusCode, body)
	}
}

func keyEnv(t testing.TB) string {
	return "TRIBUNE_SECRET_KEYS=" + secret.NewKeySpec("k1")
}

// nextMinute returns a wall-clock minute at least lead ahead, in Europe/Paris.
func nextMinute(lead time.Duration) string {
	loc, _ := time.LoadLocation("Europe/Paris")
	t := time.Now().Add(lead).In(loc).Truncate(time.Minute).Add(time.Minute)
	return t.Format("2006-01-02T15:04")
}

// eventually polls cond until it is true or the deadline passes.
func eventually(t testing.TB, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("%s: not reached within %s (last: %s)", what, within, last)
}

var _ = context.Background
var _ = strings.TrimSpace
