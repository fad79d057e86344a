package app_test

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network/sandbox"
)

// The Sandbox mounted at /sandbox keeps its control endpoints closed to
// anonymous callers, while Tribune's own fault route (a member with the
// channel-management role) still drives them.
func TestMountedSandboxControlIsClosed(t *testing.T) {
	t.Parallel()
	// A fixed port, so that the public address, where Tribune reaches its
	// own mounted Sandbox, is known before the start.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().String()
	ln.Close()
	a, addr := run(t, map[string]string{"TRIBUNE_ADDR": free})
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/sandbox/_sandbox/received"},
		{http.MethodPost, "/sandbox/_sandbox/faults"},
		{http.MethodGet, "/sandbox/_sandbox/audience?account=w1.shop"},
		{http.MethodPost, "/sandbox/_sandbox/audience"},
	} {
		req, _ := http.NewRequest(c.method, "http://"+addr+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
			t.Errorf("anonymous %s %s: %d, want 401 or 403", c.method, c.path, resp.StatusCode)
		}
	}
	ctx := context.Background()
	owner, ws, err := a.Auth.SignUpOwner(ctx, auth.SignUpInput{Name: "Owner", Email: "owner@example.test", Password: "correct horse battery", Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := a.Channels.ConnectSandbox(ctx, owner, ws.ID, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Channels.SimulateFaults(ctx, owner, ch.ID, sandbox.Faults{Mode: "error", Count: 1}); err != nil {
		t.Errorf("Tribune's fault route on the mounted Sandbox: %v", err)
	}
	if _, err := a.Channels.SetSandboxAudience(ctx, owner, ch.ID, sandbox.Audience{Rate: 1}); err != nil {
		t.Errorf("Tribune's audience route on the mounted Sandbox: %v", err)
	}
}
