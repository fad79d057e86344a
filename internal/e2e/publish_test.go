package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/store/storetest"
)

type postOut struct {
	ID       int64  `json:"id"`
	Status   string `json:"status"`
	Variants []struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
		Error string `json:"error"`
	} `json:"variants"`
}

// schedulePosts creates n posts, each on one of the channels in turn, all due
// at the wall-clock minute at, through the API (several at once).
func schedulePosts(t *testing.T, c *client, ws int64, channels []int64, n int, at, prefix string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			in := map[string]any{"action": "schedule", "scheduled_local": at, "timezone": "Europe/Paris",
				"variants": []map[string]any{{"channel_id": channels[i%len(channels)], "text": fmt.Sprintf("%s #%d", prefix, i)}}}
			if _, err := c.do("POST", fmt.Sprintf("/api/v1/workspaces/%d/posts", ws), in, nil); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func connectSandboxes(t *testing.T, c *client, ws int64, n int) []int64 {
	t.Helper()
	var ids []int64
	for i := 0; i < n; i++ {
		var ch struct {
			ID int64 `json:"id"`
		}
		c.must("POST", fmt.Sprintf("/api/v1/workspaces/%d/channels/sandbox", ws), map[string]string{"name": fmt.Sprintf("acct%d", i)}, &ch)
		ids = append(ids, ch.ID)
	}
	return ids
}

// exactlyOnce checks the sandbox received every "prefix #i" exactly once.
func exactlyOnce(t *testing.T, sandboxURL, prefix string, n int) {
	t.Helper()
	counts := map[string]int{}
	for _, p := range received(t, sandboxURL) {
		text, _ := p["text"].(string)
		if strings.HasPrefix(text, prefix+" #") {
			counts[text]++
		}
	}
	var missing, dup []string
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("%s #%d", prefix, i)
		switch counts[k] {
		case 1:
		case 0:
			missing = append(missing, k)
		default:
			dup = append(dup, fmt.Sprintf("%s ×%d", k, counts[k]))
		}
	}
	if len(missing) > 0 || len(dup) > 0 {
		t.Fatalf("sandbox received %d distinct posts; missing %d (%v…), duplicated %d (%v…)", len(counts), len(missing), head(missing), len(dup), head(dup))
	}
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}

func countPublished(t *testing.T, c *client, ws int64) (published, other int, states map[string]int) {
	from := time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339)
	to := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	var list []postOut
	if _, err := c.do("GET", fmt.Sprintf("/api/v1/workspaces/%d/calendar?from=%s&to=%s", ws, from, to), nil, &list); err != nil {
		return 0, -1, map[string]int{"error": 1}
	}
	states = map[string]int{}
	for _, p := range list {
		for _, v := range p.Variants {
			states[v.State]++
			if v.State == "published" {
				published++
			} else {
				other++
			}
		}
	}
	return published, other, states
}

// TestCrashDuringBurst: 1,000 posts due in the same minute; the server is
// SIGKILLed several times during the burst and restarted; in the end the
// sandbox received every post exactly once.
func TestCrashDuringBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: skipped with -short")
	}
	dir := t.TempDir()
	sb := start(t, nil, "sandbox", "-addr", "127.0.0.1:0", "-no-idempotency")
	env := []string{"TRIBUNE_ADDR=127.0.0.1:0", "TRIBUNE_DATA_DIR=" + dir, "TRIBUNE_SANDBOX_URL=" + sb.URL, keyEnv(t),
		"TRIBUNE_NETWORK_TIMEOUT=3s", "TRIBUNE_JOB_TIMEOUT=8s", "TRIBUNE_LOG_LEVEL=warn"}
	srv := start(t, env, "serve")
	c, ws := setupOwner(t, srv.URL)
	channels := connectSandboxes(t, c, ws, 3)
	const n = 1000
	at := nextMinute(20 * time.Second)
	schedulePosts(t, c, ws, channels, n, at, "crash")

	due, _ := time.ParseInLocation("2006-01-02T15:04", at, mustLoc("Europe/Paris"))
	time.Sleep(time.Until(due))
	for round := 0; round < 4; round++ {
		time.Sleep(time.Duration(300+rand.IntN(900)) * time.Millisecond)
		srv.kill(syscall.SIGKILL)
		srv = start(t, env, "serve")
		c.base = srv.URL
	}
	eventually(t, 4*time.Minute, "every post published", func() (bool, string) {
		pub, other, states := countPublished(t, c, ws)
		return pub == n && other == 0, fmt.Sprintf("%d published, states %v", pub, states)
	})
	exactlyOnce(t, sb.URL, "crash", n)
}

// TestTwoNodesOnePostgres: two `tribune serve` processes share a PostgreSQL
// database and publish 500 due posts exactly once between them.
func TestTwoNodesOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: skipped with -short")
	}
	dbURL := storetest.PostgresURL(t)
	sb := start(t, nil, "sandbox", "-addr", "127.0.0.1:0", "-no-idempotency")
	common := []string{"TRIBUNE_ADDR=127.0.0.1:0", "TRIBUNE_DATABASE_URL=" + dbURL, "TRIBUNE_SANDBOX_URL=" + sb.URL, keyEnv(t), "TRIBUNE_LOG_LEVEL=warn"}
	n1 := start(t, append(common, "TRIBUNE_DATA_DIR="+filepath.Join(t.TempDir(), "a"), "TRIBUNE_NODE_ID=node-a"), "serve")
	n2 := start(t, append(common, "TRIBUNE_DATA_DIR="+filepath.Join(t.TempDir(), "b"), "TRIBUNE_NODE_ID=node-b"), "serve")
	c, ws := setupOwner(t, n1.URL)
	channels := connectSandboxes(t, c, ws, 5)
	const n = 500
	at := nextMinute(15 * time.Second)
	schedulePosts(t, c, ws, channels, n, at, "twonodes")
	eventually(t, 3*time.Minute, "every post published", func() (bool, string) {
		pub, other, states := countPublished(t, c, ws)
		return pub == n && other == 0, fmt.Sprintf("%d published, states %v", pub, states)
	})
	exactlyOnce(t, sb.URL, "twonodes", n)
	// Both nodes answer and see the same data.
	c2 := &client{t: t, base: n2.URL, token: c.token, http: c.http}
	if pub, _, _ := countPublished(t, c2, ws); pub != n {
		t.Errorf("node b sees %d published posts, want %d", pub, n)
	}
	var status struct {
		Nodes []struct {
			NodeID string `json:"NodeID"`
			Alive  bool   `json:"alive"`
		} `json:"nodes"`
	}
	c.must("GET", "/api/v1/status", nil, &status)
	alive := 0
	for _, nd := range status.Nodes {
		if nd.Alive {
			alive++
		}
	}
	if alive < 2 {
		t.Errorf("status page shows %d live nodes, want 2: %+v", alive, status.Nodes)
	}
}

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

var _ = os.Getenv
