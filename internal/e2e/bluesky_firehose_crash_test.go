package e2e

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network/bluesky/pdstest"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// TestFirehoseCrashMidStream (issue 15, "Tests that must exist"): posts
// created on the real PDS are matched through its firehose; Tribune is
// SIGKILLed twice while posts are being written and matched, and
// restarted; in the end every matching post is stored, exactly once — on
// SQLite and on PostgreSQL.
func TestFirehoseCrashMidStream(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: skipped with -short")
	}
	pds := pdstest.Start(t)
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		firehoseCrash(t, pds, "alice.test", []string{"TRIBUNE_DATA_DIR=" + dir}, "sqlite",
			"file:"+filepath.Join(dir, "tribune.db")+"?_pragma=busy_timeout(10000)")
	})
	t.Run("postgres", func(t *testing.T) {
		dbURL := storetest.PostgresURL(t)
		firehoseCrash(t, pds, "bobby.test", []string{"TRIBUNE_DATA_DIR=" + t.TempDir(), "TRIBUNE_DATABASE_URL=" + dbURL}, "pgx", dbURL)
	})
}

func firehoseCrash(t *testing.T, pds *pdstest.PDS, handle string, dbEnv []string, driver, dsn string) {
	const n = 60
	did := pds.CreateAccount(t, handle, "hunter2-long-password")
	body, _ := json.Marshal(map[string]string{"identifier": handle, "password": "hunter2-long-password"})
	resp, err := http.Post(pds.URL()+"/xrpc/com.atproto.server.createSession", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var sess struct{ AccessJwt string }
	json.NewDecoder(resp.Body).Decode(&sess)
	resp.Body.Close()
	postIt := func(text string) string {
		b, _ := json.Marshal(map[string]any{"repo": did, "collection": "app.bsky.feed.post", "record": map[string]any{
			"$type": "app.bsky.feed.post", "text": text, "langs": []string{"fr"}, "createdAt": time.Now().UTC().Format(time.RFC3339Nano)}})
		req, _ := http.NewRequest(http.MethodPost, pds.URL()+"/xrpc/com.atproto.repo.createRecord", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+sess.AccessJwt)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return ""
		}
		defer r.Body.Close()
		var out struct{ URI string }
		json.NewDecoder(r.Body).Decode(&out)
		return out.URI
	}

	env := append([]string{"TRIBUNE_ADDR=127.0.0.1:0", keyEnv(t), "TRIBUNE_ALLOW_PRIVATE_NETWORKS=true", "TRIBUNE_LOG_LEVEL=warn"}, dbEnv...)
	srv := start(t, env, "serve")
	c, ws := setupOwner(t, srv.URL)
	var topic, src struct{ ID int64 }
	c.must("POST", fmt.Sprintf("/api/v1/workspaces/%d/listen/topics", ws), map[string]any{"name": "Rentrée", "kind": "brand"}, &topic)
	c.must("POST", fmt.Sprintf("/api/v1/workspaces/%d/listen/queries", ws), map[string]any{"topic_id": topic.ID, "query": "rentree"}, nil)
	c.must("POST", fmt.Sprintf("/api/v1/workspaces/%d/listen/sources", ws), map[string]any{"kind": "firehose", "name": "PDS", "values": map[string]string{"url": pds.URL()}}, &src)

	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	scalar := func(q string) (s string) {
		t.Helper()
		if err := db.QueryRow(q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	mentions := func() (n int) {
		fmt.Sscan(scalar(fmt.Sprintf(`SELECT count(*) FROM mentions WHERE workspace_id = %d`, ws)), &n)
		return n
	}
	// Subscribed once the consumer stored a cursor.
	eventually(t, time.Minute, "the firehose consumer running", func() (bool, string) {
		postIt("échauffement, rien à voir")
		cur := scalar(fmt.Sprintf(`SELECT cursor FROM listen_sources WHERE id = %d`, src.ID))
		return cur != "", "no cursor stored"
	})

	// The writer posts in three chunks: the first while Tribune runs (the
	// first kill lands while it matches them), the second from the moment
	// of that kill (written while Tribune is down and after its restart),
	// the third from the second kill.
	var mu sync.Mutex
	var want []string
	chunk := make(chan int)
	writing := make(chan struct{})
	go func() {
		defer close(writing)
		for from := range chunk {
			for i := from; i < from+n/3; i++ {
				u := postIt(fmt.Sprintf("La rentrée, épisode %d", i))
				postIt(fmt.Sprintf("autre chose %d", i))
				mu.Lock()
				want = append(want, u)
				mu.Unlock()
			}
		}
	}()
	chunk <- 0
	for round, point := range []int{n / 6, n / 2} {
		deadline := time.Now().Add(2 * time.Minute)
		for mentions() < point {
			if time.Now().After(deadline) {
				t.Fatalf("kill %d: fewer than %d mentions within 2 minutes", round+1, point)
			}
			time.Sleep(2 * time.Millisecond)
		}
		srv.kill(syscall.SIGKILL)
		got := mentions()
		t.Logf("kill %d: %d of %d mentions stored", round+1, got, n)
		if got >= n {
			t.Fatalf("kill %d: every post was already stored; the kill did not land mid-stream", round+1)
		}
		chunk <- (round + 1) * n / 3
		// The dead node's lease would keep the source for RunnerLease;
		// end it as its running out would.
		if _, err := db.Exec(fmt.Sprintf(`UPDATE listen_sources SET lease_until = NULL WHERE id = %d`, src.ID)); err != nil {
			t.Fatal(err)
		}
		srv = start(t, env, "serve")
	}
	close(chunk)
	<-writing
	eventually(t, 2*time.Minute, "every matching post stored", func() (bool, string) {
		got := mentions()
		return got >= n, fmt.Sprintf("%d of %d", got, n)
	})
	srv.kill(syscall.SIGKILL)
	stored := map[string]int{}
	rows, err := db.Query(fmt.Sprintf(`SELECT external_id FROM mentions WHERE workspace_id = %d`, ws))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stored[id]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(stored) != n {
		t.Errorf("%d mentions stored, want %d", len(stored), n)
	}
	for _, u := range want {
		if stored[u] != 1 {
			t.Errorf("post %s stored %d times, want once", u, stored[u])
		}
	}
}
