package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
)

// Connector talks to a sandbox server over HTTP, the way the Mastodon and
// Bluesky connectors talk to theirs.
type Connector struct {
	api httpx.Client
	// ControlToken is the sandbox's control token: SetFaults needs it, and
	// CreateAccount signs in again with it to an account that exists.
	ControlToken string
}

var _ network.Connector = (*Connector)(nil)

// NewConnector returns a connector. Tribune passes a client pinned to the
// configured sandbox; a nil client (tests, tools) reaches any address,
// private ones included, since a sandbox usually runs on 127.0.0.1.
func NewConnector(client *http.Client) *Connector {
	if client == nil {
		client = httpx.NewClient(httpx.Options{AllowPrivate: true})
	}
	return &Connector{api: httpx.Client{HTTP: client, ErrorText: errorText}}
}

// errorText reads the sandbox's {"error": "…"}.
func errorText(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Error
}

// Network is "sandbox".
func (c *Connector) Network() string { return "sandbox" }

func (c *Connector) do(ctx context.Context, method, u, token string, body io.Reader, contentType string, header http.Header, out any) (int, error) {
	res, err := c.api.Do(ctx, httpx.Request{Method: method, URL: u, Token: token, Body: body, ContentType: contentType, Header: header}, out)
	return res.Status, err
}

func jsonBody(v any) io.Reader {
	raw, _ := json.Marshal(v)
	return bytes.NewReader(raw)
}

// CreateAccount signs up an account named name within namespace (Tribune
// gives each workspace its own), or signs in again to it with the control
// token.
func (c *Connector) CreateAccount(ctx context.Context, baseURL, namespace, name string) (network.Account, error) {
	var out struct{ ID, Name, Token string }
	baseURL = strings.TrimRight(baseURL, "/")
	if _, err := c.do(ctx, http.MethodPost, baseURL+"/api/accounts", c.ControlToken, jsonBody(map[string]string{"name": name, "namespace": namespace}), "application/json", nil, &out); err != nil {
		return network.Account{}, err
	}
	return network.Account{BaseURL: baseURL, ExternalID: out.ID, Handle: "@" + out.Name, Token: network.Token{AccessToken: out.Token}}, nil
}

// SetFaults tells the sandbox at baseURL to misbehave.
func (c *Connector) SetFaults(ctx context.Context, baseURL string, f Faults) error {
	_, err := c.do(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+"/_sandbox/faults", c.ControlToken, jsonBody(f), "application/json", nil, nil)
	return err
}

// UploadMedia sends one file.
func (c *Connector) UploadMedia(ctx context.Context, acct network.Account, m network.Media) (network.UploadedMedia, error) {
	f, err := m.Open()
	if err != nil {
		return network.UploadedMedia{}, fmt.Errorf("sandbox: open media: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("description", m.Alt)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, m.Filename))
	h.Set("Content-Type", m.MIME)
	part, _ := mw.CreatePart(h)
	if _, err := io.Copy(part, f); err != nil {
		return network.UploadedMedia{}, fmt.Errorf("sandbox: read media: %w", err)
	}
	_ = mw.Close()
	var out struct{ ID string }
	if _, err := c.do(ctx, http.MethodPost, acct.BaseURL+"/api/media", acct.Token.AccessToken, &buf, mw.FormDataContentType(), nil, &out); err != nil {
		return network.UploadedMedia{}, err
	}
	return network.UploadedMedia{RemoteID: out.ID}, nil
}

// MediaReady asks whether the upload is processed.
func (c *Connector) MediaReady(ctx context.Context, acct network.Account, m network.UploadedMedia) (bool, error) {
	var out struct{ Ready bool }
	if _, err := c.do(ctx, http.MethodGet, acct.BaseURL+"/api/media/"+url.PathEscape(m.RemoteID), acct.Token.AccessToken, nil, "", nil, &out); err != nil {
		return false, err
	}
	return out.Ready, nil
}

// Publish creates the post, with the attempt key as Idempotency-Key.
func (c *Connector) Publish(ctx context.Context, acct network.Account, req network.PostRequest) (network.Ref, error) {
	in := postInput{Text: req.Text, Link: req.Link}
	for _, m := range req.Media {
		in.MediaIDs = append(in.MediaIDs, m.RemoteID)
	}
	if req.ReplyTo != nil {
		in.ReplyTo = req.ReplyTo.ID
	}
	var p created
	h := http.Header{"Idempotency-Key": {req.AttemptKey}}
	if _, err := c.do(ctx, http.MethodPost, acct.BaseURL+"/api/posts", acct.Token.AccessToken, jsonBody(in), "application/json", h, &p); err != nil {
		return network.Ref{}, err
	}
	// The sandbox says whether the new post already shows.
	return network.Ref{ID: p.ID, URL: p.URL, Live: p.Visible}, nil
}

// Recover reads the account's record since the attempt began and looks for
// the attempt's key: the sandbox always knows whether a post landed.
func (c *Connector) Recover(ctx context.Context, acct network.Account, req network.PostRequest) (network.Ref, error) {
	since := req.CreatedAt.Add(-time.Minute).UTC().Format(time.RFC3339Nano)
	var out struct{ Posts []Post }
	if _, err := c.do(ctx, http.MethodGet, acct.BaseURL+"/api/posts?since="+url.QueryEscape(since), acct.Token.AccessToken, nil, "", nil, &out); err != nil {
		return network.Ref{}, err
	}
	for _, p := range out.Posts {
		if req.AttemptKey != "" && p.IdempotencyKey == req.AttemptKey {
			return network.Ref{ID: p.ID, URL: p.URL}, nil
		}
	}
	return network.Ref{}, network.ErrNotPublished
}

// CheckLive reports whether the post is visible.
func (c *Connector) CheckLive(ctx context.Context, acct network.Account, ref network.Ref) (bool, error) {
	_, err := c.do(ctx, http.MethodGet, acct.BaseURL+"/api/posts/"+url.PathEscape(ref.ID), acct.Token.AccessToken, nil, "", nil, nil)
	var ne *network.Error
	if errors.As(err, &ne) && ne.Status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

// Delete removes a post; one already gone counts as deleted.
func (c *Connector) Delete(ctx context.Context, acct network.Account, ref network.Ref) error {
	_, err := c.do(ctx, http.MethodDelete, acct.BaseURL+"/api/posts/"+url.PathEscape(ref.ID), acct.Token.AccessToken, nil, "", nil, nil)
	var ne *network.Error
	if errors.As(err, &ne) && ne.Status == http.StatusNotFound {
		return nil
	}
	return err
}
