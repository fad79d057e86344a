package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

var _ network.Inbox = (*Connector)(nil)

// sandboxActions maps Tribune's actions to the sandbox's action paths.
// Reply is not among them: a reply is a publication (Publish with ReplyTo).
var sandboxActions = map[network.Action]string{
	network.ActLike: "like", network.ActUnlike: "unlike", network.ActHide: "hide", network.ActUnhide: "unhide",
	network.ActDelete: "delete", network.ActBlock: "block", network.ActUnblock: "unblock", network.ActMarkRead: "read",
}

// InboxPollEvery is how often Tribune may poll a sandbox inbox: the
// sandbox has no rate limit, so this only keeps the demo lively.
const InboxPollEvery = 10 * time.Second

// InboxCapabilities: the Sandbox is a simulator and lets Tribune read every
// kind of item and do every action. Each entry still goes through Support,
// so the sandbox exercises the same path as a network that says no.
func (c *Connector) InboxCapabilities(network.Account) network.InboxCapabilities {
	caps := network.InboxCapabilities{Kinds: map[network.ItemKind]network.Support{}, Actions: map[network.Action]network.Support{},
		PollEvery: InboxPollEvery}
	for _, k := range network.ItemKinds {
		caps.Kinds[k] = network.Supported
	}
	for _, a := range network.Actions {
		caps.Actions[a] = network.Supported
	}
	return caps
}

// FetchInbox lists what is new or changed after the cursor (the sandbox's
// sequence number), a page of up to MaxInboxPage at a time, until req.Limit.
func (c *Connector) FetchInbox(ctx context.Context, acct network.Account, req network.FetchRequest) (network.FetchResult, error) {
	res := network.FetchResult{Cursor: req.Cursor}
	after := int64(0)
	if req.Cursor != "" {
		n, err := strconv.ParseInt(req.Cursor, 10, 64)
		if err != nil || n < 0 {
			return res, fmt.Errorf("sandbox: bad inbox cursor %q", req.Cursor)
		}
		after = n
	}
	limit := req.Limit
	if limit <= 0 {
		limit = MaxInboxPage
	}
	for len(res.Items) < limit {
		q := url.Values{"after": {strconv.FormatInt(after, 10)}, "limit": {strconv.Itoa(min(MaxInboxPage, limit-len(res.Items)))}}
		if req.Cursor == "" && !req.Since.IsZero() {
			q.Set("since", req.Since.UTC().Format(time.RFC3339Nano))
		}
		var page inboxPage
		if _, err := c.do(ctx, http.MethodGet, acct.BaseURL+"/api/inbox?"+q.Encode(), acct.Token.AccessToken, nil, "", nil, &page); err != nil {
			return res, err
		}
		for _, it := range page.Items {
			res.Items = append(res.Items, toItem(acct, it))
		}
		if len(page.Items) > 0 {
			after = page.Next
			res.Cursor = strconv.FormatInt(after, 10)
		}
		if !page.More {
			return res, nil
		}
		res.More = len(res.Items) >= limit
	}
	return res, nil
}

// toItem is a sandbox item as Tribune's inbox sees it.
func toItem(acct network.Account, it InboxItem) network.Item {
	out := network.Item{ExternalID: it.ID, Kind: network.ItemKind(it.Kind), Ref: network.Ref{ID: it.ID, URL: it.URL},
		ParentID: it.ParentID, ConversationID: it.ConversationID, Text: it.Text, Lang: it.Lang,
		CreatedAt: it.CreatedAt, EditedAt: it.EditedAt, Deleted: it.Deleted, Hidden: it.Hidden, Rating: it.Rating,
		Author: network.Author{ExternalID: it.Author.ID, Handle: "@" + it.Author.Handle, DisplayName: it.Author.Name}}
	if it.RootID != "" {
		out.Root = &network.Ref{ID: it.RootID, URL: acct.BaseURL + "/u/" + strings.TrimPrefix(acct.Handle, "@") + "/posts/" + it.RootID}
	}
	return out
}

// Act does the action on the item on the sandbox.
func (c *Connector) Act(ctx context.Context, acct network.Account, a network.Action, item network.Item) error {
	path, ok := sandboxActions[a]
	if !ok {
		return fmt.Errorf("sandbox: %s: %w", a, network.ErrUnsupported)
	}
	id := item.Ref.ID
	if id == "" {
		id = item.ExternalID
	}
	_, err := c.do(ctx, http.MethodPost, acct.BaseURL+"/api/inbox/"+url.PathEscape(id)+"/"+path, acct.Token.AccessToken, nil, "", nil, nil)
	return err
}

// Audience reads the audience of the account (its id) on the sandbox at
// baseURL; the control token is needed.
func (c *Connector) Audience(ctx context.Context, baseURL, accountID string) (Audience, error) {
	var out Audience
	_, err := c.do(ctx, http.MethodGet, strings.TrimRight(baseURL, "/")+"/_sandbox/audience?account="+url.QueryEscape(accountID), c.ControlToken, nil, "", nil, &out)
	return out, err
}

// SetAudience sets the audience of a.Account and returns it as it now stands.
func (c *Connector) SetAudience(ctx context.Context, baseURL string, a Audience) (Audience, error) {
	if a.Account == "" {
		return Audience{}, errors.New("sandbox: SetAudience needs the account")
	}
	var out Audience
	_, err := c.do(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+"/_sandbox/audience", c.ControlToken, jsonBody(a), "application/json", nil, &out)
	return out, err
}
