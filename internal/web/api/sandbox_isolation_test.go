package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/sandbox"
)

// Workspace B connecting a Sandbox account by the name workspace A uses
// gets an account of its own: it can neither post as A's account nor set
// faults on it; and the Sandbox's own control endpoints refuse callers
// without Tribune's control token.
func TestSandboxAccountsBelongToOneWorkspace(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, wsA := env.Owner(t)
	wsB, err := auth.CreateWorkspace(ctx, env.Store, owner.OrganizationID, owner.ID, "B", "UTC", wsA.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	adminB := env.Member(t, owner, wsB.ID, "b-admin@example.test", auth.Admin)
	chA, err := env.App.Channels.ConnectSandbox(ctx, owner, wsA.ID, "shop")
	if err != nil {
		t.Fatal(err)
	}
	chB, err := env.App.Channels.ConnectSandbox(ctx, adminB, wsB.ID, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if chB.ExternalID == chA.ExternalID {
		t.Fatalf("workspace B connected %q, workspace A's own account", chB.ExternalID)
	}
	acctA, err := env.App.Channels.Account(ctx, chA)
	if err != nil {
		t.Fatal(err)
	}
	acctB, err := env.App.Channels.Account(ctx, chB)
	if err != nil {
		t.Fatal(err)
	}
	if acctB.Token.AccessToken == acctA.Token.AccessToken {
		t.Fatal("workspace B holds workspace A's Sandbox token")
	}
	if _, err := sandbox.NewConnector(nil).Publish(ctx, acctB, network.PostRequest{AttemptKey: "b1", Text: "from B", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for _, p := range env.Sandbox.Received() {
		if p.Text == "from B" && p.Account != chB.ExternalID {
			t.Errorf("B's post landed on account %q, want %q", p.Account, chB.ExternalID)
		}
	}
	// Reconnecting the same name in the same workspace signs in again.
	again, err := env.App.Channels.ConnectSandbox(ctx, owner, wsA.ID, "shop")
	if err != nil || again.ExternalID != chA.ExternalID {
		t.Errorf("A reconnects shop: %v %q, want its account %q", err, again.ExternalID, chA.ExternalID)
	}
	// Anyone else naming A's account gets no token.
	if _, err := sandbox.NewConnector(nil).CreateAccount(ctx, env.SandboxURL, "w"+strconv.FormatInt(wsA.ID, 10), "shop"); network.AsError(err).Status != http.StatusConflict {
		t.Errorf("signing in to A's account without a token: %v, want 409", err)
	}

	for _, c := range []struct {
		name, token string
		want        int
	}{
		{"anonymous", "", http.StatusUnauthorized},
		{"an account's token", acctB.Token.AccessToken, http.StatusUnauthorized},
		{"the control token", env.SandboxControlToken, http.StatusOK},
	} {
		t.Run("received, "+c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, env.SandboxURL+"/_sandbox/received", nil)
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%d, want %d", resp.StatusCode, c.want)
			}
		})
	}
	if err := sandbox.NewConnector(nil).SetFaults(ctx, env.SandboxURL, sandbox.Faults{Mode: "error", Account: chA.ExternalID}); network.AsError(err).Status != http.StatusUnauthorized {
		t.Errorf("faults without the control token: %v, want 401", err)
	}
}
