package e2e

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the test's own look into PostgreSQL
	_ "modernc.org/sqlite"             // and into SQLite, as the server's driver

	"github.com/tribune-social/tribune/internal/store/storetest"
)

// TestCrashDuringInboxBacklog (issue 14, "Tests that must exist"): a Sandbox
// account has a backlog of 5,000 inbox items; Tribune polls it, page after
// page, and is SIGKILLed several times while it ingests (each time with
// strictly between 0 and 5,000 items stored), then restarted. In the end
// every item of the backlog is stored exactly once, counted by network id
// in the database — on SQLite and on PostgreSQL.
func TestCrashDuringInboxBacklog(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: skipped with -short")
	}
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		crashDuringBacklog(t, []string{"TRIBUNE_DATA_DIR=" + dir}, "sqlite",
			"file:"+filepath.Join(dir, "tribune.db")+"?mode=ro&_pragma=busy_timeout(10000)")
	})
	t.Run("postgres", func(t *testing.T) {
		dbURL := storetest.PostgresURL(t)
		crashDuringBacklog(t, []string{"TRIBUNE_DATA_DIR=" + t.TempDir(), "TRIBUNE_DATABASE_URL=" + dbURL}, "pgx", dbURL)
	})
}

func crashDuringBacklog(t *testing.T, dbEnv []string, driver, dsn string) {
	const (
		n     = 5000
		kills = 4
		// Each listing of the backlog waits this long: a poll pages
		// through it for a while, and a kill finds it fetching a page or
		// storing one.
		readDelay = 25 * time.Millisecond
	)
	sb := start(t, nil, "sandbox", "-addr", "127.0.0.1:0")
	env := append([]string{"TRIBUNE_ADDR=127.0.0.1:0", "TRIBUNE_SANDBOX_URL=" + sb.URL, keyEnv(t),
		"TRIBUNE_NETWORK_TIMEOUT=5s", "TRIBUNE_JOB_TIMEOUT=10s", "TRIBUNE_LOG_LEVEL=warn"}, dbEnv...)
	srv := start(t, env, "serve")
	c, ws := setupOwner(t, srv.URL)
	channel := connectSandboxes(t, c, ws, 1)[0]

	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var account string
	if err := db.QueryRow(fmt.Sprintf(`SELECT external_id FROM channels WHERE id = %d`, channel)).Scan(&account); err != nil {
		t.Fatal(err)
	}
	want := seedBacklog(t, sb.URL, account, n, readDelay)

	stored := func() (rows, distinct int) {
		t.Helper()
		if err := db.QueryRow(fmt.Sprintf(`SELECT count(*), count(DISTINCT external_id) FROM inbox_items WHERE channel_id = %d`, channel)).Scan(&rows, &distinct); err != nil {
			t.Fatal(err)
		}
		return rows, distinct
	}

	// Random kill points, increasing, spread over the backlog.
	points := make([]int, kills)
	for i := range points {
		points[i] = n*(i+1)/(kills+1) + rand.IntN(n/(2*(kills+1))) - n/(4*(kills+1))
	}
	slices.Sort(points)
	midPoll := 0 // kills that found a poll running
	for round, point := range points {
		// Watched closely, so that the kill comes while the poll that
		// crossed the point still runs, at a random moment of a page
		// being read or stored.
		deadline := time.Now().Add(4 * time.Minute)
		for rows, _ := stored(); rows < point; rows, _ = stored() {
			if time.Now().After(deadline) {
				t.Fatalf("kill %d: %d items stored within 4 minutes, want %d", round+1, rows, point)
			}
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(rand.N(2 * readDelay))
		srv.kill(syscall.SIGKILL)
		rows, distinct := stored()
		var running int
		if err := db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM inbox_poll_state WHERE channel_id = %d AND running_until IS NOT NULL`, channel)).Scan(&running); err != nil {
			t.Fatal(err)
		}
		midPoll += running
		t.Logf("kill %d: %d items stored (%d distinct), a poll running: %v", round+1, rows, distinct, running == 1)
		if rows <= 0 || rows >= n {
			t.Fatalf("kill %d: %d of %d items stored; the kill did not land during ingestion", round+1, rows, n)
		}
		// The killed poll keeps its claim for inbox.PollLease (5 minutes)
		// so that no other run polls beside it; a restarted node waits it
		// out. The test does not wait: it ends the dead run's lease, as
		// its running out would.
		endLease(t, driver, dsn, channel)
		srv = start(t, env, "serve")
		c.base = srv.URL
	}
	if midPoll == 0 {
		t.Error("no kill found a poll running: the test proved nothing about a crash mid-ingestion")
	}
	// Waited for without failing: a backlog that never completes is
	// reported below with the items missing.
	for deadline := time.Now().Add(4 * time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if rows, _ := stored(); rows >= n {
			break
		}
	}
	// Whatever is still running is stopped before the count, so that it
	// cannot add a late copy after it.
	srv.kill(syscall.SIGKILL)
	got := map[string]int{}
	r, err := db.Query(fmt.Sprintf(`SELECT external_id FROM inbox_items WHERE channel_id = %d`, channel))
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var id string
		if err := r.Scan(&id); err != nil {
			t.Fatal(err)
		}
		got[id]++
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	var missing, dup []string
	for _, id := range want {
		switch got[id] {
		case 1:
		case 0:
			missing = append(missing, id)
		default:
			dup = append(dup, fmt.Sprintf("%s ×%d", id, got[id]))
		}
	}
	if len(missing) > 0 || len(dup) > 0 || len(got) != len(want) {
		t.Fatalf("stored %d distinct items, want %d; missing %d (%v), duplicated %d (%v)",
			len(got), len(want), len(missing), head(missing), len(dup), head(dup))
	}
}

// endLease ends the channel's poll claim held by a killed run, through a
// connection of its own that writes (the test's other one reads).
func endLease(t *testing.T, driver, dsn string, channel int64) {
	t.Helper()
	if driver == "sqlite" {
		dsn = dsn[:len(dsn)-len("?mode=ro&_pragma=busy_timeout(10000)")] + "?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The channel's creation time is in the past and in the dialect's own
	// time format.
	if _, err := db.Exec(fmt.Sprintf(`UPDATE inbox_poll_state SET next_poll_at = (SELECT created_at FROM channels WHERE id = %d),
		running_until = NULL WHERE channel_id = %d`, channel, channel)); err != nil {
		t.Fatal(err)
	}
}

// seedBacklog asks the Sandbox for n items in the account's inbox and
// returns their ids.
func seedBacklog(t *testing.T, sandboxURL, account string, n int, readDelay time.Duration) []string {
	t.Helper()
	raw, _ := json.Marshal(map[string]any{"account": account, "count": n, "read_delay_ms": readDelay.Milliseconds()})
	req, err := http.NewRequest(http.MethodPost, sandboxURL+"/_sandbox/backlog", bytes.NewReader(raw))
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
	body, _ := io.ReadAll(resp.Body)
	var out struct {
		IDs []string `json:"ids"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil || len(out.IDs) != n {
		t.Fatalf("sandbox backlog: %d %s", resp.StatusCode, body)
	}
	return out.IDs
}
