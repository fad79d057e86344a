// Package mastodon publishes to Mastodon (and servers speaking its client
// API: GoToSocial, Pleroma/Akkoma) following docs.joinmastodon.org:
// app registration (POST /api/v1/apps), OAuth authorization code with PKCE,
// statuses, asynchronous media (POST /api/v2/media answers 202 while the
// server processes the file), threads as replies, deletion.
//
// Mastodon honours Idempotency-Key for an hour, but GoToSocial ignores it, so
// Tribune never relies on it alone: Recover reads the account's recent
// statuses to find out whether an interrupted attempt landed.
package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/text/htmltext"
)

// Scopes Tribune asks for.
const Scopes = "read write"

// App is Tribune's registration on one instance.
type App struct {
	InstanceURL, ClientID, ClientSecret, RedirectURI string
}

// Software is the server program behind an instance, as far as Tribune
// needs to tell them apart.
type Software string

// The servers Tribune tells apart.
const (
	// SoftwareMastodon is Mastodon, its forks, and any server not recognised.
	SoftwareMastodon Software = "mastodon"
	// SoftwareGoToSocial counts every character of a status, links
	// included, whatever its characters_reserved_per_url says
	// (internal/processing/status/common.go counts len([]rune(status))).
	SoftwareGoToSocial Software = "gotosocial"
)

// Instance is what Tribune reads from an instance's document: its own
// domain (that of its accounts' handles) and what it enforces on statuses.
type Instance struct {
	Domain   string
	Software Software
	MaxChars int
	// URLLength is characters_reserved_per_url: what a link counts on
	// Mastodon. It is reported but not applied when LinksCountInFull.
	URLLength int
	// LinksCountInFull: the server counts a link's every character.
	LinksCountInFull bool
	// APIVersion is api_versions.mastodon (Mastodon 4.3 and later; 0 when
	// not said): 7 and above know quote posts (Mastodon 4.5).
	APIVersion int
	// StreamingURL is configuration.urls.streaming, where the streaming
	// API lives when the instance says (wss://…); empty: the instance's own
	// address.
	StreamingURL string
}

// Connector talks to Mastodon instances.
type Connector struct {
	// StreamIdle is how long a stream may stay silent (no event, no
	// heartbeat) before it is closed as dead; 0 means DefaultStreamIdle.
	StreamIdle time.Duration

	api httpx.Client
	// streams is the same client without its call timeout, for the
	// streaming API's long-lived connections.
	streams *http.Client
	// servers remembers what each instance is (see server), for what the
	// inbox may offer and where its stream lives.
	servers *serverCache
}

var (
	_ network.Connector = (*Connector)(nil)
	_ network.Inbox     = (*Connector)(nil)
	_ network.Streamer  = (*Connector)(nil)
)

// New returns a connector; a nil client gets httpx's default, which reaches
// public https addresses only.
func New(client *http.Client) *Connector {
	if client == nil {
		client = httpx.NewClient(httpx.Options{})
	}
	streams := *client
	streams.Timeout = 0
	return &Connector{api: httpx.Client{HTTP: client, ErrorText: errorText}, streams: &streams, servers: newServerCache()}
}

// Network is "mastodon".
func (c *Connector) Network() string { return "mastodon" }

// errorText reads Mastodon's {"error": "…"} (and OAuth's error_description).
func errorText(body []byte) string {
	var e struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &e)
	msg := e.Error
	if e.ErrorDescription != "" {
		msg = strings.TrimSpace(msg + ": " + e.ErrorDescription)
	}
	return msg
}

// call sends a request and decodes a JSON answer into out; it returns the
// HTTP status of any answer.
func (c *Connector) call(ctx context.Context, method, u, token string, body io.Reader, contentType string, header http.Header, out any) (int, error) {
	res, err := c.api.Do(ctx, httpx.Request{Method: method, URL: u, Token: token, Body: body, ContentType: contentType, Header: header}, out)
	return res.Status, err
}

func form(v url.Values) (io.Reader, string) {
	return strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
}

// RegisterApp registers Tribune on the instance (POST /api/v1/apps).
func (c *Connector) RegisterApp(ctx context.Context, instanceURL, redirectURI, website string) (App, error) {
	body, ct := form(url.Values{"client_name": {"Tribune"}, "redirect_uris": {redirectURI}, "scopes": {Scopes}, "website": {website}})
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if _, err := c.call(ctx, http.MethodPost, instanceURL+"/api/v1/apps", "", body, ct, nil, &out); err != nil {
		return App{}, err
	}
	if out.ClientID == "" || out.ClientSecret == "" {
		return App{}, network.Errorf("the instance registered the app without client credentials")
	}
	return App{InstanceURL: instanceURL, ClientID: out.ClientID, ClientSecret: out.ClientSecret, RedirectURI: redirectURI}, nil
}

// AuthorizeURL is where the user approves Tribune (PKCE S256).
func (c *Connector) AuthorizeURL(app App, state, codeChallenge string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {app.RedirectURI}, "scope": {Scopes},
		"state": {state}, "code_challenge": {codeChallenge}, "code_challenge_method": {"S256"}}
	return app.InstanceURL + "/oauth/authorize?" + q.Encode()
}

// Exchange trades the authorization code for a token (POST /oauth/token).
func (c *Connector) Exchange(ctx context.Context, app App, code, codeVerifier string) (network.Token, error) {
	body, ct := form(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {app.ClientID},
		"client_secret": {app.ClientSecret}, "redirect_uri": {app.RedirectURI}, "code_verifier": {codeVerifier}, "scope": {Scopes}})
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if _, err := c.call(ctx, http.MethodPost, app.InstanceURL+"/oauth/token", "", body, ct, nil, &out); err != nil {
		return network.Token{}, err
	}
	if out.AccessToken == "" {
		return network.Token{}, network.Errorf("the instance gave no access token")
	}
	return network.Token{AccessToken: out.AccessToken}, nil
}

type account struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Acct     string `json:"acct"`
	URL      string `json:"url"`
}

// VerifyCredentials reads who the token acts as. The handle is the
// account's acct on the instance's own domain (Instance.Domain, read from
// the instance document): an instance reached through another host name,
// or whose accounts live on a domain apart from its web address (Mastodon's
// LOCAL_DOMAIN, GoToSocial's account-domain), still gets its real handle.
// domain empty falls back to the host of instanceURL.
func (c *Connector) VerifyCredentials(ctx context.Context, instanceURL, domain string, tok network.Token) (network.Account, error) {
	var a account
	if _, err := c.call(ctx, http.MethodGet, instanceURL+"/api/v1/accounts/verify_credentials", tok.AccessToken, nil, "", nil, &a); err != nil {
		return network.Account{}, err
	}
	if a.ID == "" {
		return network.Account{}, network.Errorf("the instance did not say who the token belongs to")
	}
	return network.Account{BaseURL: instanceURL, ExternalID: a.ID, Handle: handleOf(a, instanceURL, domain), Token: tok}, nil
}

// handleOf is @user@domain. A local account's acct is its bare username.
func handleOf(a account, instanceURL, domain string) string {
	user := a.Acct
	if user == "" {
		user = a.Username
	}
	if strings.Contains(user, "@") {
		return "@" + user
	}
	if domain == "" {
		if u, err := url.Parse(instanceURL); err == nil {
			domain = u.Host
		}
	}
	return "@" + user + "@" + domain
}

// Instance reads the instance document (GET /api/v2/instance, then
// /api/v1/instance for servers older than Mastodon 4.0): the domain, the
// status limits (500 characters and 23 per link when it does not say), and
// how the server counts them.
//
// GoToSocial is told apart by its v2 source_url, which it sets to its own
// repository (…/superseriousbusiness/gotosocial) on every installation,
// where Mastodon gives github.com/mastodon/mastodon and forks their own;
// the version string is no marker (GoToSocial may dress it as a Mastodon
// version). Every GoToSocial since 0.7 answers v2, so a server read through
// v1 counts like Mastodon.
func (c *Connector) Instance(ctx context.Context, instanceURL string) (Instance, error) {
	out := Instance{Software: SoftwareMastodon, MaxChars: 500, URLLength: 23}
	var inst struct {
		Domain        string `json:"domain"`     // v2
		URI           string `json:"uri"`        // v1: the domain name
		SourceURL     string `json:"source_url"` // v2
		Configuration struct {
			Statuses struct {
				MaxCharacters            int `json:"max_characters"`
				CharactersReservedPerURL int `json:"characters_reserved_per_url"`
			} `json:"statuses"`
			URLs struct {
				Streaming string `json:"streaming"`
			} `json:"urls"`
		} `json:"configuration"`
		URLs struct {
			StreamingAPI string `json:"streaming_api"`
		} `json:"urls"` // v1
		MaxTootChars int `json:"max_toot_chars"` // Pleroma, Akkoma
		APIVersions  struct {
			Mastodon int `json:"mastodon"`
		} `json:"api_versions"` // v2, Mastodon 4.3 and later
	}
	status, err := c.call(ctx, http.MethodGet, instanceURL+"/api/v2/instance", "", nil, "", nil, &inst)
	if err != nil && status == http.StatusNotFound {
		_, err = c.call(ctx, http.MethodGet, instanceURL+"/api/v1/instance", "", nil, "", nil, &inst)
	}
	if err != nil {
		return out, err
	}
	out.Domain = domainOf(inst.Domain)
	if out.Domain == "" {
		out.Domain = domainOf(inst.URI)
	}
	if strings.Contains(strings.ToLower(inst.SourceURL), "gotosocial") {
		out.Software, out.LinksCountInFull = SoftwareGoToSocial, true
	}
	if n := inst.Configuration.Statuses.MaxCharacters; n > 0 {
		out.MaxChars = n
	} else if inst.MaxTootChars > 0 {
		out.MaxChars = inst.MaxTootChars
	}
	if n := inst.Configuration.Statuses.CharactersReservedPerURL; n > 0 {
		out.URLLength = n
	}
	out.APIVersion = inst.APIVersions.Mastodon
	out.StreamingURL = inst.Configuration.URLs.Streaming
	if out.StreamingURL == "" {
		out.StreamingURL = inst.URLs.StreamingAPI
	}
	c.servers.put(instanceURL, out)
	return out, nil
}

// domainOf reads a host name from a v2 domain or a v1 uri (old servers put
// a whole address there). Anything that is not a plain host gives "".
func domainOf(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		s = u.Host
	}
	if s == "" || strings.ContainsAny(s, "/@ \t?#") {
		return ""
	}
	return strings.ToLower(s)
}

type mediaAttachment struct {
	ID  string  `json:"id"`
	URL *string `json:"url"`
}

// UploadMedia sends a file to POST /api/v2/media with its alt text.
func (c *Connector) UploadMedia(ctx context.Context, acct network.Account, m network.Media) (network.UploadedMedia, error) {
	f, err := m.Open()
	if err != nil {
		return network.UploadedMedia{}, fmt.Errorf("mastodon: open media: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, m.Filename))
	h.Set("Content-Type", m.MIME)
	part, _ := mw.CreatePart(h)
	if _, err := io.Copy(part, f); err != nil {
		return network.UploadedMedia{}, fmt.Errorf("mastodon: read media: %w", err)
	}
	if m.Alt != "" {
		_ = mw.WriteField("description", m.Alt)
	}
	_ = mw.Close()
	var out mediaAttachment
	status, err := c.call(ctx, http.MethodPost, acct.BaseURL+"/api/v2/media", acct.Token.AccessToken, &buf, mw.FormDataContentType(), nil, &out)
	if err != nil {
		return network.UploadedMedia{}, err
	}
	up := network.UploadedMedia{RemoteID: out.ID}
	if status == http.StatusAccepted || out.URL == nil {
		up.Extra = map[string]string{"processing": "true"}
	}
	return up, nil
}

// MediaReady asks GET /api/v1/media/:id: 206 while processing, 200 when done.
func (c *Connector) MediaReady(ctx context.Context, acct network.Account, m network.UploadedMedia) (bool, error) {
	var out mediaAttachment
	status, err := c.call(ctx, http.MethodGet, acct.BaseURL+"/api/v1/media/"+url.PathEscape(m.RemoteID), acct.Token.AccessToken, nil, "", nil, &out)
	if err != nil {
		return false, err
	}
	return status == http.StatusOK && out.URL != nil, nil
}

type status struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	URI         string    `json:"uri"`
	Content     string    `json:"content"`
	CreatedAt   time.Time `json:"created_at"`
	InReplyToID *string   `json:"in_reply_to_id"`
}

// Text returns what is published: the text, and the link on its own line
// when the text does not already hold it.
func Text(req network.PostRequest) string {
	if req.Link != "" && !strings.Contains(req.Text, req.Link) {
		if req.Text == "" {
			return req.Link
		}
		return req.Text + "\n\n" + req.Link
	}
	return req.Text
}

// Publish posts a status (POST /api/v1/statuses) with the attempt key as
// Idempotency-Key.
func (c *Connector) Publish(ctx context.Context, acct network.Account, req network.PostRequest) (network.Ref, error) {
	v := url.Values{"status": {Text(req)}}
	for _, m := range req.Media {
		v.Add("media_ids[]", m.RemoteID)
	}
	if req.ReplyTo != nil {
		v.Set("in_reply_to_id", req.ReplyTo.ID)
	}
	// Always said: without it the account's own default applies, which
	// is "unlisted" for a new GoToSocial account.
	if req.Visibility != "" {
		v.Set("visibility", string(req.Visibility))
	}
	body, ct := form(v)
	var st status
	h := http.Header{"Idempotency-Key": {req.AttemptKey}}
	if _, err := c.call(ctx, http.MethodPost, acct.BaseURL+"/api/v1/statuses", acct.Token.AccessToken, body, ct, h, &st); err != nil {
		return network.Ref{}, err
	}
	if st.ID == "" {
		return network.Ref{}, &network.Error{Kind: network.Temporary, Message: "the instance answered without a status id"}
	}
	return network.Ref{ID: st.ID, URL: st.URL}, nil
}

// Recover reads the account's recent statuses for the attempt's text. The
// status is found when a status created since the attempt began has the same
// text (and answers the same post); it is proven absent when the listing
// reaches back before the attempt without finding it.
func (c *Connector) Recover(ctx context.Context, acct network.Account, req network.PostRequest) (network.Ref, error) {
	var list []status
	u := acct.BaseURL + "/api/v1/accounts/" + url.PathEscape(acct.ExternalID) + "/statuses?limit=40&exclude_reblogs=true"
	if _, err := c.call(ctx, http.MethodGet, u, acct.Token.AccessToken, nil, "", nil, &list); err != nil {
		return network.Ref{}, err
	}
	// Both sides of the comparison go through the same conversion: the
	// attempt's text escaped as the server would, the status's HTML as it
	// came back.
	want := htmltext.Plain(html.EscapeString(Text(req)))
	since := req.CreatedAt.Add(-time.Minute)
	reachedBefore := false
	for _, st := range list {
		if st.CreatedAt.Before(since) {
			reachedBefore = true
			continue
		}
		if req.ReplyTo != nil && (st.InReplyToID == nil || *st.InReplyToID != req.ReplyTo.ID) {
			continue
		}
		// A post is never a reply: a thread item or first comment with the
		// same words is not the attempt.
		if req.ReplyTo == nil && st.InReplyToID != nil {
			continue
		}
		if htmltext.Plain(st.Content) == want {
			return network.Ref{ID: st.ID, URL: st.URL}, nil
		}
	}
	if reachedBefore || len(list) < 40 {
		return network.Ref{}, network.ErrNotPublished
	}
	return network.Ref{}, network.ErrUnknownOutcome
}

// CheckLive reads the status: 200 live, 404 not (yet, or any more).
func (c *Connector) CheckLive(ctx context.Context, acct network.Account, ref network.Ref) (bool, error) {
	_, err := c.call(ctx, http.MethodGet, acct.BaseURL+"/api/v1/statuses/"+url.PathEscape(ref.ID), acct.Token.AccessToken, nil, "", nil, nil)
	var ne *network.Error
	if errors.As(err, &ne) && ne.Status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

// Delete removes a status; one already gone counts as deleted.
func (c *Connector) Delete(ctx context.Context, acct network.Account, ref network.Ref) error {
	_, err := c.call(ctx, http.MethodDelete, acct.BaseURL+"/api/v1/statuses/"+url.PathEscape(ref.ID), acct.Token.AccessToken, nil, "", nil, nil)
	var ne *network.Error
	if errors.As(err, &ne) && ne.Status == http.StatusNotFound {
		return nil
	}
	return err
}
