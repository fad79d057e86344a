package pdstest_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/network/bluesky/pdstest"
)

// recorder is a test that keeps what it is told to report and its cleanups,
// to check what StartMem does when a test ends.
type recorder struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func (r *recorder) end() {
	for _, f := range slices.Backward(r.cleanups) {
		f()
	}
}

// A request the lexicons refuse fails the test when it ends, even though
// the connector may have taken the 400 in its stride; a clean run does not.
func TestMemFailsTheTestOnARefusedRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, path string
		want       string
	}{
		{"a procedure sent as a query", "/xrpc/chat.bsky.convo.sendMessage", "chat requests the lexicons or the routing do not allow"},
		{"an unknown parameter", "/xrpc/app.bsky.notification.listNotifications?sort=new", "requests the lexicons do not allow"},
		{"nothing refused", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			m := pdstest.StartMem(rec, nil)
			tok := m.Account("did:plc:lumiere", "lumiere.test")
			if tc.path != "" {
				req, _ := http.NewRequest(http.MethodGet, m.URL+tc.path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Atproto-Proxy", m.Chat.Proxy)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("status %d, want 400", resp.StatusCode)
				}
			}
			rec.end()
			if got := strings.Join(rec.errors, "\n"); tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("the test was told %q, want %q", got, tc.want)
			}
		})
	}
}
