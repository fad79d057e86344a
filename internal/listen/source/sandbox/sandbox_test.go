package sandbox

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	netsandbox "github.com/tribune-social/tribune/internal/network/sandbox"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newSandbox(t *testing.T, c *clock) (*httptest.Server, *netsandbox.Connector) {
	t.Helper()
	sb, err := netsandbox.NewServer(netsandbox.Options{Now: c.now, Seed: 7, ControlToken: "ctl", PublicURL: "http://sandbox.test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	conn := netsandbox.NewConnector(srv.Client())
	conn.ControlToken = "ctl"
	return srv, conn
}

// collect runs the source from cursor until it has emitted n batches.
func collect(t *testing.T, src source.Source, cursor string, n int) []source.Batch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []source.Batch
	errDone := errors.New("done")
	err := src.Run(ctx, cursor, func(ctx context.Context, b source.Batch) error {
		out = append(out, b)
		if len(out) == n {
			return errDone
		}
		return nil
	})
	if !errors.Is(err, errDone) {
		t.Fatalf("run ended with %v after %d batches", err, len(out))
	}
	return out
}

func TestPublicStreamResumesFromCursor(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	srv, _ := newSandbox(t, c)
	k := Kind(srv.Client(), srv.URL)
	src, err := k.New(source.Config{Kind: Name, Values: map[string]string{}}, source.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	first := collect(t, src, "", 1)[0]
	if len(first.Posts) == 0 || first.Cursor == "" {
		t.Fatalf("first batch: %d posts, cursor %q", len(first.Posts), first.Cursor)
	}
	var fr, en bool
	for _, p := range first.Posts {
		fr = fr || p.Lang == "fr"
		en = en || p.Lang == "en"
		if p.ExternalID == "" || p.Author == "" || p.Text == "" || p.CreatedAt.IsZero() {
			t.Fatalf("incomplete post %+v", p)
		}
	}
	if !fr || !en {
		t.Fatalf("languages: French %v, English %v; want both", fr, en)
	}
	c.add(30 * time.Second)
	next := collect(t, src, first.Cursor, 1)[0]
	seen := map[string]bool{}
	for _, p := range first.Posts {
		seen[p.ExternalID] = true
	}
	for _, p := range next.Posts {
		if seen[p.ExternalID] {
			t.Fatalf("post %s given again after its cursor", p.ExternalID)
		}
	}
	// About PublicRate posts a second.
	if n := len(next.Posts); n < 30 || n > 90 {
		t.Fatalf("30 s of stream gave %d posts, want about 60", n)
	}
}

func brandShare(ps []source.Post) float64 {
	n := 0
	for _, p := range ps {
		if strings.Contains(p.Text, "Maison Lumière") {
			n++
		}
	}
	return float64(n) / float64(len(ps))
}

func TestStormSwitch(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	srv, conn := newSandbox(t, c)
	src, err := Kind(srv.Client(), srv.URL).New(source.Config{Kind: Name, Values: map[string]string{}}, source.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.SetPublicStorm(context.Background(), srv.URL, netsandbox.StormOff); err != nil {
		t.Fatal(err)
	}
	calm := collect(t, src, "", 1)[0]
	st, err := conn.SetPublicStorm(context.Background(), srv.URL, netsandbox.StormOn)
	if err != nil || !st.Storm {
		t.Fatalf("storm on: %+v, %v", st, err)
	}
	c.add(40 * time.Second)
	storm := collect(t, src, calm.Cursor, 1)[0]
	if float64(len(storm.Posts))/40 < 3*float64(len(calm.Posts))/120 || brandShare(storm.Posts) < 2*brandShare(calm.Posts) {
		t.Fatalf("storm: %d posts, brand share %.2f; calm: %d posts over 2 min, share %.2f", len(storm.Posts), brandShare(storm.Posts), len(calm.Posts), brandShare(calm.Posts))
	}
	// Without the control token the switch is refused.
	res, err := http.Post(srv.URL+"/_sandbox/storm", "application/json", strings.NewReader(`{"mode":"on"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("storm switch without the token: HTTP %d", res.StatusCode)
	}
}

func TestBadAddressIsPermanent(t *testing.T) {
	t.Parallel()
	_, err := Kind(http.DefaultClient, "").New(source.Config{Kind: Name, Values: map[string]string{"url": "ftp://x"}}, source.Deps{})
	if !errors.Is(err, source.ErrPermanent) {
		t.Fatalf("got %v, want ErrPermanent", err)
	}
}
