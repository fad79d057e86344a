package networktest_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/networktest"
)

// The inbox declares what it was given, a caller changing its copy changes
// nothing, and every action asked is recorded in order.
func TestInboxDeclaresItsCapabilitiesAndRecordsActions(t *testing.T) {
	t.Parallel()
	n := networktest.Allowing(map[network.Action]network.Support{network.ActLike: network.Supported})
	caps := n.InboxCapabilities(network.Account{})
	if !caps.Kind(network.KindComment).OK || !caps.Action(network.ActLike).OK || caps.Action(network.ActHide).OK {
		t.Fatalf("capabilities %+v, want comments with likes only", caps)
	}
	caps.Actions[network.ActHide] = network.Supported
	caps.Kinds[network.KindMessage] = network.Supported
	if again := n.InboxCapabilities(network.Account{}); again.Action(network.ActHide).OK || again.Kind(network.KindMessage).OK {
		t.Errorf("a caller's change reached the inbox: %+v", again)
	}
	ctx := context.Background()
	for _, a := range []network.Action{network.ActLike, network.ActUnlike} {
		if err := n.Act(ctx, network.Account{}, a, network.Item{Ref: network.Ref{ID: "s1"}}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := n.Acts(), []string{"like s1", "unlike s1"}; !slices.Equal(got, want) {
		t.Errorf("acts %q, want %q", got, want)
	}
}
