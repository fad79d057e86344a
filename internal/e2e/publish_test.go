package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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

// schedulePosts creates n posts, all due at the wall-clock minute at,
// through the API (several at once); variant(i) is the i-th post's one
// variant.
func schedulePosts(t *testing.T, c *client, ws int64, n int, at string, variant func(i int) map[string]any) {
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
				"variants": []map[string]any{variant(i)}}
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

// plain is a text post "prefix #i" on each of the channels in turn.
func plain(channels []int64, prefix string) func(i int) map[string]any {
	return func(i int) map[string]any {
		return map[string]any{"channel_id": channels[i%len(channels)], "text": fmt.Sprintf("%s #%d", prefix, i)}
	}
}

// plainTexts are the texts the network receives for n plain posts.
func plainTexts(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s #%d", prefix, i)
	}
	return out
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

// exactlyOnce checks the sandbox received each of want exactly once, and
// nothing else.
func exactlyOnce(t *testing.T, sandboxURL string, want []string) {
	t.Helper()
	counts := map[string]int{}
	got := received(t, sandboxURL)
	for _, p := range got {
		text, _ := p["text"].(string)
		counts[text]++
	}
	var missing, dup []string
	for _, k := range want {
		switch counts[k] {
		case 1:
		case 0:
			missing = append(missing, k)
		default:
			dup = append(dup, fmt.Sprintf("%s ×%d", k, counts[k]))
		}
	}
	if len(missing) > 0 || len(dup) > 0 || len(got) != len(want) {
		t.Fatalf("sandbox received %d posts (%d distinct), want %d; missing %d (%v…), duplicated %d (%v…)",
			len(got), len(counts), len(want), len(missing), head(missing), len(dup), head(dup))
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

// TestCrashDuringBurst: 1,000 posts due in the same minute, a quarter of
// them with a thread reply and a first comment and a quarter with an image
// (their messages take the second in-flight path, MarkPartInFlight); the
// Sandbox takes each message slowly, so the server, SIGKILLed four times
// during the burst and restarted, dies with messages on their way. In the
// end the Sandbox received every message exactly once.
func TestCrashDuringBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: skipped with -short")
	}
	const (
		n     = 1000
		kills = 4
		delay = 200 * time.Millisecond // the Sandbox's time per message
	)
	dir := t.TempDir()
	sb := start(t, nil, "sandbox", "-addr", "127.0.0.1:0", "-no-idempotency")
	env := []string{"TRIBUNE_ADDR=127.0.0.1:0", "TRIBUNE_DATA_DIR=" + dir, "TRIBUNE_SANDBOX_URL=" + sb.URL, keyEnv(t),
		"TRIBUNE_NETWORK_TIMEOUT=3s", "TRIBUNE_JOB_TIMEOUT=8s", "TRIBUNE_LOG_LEVEL=warn", "TRIBUNE_WORKERS=40"}
	srv := start(t, env, "serve")
	c, ws := setupOwner(t, srv.URL)
	channels := connectSandboxes(t, c, ws, 3)
	image := uploadImage(t, c, ws)
	variant := func(i int) map[string]any {
		v := plain(channels, "crash")(i)
		switch i % 4 {
		case 1:
			v["thread"] = []string{fmt.Sprintf("crash #%d reply", i)}
			v["first_comment"] = fmt.Sprintf("crash #%d comment", i)
		case 2:
			v["media_ids"] = []int64{image}
		}
		return v
	}
	want := plainTexts("crash", n)
	for i := 1; i < n; i += 4 {
		want = append(want, fmt.Sprintf("crash #%d reply", i), fmt.Sprintf("crash #%d comment", i))
	}
	at := nextMinute(30 * time.Second)
	schedulePosts(t, c, ws, n, at, variant)
	setFaults(t, sb.URL, map[string]any{"mode": "slow", "delay_ms": delay.Milliseconds()})

	total := len(want)
	midSend := 0 // kills that left messages in flight
	for round := 1; round <= kills; round++ {
		// Kill once the Sandbox has this round's share of the messages:
		// the burst is then under way, with others on their way.
		atKill := waitCount(t, sb.URL, total*round/(kills+2), 2*time.Minute)
		srv.kill(syscall.SIGKILL)
		killed := time.Now()
		if atKill <= 0 || atKill >= total {
			t.Fatalf("kill %d: the Sandbox had %d of %d messages; the kill did not land during the burst", round, atKill, total)
		}
		// The messages in flight at the kill land within the Sandbox's
		// delay, while no Tribune runs: they prove the kill came mid-send.
		time.Sleep(time.Until(killed.Add(delay + 300*time.Millisecond)))
		landed := sandboxCount(t, sb.URL) - atKill
		t.Logf("kill %d: %d of %d messages received, %d more were on their way", round, atKill, total, landed)
		if landed > 0 {
			midSend++
		}
		srv = start(t, env, "serve")
		c.base = srv.URL
	}
	if midSend == 0 {
		t.Error("no kill left a message in flight: the test proved nothing about recovery")
	}
	eventually(t, 4*time.Minute, "every post published", func() (bool, string) {
		pub, other, states := countPublished(t, c, ws)
		return pub == n && other == 0, fmt.Sprintf("%d published, states %v", pub, states)
	})
	exactlyOnce(t, sb.URL, want)
}

// waitCount polls the Sandbox until it has received at least min posts and
// returns how many it has.
func waitCount(t *testing.T, sandboxURL string, min int, within time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := sandboxCount(t, sandboxURL)
		if got >= min {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Sandbox received %d posts within %s, want %d", got, within, min)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// uploadImage adds a small PNG to the workspace's media library.
func uploadImage(t *testing.T, c *client, ws int64) int64 {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	var buf, pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		t.Fatal(err)
	}
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", "pixel.png")
	_, _ = fw.Write(pngData.Bytes())
	_ = w.WriteField("alt", "a blank picture")
	_ = w.WriteField("tags", "e2e")
	_ = w.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/workspaces/%d/media", c.base, ws), &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ID int64 `json:"id"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 || json.Unmarshal(raw, &out) != nil || out.ID == 0 {
		t.Fatalf("upload: %d %s", resp.StatusCode, raw)
	}
	return out.ID
}

// TestTwoNodesOnePostgres: two `tribune serve` processes share a PostgreSQL
// database and publish 500 due posts exactly once between them, though
// every post's job runs twice at the same moment (a second copy inserted the
// way River's rescuer would bring a job back) while the Sandbox takes each
// message slowly: beyond River's claim of a job, two runs of one variant
// meet and send once.
func TestTwoNodesOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: skipped with -short")
	}
	dbURL := storetest.PostgresURL(t)
	sb := start(t, nil, "sandbox", "-addr", "127.0.0.1:0", "-no-idempotency")
	common := []string{"TRIBUNE_ADDR=127.0.0.1:0", "TRIBUNE_DATABASE_URL=" + dbURL, "TRIBUNE_SANDBOX_URL=" + sb.URL, keyEnv(t), "TRIBUNE_LOG_LEVEL=warn",
		"TRIBUNE_NETWORK_TIMEOUT=3s", "TRIBUNE_JOB_TIMEOUT=8s"}
	n1 := start(t, append(common, "TRIBUNE_DATA_DIR="+filepath.Join(t.TempDir(), "a"), "TRIBUNE_NODE_ID=node-a"), "serve")
	n2 := start(t, append(common, "TRIBUNE_DATA_DIR="+filepath.Join(t.TempDir(), "b"), "TRIBUNE_NODE_ID=node-b"), "serve")
	c, ws := setupOwner(t, n1.URL)
	channels := connectSandboxes(t, c, ws, 5)
	const n = 500
	at := nextMinute(20 * time.Second)
	schedulePosts(t, c, ws, n, at, plain(channels, "twonodes"))
	setFaults(t, sb.URL, map[string]any{"mode": "slow", "delay_ms": 200})
	ctx := context.Background()
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	// Every publishing job twice: the copy has the same arguments and time.
	tag, err := db.Exec(ctx, `INSERT INTO river_job (args, kind, max_attempts, priority, queue, scheduled_at, state, metadata, tags)
		SELECT args, kind, max_attempts, priority, queue, scheduled_at, state, metadata, tags FROM river_job WHERE kind = 'publish_variant' AND state IN ('scheduled', 'available')`)
	if err != nil || tag.RowsAffected() != n {
		t.Fatalf("copying the publishing jobs: %v rows, %v", tag.RowsAffected(), err)
	}
	eventually(t, 3*time.Minute, "every post published and every job run", func() (bool, string) {
		pub, other, states := countPublished(t, c, ws)
		var done, left int
		if err := db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'completed'), count(*) FILTER (WHERE state <> 'completed')
			FROM river_job WHERE kind = 'publish_variant'`).Scan(&done, &left); err != nil {
			t.Fatal(err)
		}
		return pub == n && other == 0 && left == 0, fmt.Sprintf("%d published, states %v; jobs: %d completed, %d not", pub, states, done, left)
	})
	exactlyOnce(t, sb.URL, plainTexts("twonodes", n))
	var met int
	if err := db.QueryRow(ctx, `SELECT count(DISTINCT variant_id) FROM publish_log WHERE response LIKE 'another run is sending%'`).Scan(&met); err != nil {
		t.Fatal(err)
	}
	t.Logf("the two runs of %d of %d variants met while one of them was sending", met, n)
	if met == 0 {
		t.Error("no two runs of a job met mid-send: the test proved nothing beyond River's claim")
	}
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

var _ = os.Getenv
