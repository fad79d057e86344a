// Package networktest is a network for the tests of what sits above the
// connectors (the inbox service, the web pages): it declares the inbox
// capabilities a test gives it, reads nothing, and records the actions asked
// of it. The connectors themselves are tested against real servers or their
// network's fake.
package networktest

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

// Inbox is a network's inbox that reads comments and acts as its
// capabilities say.
type Inbox struct {
	network.Connector // nil: publishing is not exercised
	// Caps are what it declares; a test may change them before use.
	Caps network.InboxCapabilities

	mu   sync.Mutex
	acts []string
}

// Allowing returns an inbox of comments, read every minute, offering the
// actions given: supported, or refused with the network's reason. An action
// left out is one the network lacks.
func Allowing(actions map[network.Action]network.Support) *Inbox {
	return &Inbox{Caps: network.InboxCapabilities{Kinds: map[network.ItemKind]network.Support{network.KindComment: network.Supported},
		Actions: actions, PollEvery: time.Minute}}
}

// InboxCapabilities returns a copy of Caps, so that a caller changing what
// it was given changes nothing here.
func (n *Inbox) InboxCapabilities(network.Account) network.InboxCapabilities {
	c := n.Caps
	c.Kinds, c.Actions, c.Notices = maps.Clone(c.Kinds), maps.Clone(c.Actions), slices.Clone(c.Notices)
	return c
}

// FetchInbox reads nothing: the tests ingest the items themselves.
func (n *Inbox) FetchInbox(context.Context, network.Account, network.FetchRequest) (network.FetchResult, error) {
	return network.FetchResult{}, nil
}

// Act records the action as "<action> <item's network id>".
func (n *Inbox) Act(_ context.Context, _ network.Account, a network.Action, it network.Item) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.acts = append(n.acts, string(a)+" "+it.Ref.ID)
	return nil
}

// Acts are the actions asked, oldest first.
func (n *Inbox) Acts() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.acts)
}
