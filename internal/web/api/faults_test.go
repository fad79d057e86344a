package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/sandbox"
)

// A Sandbox channel's faults are set through the API, "hidden" included,
// and a mode the Sandbox does not know is refused with a clear message.
func TestSandboxFaultsThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "faulty")
	if err != nil {
		t.Fatal(err)
	}
	tok := env.Token(t, owner)
	path := fmt.Sprintf("/api/v1/channels/%d/sandbox-faults", ch.ID)

	resp := env.Do(t, tok, http.MethodPut, path, strings.NewReader(`{"mode":"bogus"}`))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "mode") {
		t.Errorf("unknown mode: %d %s", resp.StatusCode, body)
	}

	resp = env.Do(t, tok, http.MethodPut, path, strings.NewReader(`{"mode":"hidden","hide_seconds":30}`))
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("hidden: %d %s", resp.StatusCode, body)
	}
	// The channel's own account on the Sandbox now gets posts that do not show yet.
	acct, err := env.App.Channels.Account(ctx, ch)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := sandbox.NewConnector(nil).Publish(ctx, acct, network.PostRequest{AttemptKey: "k", Text: "later", CreatedAt: time.Now()})
	if err != nil || ref.Live {
		t.Errorf("after the API set hidden: live=%v err=%v, want a post that does not show yet", ref.Live, err)
	}
}
