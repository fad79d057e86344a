// Package bluesky publishes to Bluesky through a PDS's XRPC API
// (com.atproto.server.createSession, com.atproto.repo.createRecord with
// app.bsky.feed.post records, uploadBlob, getRecord, deleteRecord).
//
// A channel connects with a handle and an app password, which Tribune keeps
// encrypted with the channel's token: sessions expire after hours and
// refresh tokens rotate, so the connector opens a new session when the old
// one is refused rather than depending on a refresh chain that a crash
// could break.
//
// The attempt key (an atproto TID) is the record key: a post is addressed
// before it is created, so Recover asks the PDS for exactly that record and
// always knows whether an interrupted attempt landed.
//
// The connector also reads the account's inbox (network.Inbox, inbox.go):
// the AppView's notifications and the threads of our posts, through the
// PDS, which proxies app.bsky.* to the AppView.
package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
)

// PostCollection is the NSID of posts.
const PostCollection = "app.bsky.feed.post"

// Connector talks to Bluesky PDSes.
type Connector struct {
	api httpx.Client

	// ChatService is the atproto-proxy target of chat calls: the chat
	// service's DID and service id (DefaultChatService; tests name a fake).
	ChatService string

	mu       sync.Mutex
	sessions map[string]string // DID → access JWT opened since start
	// chatRefused holds the accounts whose last chat call the PDS refused
	// for want of access to direct messages.
	chatRefused map[string]bool
}

var _ network.Connector = (*Connector)(nil)

// New returns a connector; a nil client gets httpx's default, which reaches
// public https addresses only.
func New(client *http.Client) *Connector {
	return &Connector{api: httpx.Client{HTTP: client, ErrorText: errorText}, ChatService: DefaultChatService,
		sessions: map[string]string{}, chatRefused: map[string]bool{}}
}

// Network is "bluesky".
func (c *Connector) Network() string { return "bluesky" }

// xrpcError is the body of a failed XRPC call.
type xrpcError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

type call struct {
	method, nsid string
	query        url.Values
	body         any    // JSON body
	raw          []byte // or a raw body (uploadBlob)
	contentType  string
	// proxy, when set, is the atproto-proxy header: the service the PDS
	// forwards the call to (the chat service).
	proxy string
}

// budgetKey is the context key of a budgetNote.
type budgetKey struct{}

// budgetNote keeps the rate budget the PDS told in its last answer to a
// FetchInbox: the PDS's rate limiter sends it on every XRPC call it
// limits, the proxied ones too (app.bsky.*, chat.bsky.*). It travels in
// the context because the fetch's calls go through helpers shared with
// publishing and actions (authed, chat), which need not know of it.
type budgetNote struct{ last *network.RateBudget }

// withBudgetNote returns ctx carrying a new note, for one fetch.
func withBudgetNote(ctx context.Context) (context.Context, *budgetNote) {
	n := &budgetNote{}
	return context.WithValue(ctx, budgetKey{}, n), n
}

// do runs one XRPC call with the bearer token.
func (c *Connector) do(ctx context.Context, base, token string, cl call, out any) (xrpcError, error) {
	u := strings.TrimRight(base, "/") + "/xrpc/" + cl.nsid
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var body io.Reader
	ct := cl.contentType
	if cl.raw != nil {
		body = bytes.NewReader(cl.raw)
	} else if cl.body != nil {
		raw, err := json.Marshal(cl.body)
		if err != nil {
			return xrpcError{}, err
		}
		body, ct = bytes.NewReader(raw), "application/json"
	}
	req := httpx.Request{Method: cl.method, URL: u, Token: token, Body: body, ContentType: ct}
	if cl.proxy != "" {
		req.Header = http.Header{"Atproto-Proxy": {cl.proxy}}
	}
	res, err := c.api.Do(ctx, req, out)
	if note, ok := ctx.Value(budgetKey{}).(*budgetNote); ok {
		if b := network.ReadBudget(res.Header, time.Now()); b != nil {
			note.last = b
		}
	}
	if err != nil {
		var xe xrpcError
		_ = json.Unmarshal(res.Body, &xe)
		// "Bad token method" is a token that may not call this method
		// (an app password without access to direct messages): a new
		// session with the same password would be refused again.
		if ne := network.AsError(err); (xe.Error == "ExpiredToken" || xe.Error == "InvalidToken" || xe.Error == "AuthRequired") && !noChatAccess(xe) {
			ne.Kind = network.Unauthorized
		}
		return xe, err
	}
	return xrpcError{}, nil
}

// errorText reads XRPC's {"error": "…", "message": "…"}.
func errorText(body []byte) string {
	var xe xrpcError
	_ = json.Unmarshal(body, &xe)
	if xe.Message != "" {
		return strings.TrimSpace(xe.Error + ": " + xe.Message)
	}
	return xe.Error
}

type session struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	Handle     string `json:"handle"`
	DID        string `json:"did"`
}

// Login opens a session with an app password.
func (c *Connector) Login(ctx context.Context, pdsURL, handle, appPassword string) (network.Account, error) {
	var s session
	if _, err := c.do(ctx, pdsURL, "", call{method: http.MethodPost, nsid: "com.atproto.server.createSession",
		body: map[string]string{"identifier": handle, "password": appPassword}}, &s); err != nil {
		return network.Account{}, err
	}
	if s.DID == "" || s.AccessJwt == "" {
		return network.Account{}, network.Errorf("the PDS opened a session without a DID")
	}
	c.mu.Lock()
	c.sessions[s.DID] = s.AccessJwt
	c.mu.Unlock()
	return network.Account{BaseURL: pdsURL, ExternalID: s.DID, Handle: s.Handle,
		Token: network.Token{AccessToken: s.AccessJwt, RefreshToken: s.RefreshJwt, Extra: map[string]string{"app_password": appPassword}}}, nil
}

// authed runs an XRPC call as the account, opening a new session once when
// the current one is refused (expired after a few hours).
func (c *Connector) authed(ctx context.Context, acct network.Account, cl call, out any) (xrpcError, error) {
	c.mu.Lock()
	tok, ok := c.sessions[acct.ExternalID]
	c.mu.Unlock()
	if !ok {
		tok = acct.Token.AccessToken
	}
	xe, err := c.do(ctx, acct.BaseURL, tok, cl, out)
	if ne := network.AsError(err); err != nil && ne.Kind == network.Unauthorized && acct.Token.Extra["app_password"] != "" {
		fresh, lerr := c.Login(ctx, acct.BaseURL, acct.ExternalID, acct.Token.Extra["app_password"])
		if lerr != nil {
			return xe, lerr
		}
		return c.do(ctx, acct.BaseURL, fresh.Token.AccessToken, cl, out)
	}
	return xe, err
}

// ResolveHandle returns a handle's DID.
func (c *Connector) ResolveHandle(ctx context.Context, acct network.Account, handle string) (string, error) {
	var out struct {
		DID string `json:"did"`
	}
	_, err := c.authed(ctx, acct, call{method: http.MethodGet, nsid: "com.atproto.identity.resolveHandle", query: url.Values{"handle": {handle}}}, &out)
	return out.DID, err
}

// UploadMedia uploads a blob; the record embeds it later.
func (c *Connector) UploadMedia(ctx context.Context, acct network.Account, m network.Media) (network.UploadedMedia, error) {
	f, err := m.Open()
	if err != nil {
		return network.UploadedMedia{}, fmt.Errorf("bluesky: open media: %w", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, 100<<20))
	if err != nil {
		return network.UploadedMedia{}, fmt.Errorf("bluesky: read media: %w", err)
	}
	var out struct {
		Blob json.RawMessage `json:"blob"`
	}
	if _, err := c.authed(ctx, acct, call{method: http.MethodPost, nsid: "com.atproto.repo.uploadBlob", raw: raw, contentType: m.MIME}, &out); err != nil {
		return network.UploadedMedia{}, err
	}
	var ref struct {
		Ref struct {
			Link string `json:"$link"`
		} `json:"ref"`
	}
	_ = json.Unmarshal(out.Blob, &ref)
	return network.UploadedMedia{RemoteID: ref.Ref.Link, Extra: map[string]string{"blob": string(out.Blob), "alt": m.Alt,
		"width": strconv.Itoa(m.Width), "height": strconv.Itoa(m.Height), "mime": m.MIME}}, nil
}

// MediaReady: a blob is usable as soon as it is uploaded.
func (c *Connector) MediaReady(context.Context, network.Account, network.UploadedMedia) (bool, error) {
	return true, nil
}

type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// Text is what is published: the text, and the link on its own line when
// the text does not already hold it (the link becomes a facet).
func Text(req network.PostRequest) string {
	if req.Link != "" && !strings.Contains(req.Text, req.Link) {
		if req.Text == "" {
			return req.Link
		}
		return req.Text + "\n" + req.Link
	}
	return req.Text
}

// Record builds the app.bsky.feed.post record of a request.
func (c *Connector) Record(ctx context.Context, acct network.Account, req network.PostRequest) map[string]any {
	text := Text(req)
	rec := map[string]any{
		"$type":     PostCollection,
		"text":      text,
		"createdAt": req.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
	}
	if facets := Facets(ctx, text, func(ctx context.Context, h string) (string, error) { return c.ResolveHandle(ctx, acct, h) }); len(facets) > 0 {
		rec["facets"] = facets
	}
	if len(req.Media) > 0 {
		var images []map[string]any
		for _, m := range req.Media {
			img := map[string]any{"image": json.RawMessage(m.Extra["blob"]), "alt": m.Extra["alt"]}
			w, _ := strconv.Atoi(m.Extra["width"])
			h, _ := strconv.Atoi(m.Extra["height"])
			if w > 0 && h > 0 {
				img["aspectRatio"] = map[string]int{"width": w, "height": h}
			}
			images = append(images, img)
		}
		rec["embed"] = map[string]any{"$type": "app.bsky.embed.images", "images": images}
	}
	if req.ReplyTo != nil {
		root := req.Root
		if root == nil {
			root = req.ReplyTo
		}
		rec["reply"] = map[string]strongRef{"root": {root.ID, root.CID}, "parent": {req.ReplyTo.ID, req.ReplyTo.CID}}
	}
	return rec
}

func (c *Connector) ref(acct network.Account, uri, cid string) network.Ref {
	rkey := uri[strings.LastIndex(uri, "/")+1:]
	handle := acct.Handle
	if handle == "" {
		handle = acct.ExternalID
	}
	return network.Ref{ID: uri, CID: cid, URL: "https://bsky.app/profile/" + handle + "/post/" + rkey}
}

// Publish creates the record under the attempt key.
func (c *Connector) Publish(ctx context.Context, acct network.Account, req network.PostRequest) (network.Ref, error) {
	if req.ReplyTo != nil {
		if convo, _, ok := parseChatRef(req.ReplyTo.ID); ok {
			return c.sendMessage(ctx, acct, convo, req)
		}
	}
	if req.CreatedAt.IsZero() {
		req.CreatedAt = time.Now()
	}
	var out strongRef
	_, err := c.authed(ctx, acct, call{method: http.MethodPost, nsid: "com.atproto.repo.createRecord",
		body: map[string]any{"repo": acct.ExternalID, "collection": PostCollection, "rkey": req.AttemptKey, "record": c.Record(ctx, acct, req)}}, &out)
	if err != nil {
		// The same key again (a retried attempt): the PDS refuses the
		// duplicate record key (with a 500 in @atproto/pds 0.5) and the
		// record is there.
		if ne := network.AsError(err); ne.Status != 0 && ne.Kind != network.Unauthorized && req.AttemptKey != "" {
			if ref, gerr := c.Recover(ctx, acct, req); gerr == nil {
				return ref, nil
			}
		}
		return network.Ref{}, err
	}
	return c.ref(acct, out.URI, out.CID), nil
}

func (c *Connector) getRecord(ctx context.Context, acct network.Account, rkey string) (network.Ref, error) {
	var out strongRef
	xe, err := c.authed(ctx, acct, call{method: http.MethodGet, nsid: "com.atproto.repo.getRecord",
		query: url.Values{"repo": {acct.ExternalID}, "collection": {PostCollection}, "rkey": {rkey}}}, &out)
	if err != nil {
		if xe.Error == "RecordNotFound" || network.AsError(err).Status == http.StatusNotFound {
			return network.Ref{}, network.ErrNotPublished
		}
		return network.Ref{}, err
	}
	return c.ref(acct, out.URI, out.CID), nil
}

// Recover asks the PDS for the record the attempt would have created.
func (c *Connector) Recover(ctx context.Context, acct network.Account, req network.PostRequest) (network.Ref, error) {
	if req.ReplyTo != nil {
		if convo, _, ok := parseChatRef(req.ReplyTo.ID); ok {
			return c.recoverMessage(ctx, acct, convo, req)
		}
	}
	if req.AttemptKey == "" {
		return network.Ref{}, network.ErrUnknownOutcome
	}
	return c.getRecord(ctx, acct, req.AttemptKey)
}

func rkeyOf(ref network.Ref) string { return ref.ID[strings.LastIndex(ref.ID, "/")+1:] }

// CheckLive reads the record back.
func (c *Connector) CheckLive(ctx context.Context, acct network.Account, ref network.Ref) (bool, error) {
	_, err := c.getRecord(ctx, acct, rkeyOf(ref))
	if errors.Is(err, network.ErrNotPublished) {
		return false, nil
	}
	return err == nil, err
}

// Delete removes the record (deleting a missing record succeeds).
func (c *Connector) Delete(ctx context.Context, acct network.Account, ref network.Ref) error {
	_, err := c.authed(ctx, acct, call{method: http.MethodPost, nsid: "com.atproto.repo.deleteRecord",
		body: map[string]any{"repo": acct.ExternalID, "collection": PostCollection, "rkey": rkeyOf(ref)}}, nil)
	return err
}
