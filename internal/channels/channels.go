// Package channels connects a workspace to its social accounts (the built-in
// Sandbox, Mastodon through OAuth, Bluesky with an app password), keeps their
// credentials sealed at rest, and manages each channel's weekly queue.
package channels

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/mastodon"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
)

// Service manages channels.
type Service struct {
	Store    store.Store
	Auth     *auth.Service
	Keys     *secret.Keyring
	Sandbox  *sandbox.Connector
	Mastodon *mastodon.Connector
	Bluesky  *bluesky.Connector
	// SandboxURL is where the sandbox network answers.
	SandboxURL string
	// PublicURL is Tribune's own address (OAuth callbacks).
	PublicURL string
	Now       func() time.Time
}

func aad(ch int64) string { return "channel:" + strconv.FormatInt(ch, 10) }

// Account implements publish.Accounts: the channel with its decrypted token.
func (s *Service) Account(ctx context.Context, ch store.Channel) (network.Account, error) {
	raw, err := s.Keys.Open(ch.TokenCiphertext, ch.TokenKeyID, aad(ch.WorkspaceID))
	if err != nil {
		return network.Account{}, err
	}
	var tok network.Token
	if err := json.Unmarshal(raw, &tok); err != nil {
		return network.Account{}, err
	}
	return network.Account{BaseURL: ch.BaseURL, ExternalID: ch.ExternalID, Handle: ch.Handle, Token: tok}, nil
}

// SaveToken stores a refreshed token.
func (s *Service) SaveToken(ctx context.Context, ch store.Channel, tok network.Token) error {
	ct, kid, err := s.seal(ch.WorkspaceID, tok)
	if err != nil {
		return err
	}
	return s.Store.UpdateChannelToken(ctx, store.UpdateChannelTokenParams{TokenCiphertext: ct, TokenKeyID: kid, ID: ch.ID})
}

// The token is bound to its workspace (the row id is not known before insert).
func (s *Service) seal(workspaceID int64, tok network.Token) ([]byte, string, error) {
	raw, err := json.Marshal(tok)
	if err != nil {
		return nil, "", err
	}
	ct, kid := s.Keys.Seal(raw, aad(workspaceID))
	return ct, kid, nil
}

// limits is what a channel's server enforces, read when it is connected.
type limits struct {
	maxChars, urlLength int
	counting            string // a rules.Count…, "" for the network's way
}

func (s *Service) create(ctx context.Context, wsID int64, netw, name string, acct network.Account, lim limits) (store.Channel, error) {
	ct, kid, err := s.seal(wsID, acct.Token)
	if err != nil {
		return store.Channel{}, err
	}
	if name == "" {
		name = acct.Handle
	}
	var vis network.Visibility
	if HasVisibility(netw) {
		// Said explicitly with every status from now on: the account's own
		// default on the server no longer decides.
		vis = network.VisibilityPublic
	}
	return s.Store.CreateChannel(ctx, store.CreateChannelParams{WorkspaceID: wsID, Network: netw, Name: name, Handle: acct.Handle,
		ExternalID: acct.ExternalID, BaseURL: acct.BaseURL, TokenCiphertext: ct, TokenKeyID: kid, MaxChars: int64(lim.maxChars),
		URLLength: int64(lim.urlLength), TextCounting: lim.counting, DefaultVisibility: string(vis), Status: string(Active), CreatedAt: s.Now().UTC()})
}

// List returns a workspace's channels.
func (s *Service) List(ctx context.Context, user store.User, workspaceID int64) ([]store.Channel, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View); err != nil {
		return nil, err
	}
	return s.Store.ListChannels(ctx, workspaceID)
}

// Get returns one channel the user may view.
func (s *Service) Get(ctx context.Context, user store.User, channelID int64, p auth.Permission) (store.Channel, error) {
	ch, err := s.Store.GetChannel(ctx, channelID)
	if err != nil {
		return ch, problem.Forbidden
	}
	if _, _, err := s.Auth.Authorize(ctx, user, ch.WorkspaceID, p); err != nil {
		return ch, err
	}
	return ch, nil
}

// networkProblem tells the user why a call to a network failed: the
// network's own words when it answered, Tribune's when it did not (what the
// transport saw may quote whatever the remote side sent, so it is only
// logged, through the wrapped cause).
func networkProblem(err error) error {
	var pe *problem.Error
	if errors.As(err, &pe) {
		return err
	}
	if httpx.Blocked(err) {
		return addressRefused.Wrap(err)
	}
	ne := network.AsError(err)
	if ne.Status == 0 && ne.Err != nil {
		return problem.New(http.StatusBadGateway, "network_unreachable", "Could not reach the server at this address. Check the address and try again.").Wrap(err)
	}
	msg := ne.Kind.String()
	if ne.Status != 0 {
		msg += " (HTTP " + strconv.Itoa(ne.Status) + ")"
	}
	if ne.Message != "" {
		msg += ": " + ne.Message
	}
	return problem.New(http.StatusBadGateway, "network_refused", "The network answered: %s").Format(msg).Wrap(err)
}

var addressRefused = problem.New(http.StatusUnprocessableEntity, "address_not_allowed",
	"Tribune does not connect to this address: enter the public https address of the server.")

// addressProblem is networkProblem for a call to an address the user typed
// in field: a refused address points at the field.
func addressProblem(err error, field string) error {
	if httpx.Blocked(err) {
		return problem.Invalidf(field, addressRefused.Code, addressRefused.Message).Wrap(err)
	}
	return networkProblem(err)
}

// ConnectSandbox creates an account on the sandbox network and connects it.
func (s *Service) ConnectSandbox(ctx context.Context, user store.User, workspaceID int64, name string) (store.Channel, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageChannels); err != nil {
		return store.Channel{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return store.Channel{}, problem.Invalidf("name", "required", "Name the sandbox account.")
	}
	// One namespace per workspace: another workspace that picks the same
	// name gets an account of its own, never this one.
	acct, err := s.Sandbox.CreateAccount(ctx, s.SandboxURL, "w"+strconv.FormatInt(workspaceID, 10), name)
	if err != nil {
		return store.Channel{}, networkProblem(err)
	}
	return s.create(ctx, workspaceID, "sandbox", "Sandbox · "+name, acct, limits{})
}

// ConnectBluesky signs in with a handle and an app password.
func (s *Service) ConnectBluesky(ctx context.Context, user store.User, workspaceID int64, pdsURL, handle, appPassword string) (store.Channel, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageChannels); err != nil {
		return store.Channel{}, err
	}
	if pdsURL == "" {
		pdsURL = "https://bsky.social"
	}
	if err := checkURL(pdsURL, "pds_url"); err != nil {
		return store.Channel{}, err
	}
	handle = strings.TrimPrefix(strings.TrimSpace(handle), "@")
	if handle == "" || appPassword == "" {
		return store.Channel{}, problem.Invalidf("handle", "required", "Enter the handle and an app password.")
	}
	acct, err := s.Bluesky.Login(ctx, strings.TrimRight(pdsURL, "/"), handle, appPassword)
	if err != nil {
		return store.Channel{}, addressProblem(err, "pds_url")
	}
	return s.create(ctx, workspaceID, "bluesky", "Bluesky · "+acct.Handle, acct, limits{})
}

func checkURL(raw, field string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return problem.Invalidf(field, "bad_url", "Enter an address starting with https://.")
	}
	return nil
}

// MastodonCallback is the path the instance redirects to after authorisation.
const MastodonCallback = "/oauth/mastodon/callback"

// StartMastodon registers Tribune on the instance (once) and returns the
// address where the user authorises it.
func (s *Service) StartMastodon(ctx context.Context, user store.User, workspaceID int64, instanceURL string) (string, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageChannels); err != nil {
		return "", err
	}
	instanceURL = strings.TrimRight(strings.TrimSpace(instanceURL), "/")
	if !strings.Contains(instanceURL, "://") {
		instanceURL = "https://" + instanceURL
	}
	if err := checkURL(instanceURL, "instance_url"); err != nil {
		return "", err
	}
	app, err := s.mastodonApp(ctx, instanceURL)
	if err != nil {
		return "", err
	}
	verifier := secret.NewToken("")
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	state := secret.NewToken("")
	if err := s.Store.CreateOAuthState(ctx, store.CreateOAuthStateParams{State: state, WorkspaceID: workspaceID, UserID: user.ID, Network: "mastodon",
		InstanceURL: instanceURL, CodeVerifier: verifier, ExpiresAt: s.Now().UTC().Add(15 * time.Minute)}); err != nil {
		return "", err
	}
	return s.Mastodon.AuthorizeURL(app, state, challenge), nil
}

func (s *Service) mastodonApp(ctx context.Context, instanceURL string) (mastodon.App, error) {
	redirect := s.PublicURL + MastodonCallback
	row, err := s.Store.GetNetworkApp(ctx, store.GetNetworkAppParams{Network: "mastodon", InstanceURL: instanceURL, RedirectURI: redirect})
	if err == nil {
		secretRaw, err := s.Keys.Open(row.SecretCiphertext, row.SecretKeyID, "app:"+instanceURL)
		if err == nil {
			return mastodon.App{InstanceURL: instanceURL, ClientID: row.ClientID, ClientSecret: string(secretRaw), RedirectURI: redirect}, nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return mastodon.App{}, err
	}
	app, err := s.Mastodon.RegisterApp(ctx, instanceURL, redirect, s.PublicURL)
	if err != nil {
		return app, addressProblem(err, "instance_url")
	}
	ct, kid := s.Keys.Seal([]byte(app.ClientSecret), "app:"+instanceURL)
	err = s.Store.UpsertNetworkApp(ctx, store.UpsertNetworkAppParams{Network: "mastodon", InstanceURL: instanceURL, RedirectURI: redirect,
		ClientID: app.ClientID, SecretCiphertext: ct, SecretKeyID: kid, CreatedAt: s.Now().UTC()})
	return app, err
}

// FinishMastodon exchanges the authorisation code and connects the account.
func (s *Service) FinishMastodon(ctx context.Context, user store.User, state, code string) (store.Channel, error) {
	st, err := s.Store.TakeOAuthState(ctx, state)
	if err != nil || st.UserID != user.ID || s.Now().After(st.ExpiresAt) {
		return store.Channel{}, problem.New(http.StatusBadRequest, "bad_oauth_state", "This authorisation expired or was not started here. Try connecting again.")
	}
	if _, _, err := s.Auth.Authorize(ctx, user, st.WorkspaceID, auth.ManageChannels); err != nil {
		return store.Channel{}, err
	}
	app, err := s.mastodonApp(ctx, st.InstanceURL)
	if err != nil {
		return store.Channel{}, err
	}
	tok, err := s.Mastodon.Exchange(ctx, app, code, st.CodeVerifier)
	if err != nil {
		return store.Channel{}, networkProblem(err)
	}
	acct, lim, err := s.readMastodon(ctx, st.InstanceURL, tok)
	if err != nil {
		return store.Channel{}, err
	}
	return s.create(ctx, st.WorkspaceID, "mastodon", "Mastodon · "+acct.Handle, acct, lim)
}

// readMastodon reads what a Mastodon-compatible server is: the instance
// document first (it gives the domain of the handle, the limits and how
// the server counts), then who the token acts as.
func (s *Service) readMastodon(ctx context.Context, instanceURL string, tok network.Token) (network.Account, limits, error) {
	inst, err := s.Mastodon.Instance(ctx, instanceURL)
	if err != nil {
		return network.Account{}, limits{}, networkProblem(err)
	}
	acct, err := s.Mastodon.VerifyCredentials(ctx, instanceURL, inst.Domain, tok)
	if err != nil {
		return network.Account{}, limits{}, networkProblem(err)
	}
	lim := limits{maxChars: inst.MaxChars, urlLength: inst.URLLength, counting: rules.CountMastodon}
	if inst.LinksCountInFull {
		lim.counting = rules.CountCharacters
	}
	return acct, lim, nil
}

// RefreshMastodon reads a Mastodon channel's server again: its handle,
// limits and way of counting (a server upgraded or reconfigured, a channel
// connected before Tribune told GoToSocial apart).
func (s *Service) RefreshMastodon(ctx context.Context, user store.User, channelID int64) (store.Channel, error) {
	ch, err := s.Get(ctx, user, channelID, auth.ManageChannels)
	if err != nil {
		return ch, err
	}
	if ch.Network != "mastodon" {
		return ch, problem.New(http.StatusUnprocessableEntity, "not_mastodon", "Only Mastodon channels can be read again.")
	}
	cur, err := s.Account(ctx, ch)
	if err != nil {
		return ch, err
	}
	acct, lim, err := s.readMastodon(ctx, ch.BaseURL, cur.Token)
	if err != nil {
		return ch, err
	}
	if err := s.Store.UpdateChannelServer(ctx, store.UpdateChannelServerParams{Handle: acct.Handle, MaxChars: int64(lim.maxChars),
		URLLength: int64(lim.urlLength), TextCounting: lim.counting, ID: ch.ID}); err != nil {
		return ch, err
	}
	ch.Handle, ch.MaxChars, ch.URLLength, ch.TextCounting = acct.Handle, int64(lim.maxChars), int64(lim.urlLength), lim.counting
	return ch, nil
}

// HasVisibility reports whether posts on the network have a visibility to
// choose (Mastodon and the servers speaking its API).
func HasVisibility(netw string) bool { return netw == "mastodon" }

// Limits are the rules' limits of a channel: what its server enforces and
// how it counts.
func Limits(ch store.Channel) rules.Limits {
	return rules.Limits{MaxChars: int(ch.MaxChars), URLLength: int(ch.URLLength), Counting: ch.TextCounting}
}

// ErrBadVisibility answers a visibility that is not one of Mastodon's.
var ErrBadVisibility = problem.Invalidf("visibility", "bad_visibility",
	"Choose a visibility: public, unlisted, private (followers only) or direct.")

// ErrNoVisibility answers a visibility set on a network that has none.
var ErrNoVisibility = problem.Invalidf("visibility", "visibility_unsupported",
	"Only Mastodon channels have a visibility.")

// Visibility resolves the visibility of a post on ch: the one chosen, or
// the channel's default when none is; "" on networks without visibilities.
func Visibility(ch store.Channel, chosen network.Visibility) (network.Visibility, error) {
	if !HasVisibility(ch.Network) {
		if chosen != "" {
			return "", ErrNoVisibility
		}
		return "", nil
	}
	if chosen == "" {
		chosen = network.Visibility(ch.DefaultVisibility)
		if chosen == "" {
			chosen = network.VisibilityPublic
		}
	}
	if !chosen.Valid() {
		return "", ErrBadVisibility
	}
	return chosen, nil
}

// SetDefaultVisibility sets the visibility a channel's posts get when their
// author chooses none (Mastodon channels only).
func (s *Service) SetDefaultVisibility(ctx context.Context, user store.User, channelID int64, v network.Visibility) (store.Channel, error) {
	ch, err := s.Get(ctx, user, channelID, auth.ManageChannels)
	if err != nil {
		return ch, err
	}
	if !HasVisibility(ch.Network) {
		return ch, ErrNoVisibility
	}
	if !v.Valid() {
		return ch, ErrBadVisibility
	}
	if err := s.Store.UpdateChannelVisibility(ctx, store.UpdateChannelVisibilityParams{DefaultVisibility: string(v), ID: ch.ID}); err != nil {
		return ch, err
	}
	ch.DefaultVisibility = string(v)
	return ch, nil
}

// Disconnect removes a channel (its posts' variants on it go too).
func (s *Service) Disconnect(ctx context.Context, user store.User, channelID int64) error {
	ch, err := s.Get(ctx, user, channelID, auth.ManageChannels)
	if err != nil {
		return err
	}
	return s.Store.DeleteChannel(ctx, ch.ID)
}

// Queue returns a channel's weekly slots.
func (s *Service) Queue(ctx context.Context, user store.User, channelID int64) ([]schedule.Slot, error) {
	if _, err := s.Get(ctx, user, channelID, auth.View); err != nil {
		return nil, err
	}
	rows, err := s.Store.ListQueueSlots(ctx, channelID)
	out := make([]schedule.Slot, 0, len(rows))
	for _, r := range rows {
		out = append(out, schedule.Slot{Weekday: time.Weekday(r.Weekday), Minute: int(r.MinuteOfDay)})
	}
	return out, err
}

// SetQueue replaces a channel's weekly slots.
func (s *Service) SetQueue(ctx context.Context, user store.User, channelID int64, slots []schedule.Slot) error {
	if _, err := s.Get(ctx, user, channelID, auth.ManageChannels); err != nil {
		return err
	}
	for _, sl := range slots {
		if sl.Weekday < 0 || sl.Weekday > 6 || sl.Minute < 0 || sl.Minute >= 24*60 {
			return problem.Invalidf("slots", "bad_slot", "A slot needs a weekday (0–6) and a time of day.")
		}
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.ReplaceQueueSlotsDelete(ctx, channelID); err != nil {
			return err
		}
		for _, sl := range slots {
			if err := tx.AddQueueSlot(ctx, store.AddQueueSlotParams{ChannelID: channelID, Weekday: int64(sl.Weekday), MinuteOfDay: int64(sl.Minute)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// SimulateFaults tells the sandbox network to misbehave (sandbox channels only).
func (s *Service) SimulateFaults(ctx context.Context, user store.User, channelID int64, f sandbox.Faults) error {
	ch, err := s.Get(ctx, user, channelID, auth.ManageChannels)
	if err != nil {
		return err
	}
	if ch.Network != "sandbox" {
		return problem.New(http.StatusUnprocessableEntity, "not_sandbox", "Only sandbox channels can simulate failures.")
	}
	f.Account = ch.ExternalID
	if err := s.Sandbox.SetFaults(ctx, ch.BaseURL, f); err != nil {
		return networkProblem(err)
	}
	return nil
}

var _ = fmt.Sprintf
var _ = rand.Read
