// Package webhooks sends a workspace's events to the https endpoints its
// owners and admins registered (PRODUCT.md X2, issue 14 section 7): an
// event is emitted inside the transaction that commits its data, one River
// job per subscribed endpoint, and each job POSTs the event signed with the
// endpoint's secret, retrying on the schedule of docs/webhooks.md. Every
// attempt is written to the endpoint's delivery log.
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
)

// EventType names an event an endpoint may subscribe to.
type EventType string

// The events Tribune sends.
const (
	// InboxItemCreated: a comment, mention or message arrived in the inbox.
	InboxItemCreated EventType = "inbox.item.created"
	// InboxItemUpdated: an inbox item changed status (read, done, assigned…).
	InboxItemUpdated EventType = "inbox.item.updated"
	// InboxRuleAction: an inbox rule acted on an item.
	InboxRuleAction EventType = "inbox.rule.action"
	// ListenAlert: a listening alert rule fired (internal/listen/alerts);
	// sent only to the endpoint the rule names, like a moderation rule's.
	ListenAlert EventType = "listen.alert"
	// PostPublished: one variant of a post (one channel) is on the network.
	PostPublished EventType = publish.EventPublished
	// PostFailed: one variant of a post failed for good.
	PostFailed EventType = publish.EventFailed
	// Test is the event of the "send a test event" button; it goes to the
	// chosen endpoint whatever it subscribed to, and is never emitted.
	Test EventType = "webhook.test"
)

// EventTypes are the events an endpoint may subscribe to, in the order the
// UI lists them. Only events something emits are listed.
func EventTypes() []EventType {
	return []EventType{InboxItemCreated, InboxItemUpdated, InboxRuleAction, PostPublished, PostFailed}
}

// Valid reports whether t is an event an endpoint may subscribe to.
func (t EventType) Valid() bool { return slices.Contains(EventTypes(), t) || t == ListenAlert }

// Defaults of a Service's tunables.
const (
	// DefaultTimeout bounds one delivery: a receiver should answer at once
	// and do its work later.
	DefaultTimeout = 10 * time.Second
	// DefaultDisableAfter: an endpoint whose deliveries have all failed for
	// this long is disabled and the workspace's owners told.
	DefaultDisableAfter = 5 * 24 * time.Hour
	// DefaultKeepDeliveries is how long the delivery log keeps an attempt.
	DefaultKeepDeliveries = 14 * 24 * time.Hour
	// MaxEndpoints bounds a workspace's endpoints (each event is one job per endpoint).
	MaxEndpoints = 20
	// MaxURL bounds an endpoint's address.
	MaxURL = 2000
	// MaxResponse bounds the part of a receiver's answer the log keeps.
	MaxResponse = 1024
	// MaxListedDeliveries bounds one page of the delivery log.
	MaxListedDeliveries = 100
	// NotifyDisabled is the kind of the notification sent when an endpoint
	// is disabled for failing.
	NotifyDisabled publish.NotificationKind = "webhook_disabled"
	// SecretPrefix starts every endpoint secret, so that one found in a
	// log or a repository is recognisable.
	SecretPrefix = "whsec_"
)

// DefaultRetries is the wait before each retry of a failed delivery, after
// the first attempt (the schedule of Standard Webhooks): nine attempts over
// about a day and a half.
func DefaultRetries() []time.Duration {
	return []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
		10 * time.Hour, 10 * time.Hour, 10 * time.Hour}
}

// Notifier tells a member something (notify.Notifier in production).
type Notifier interface {
	Notify(ctx context.Context, n publish.Notification) error
}

// Service manages a workspace's endpoints and delivers its events.
type Service struct {
	Store store.Store
	Auth  *auth.Service
	Keys  *secret.Keyring
	// HTTP sends deliveries: httpx.NewClient, so that only public https
	// addresses are reached unless AllowPrivate.
	HTTP *http.Client
	// AllowPrivate mirrors -allow-private-networks: endpoints may then be
	// http and on private addresses (development and tests).
	AllowPrivate bool
	Notifier     Notifier
	Log          *slog.Logger
	Now          func() time.Time

	// Timeout, Retries, DisableAfter and KeepDeliveries: zero means the default.
	Timeout        time.Duration
	Retries        []time.Duration
	DisableAfter   time.Duration
	KeepDeliveries time.Duration
}

// Endpoint is an endpoint as members see it: never its secret, which is
// shown once when made or rotated.
type Endpoint struct {
	ID             int64       `json:"id"`
	URL            string      `json:"url"`
	Events         []EventType `json:"events"`
	Enabled        bool        `json:"enabled"`
	DisabledReason string      `json:"disabled_reason,omitempty"`
	FailingSince   *time.Time  `json:"failing_since,omitempty"`
	CreatedAt      time.Time   `json:"created_at"`
}

// Input is what a member sets on an endpoint.
type Input struct {
	URL     string
	Events  []EventType
	Enabled bool
}

// Problems a member can be shown.
var (
	ErrURL        = problem.New(http.StatusUnprocessableEntity, "webhook_url", "The address must be a valid https URL.")
	ErrPrivateURL = problem.New(http.StatusUnprocessableEntity, "webhook_private_url", "Tribune does not send webhooks to this address: it must be a public https address.")
	ErrEvents     = problem.New(http.StatusUnprocessableEntity, "webhook_events", "Choose at least one event, among those Tribune sends.")
	ErrTooMany    = problem.New(http.StatusConflict, "webhook_limit", "This workspace has as many webhooks as it may have; delete one first.")
	errUnreadable = errors.New("webhooks: the endpoint's secret cannot be read")
)

func (s *Service) now() time.Time { return s.Now().UTC() }

func view(e store.WebhookEndpoint) Endpoint {
	return Endpoint{ID: e.ID, URL: e.URL, Events: parseEvents(e.Events), Enabled: e.Enabled, DisabledReason: e.DisabledReason,
		FailingSince: e.FailingSince, CreatedAt: e.CreatedAt}
}

func parseEvents(s string) []EventType {
	var out []EventType
	for _, e := range strings.Split(s, ",") {
		if e != "" {
			out = append(out, EventType(e))
		}
	}
	return out
}

func (e Endpoint) subscribed(t EventType) bool { return slices.Contains(e.Events, t) }

// checkInput validates an endpoint's address and events and returns the
// events in the order of EventTypes, joined for storage.
func (s *Service) checkInput(in Input) (string, error) {
	if err := s.checkURL(in.URL); err != nil {
		return "", err
	}
	var names []string
	for _, t := range EventTypes() {
		if slices.Contains(in.Events, t) {
			names = append(names, string(t))
		}
	}
	for _, t := range in.Events {
		if !t.Valid() {
			return "", ErrEvents
		}
	}
	if len(names) == 0 {
		return "", ErrEvents
	}
	return strings.Join(names, ","), nil
}

// checkURL refuses, when the endpoint is saved, what the delivery client
// would refuse anyway: another scheme than https, and a host that is
// plainly not public. A name resolving to a private address is refused at
// each connection by the client itself (httpx.NewClient).
func (s *Service) checkURL(raw string) error {
	if len(raw) > MaxURL {
		return ErrURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return ErrURL
	}
	if s.AllowPrivate {
		if u.Scheme != "https" && u.Scheme != "http" {
			return ErrURL
		}
		return nil
	}
	if u.Scheme != "https" {
		return ErrURL
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".internal") || !strings.Contains(host, ".") && !strings.Contains(host, ":") {
		return ErrPrivateURL
	}
	if ip, err := netip.ParseAddr(host); err == nil && !httpx.Public(ip) {
		return ErrPrivateURL
	}
	return nil
}

// List returns the workspace's endpoints; only those who manage the
// workspace (owners and admins) see them.
func (s *Service) List(ctx context.Context, user store.User, workspaceID int64) ([]Endpoint, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageTeam)
	if err != nil {
		return nil, err
	}
	rows, err := s.Store.ListWebhookEndpoints(ctx, ws.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Endpoint, 0, len(rows))
	for _, r := range rows {
		out = append(out, view(r))
	}
	return out, nil
}

// Get returns one endpoint of the workspace.
func (s *Service) Get(ctx context.Context, user store.User, workspaceID, id int64) (Endpoint, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageTeam)
	if err != nil {
		return Endpoint{}, err
	}
	e, err := s.Store.GetWebhookEndpoint(ctx, store.GetWebhookEndpointParams{ID: id, WorkspaceID: ws.ID})
	if errors.Is(err, store.ErrNotFound) {
		return Endpoint{}, problem.NotFound
	}
	if err != nil {
		return Endpoint{}, err
	}
	return view(e), nil
}

// newSecret makes an endpoint secret and seals it for the workspace: the
// sealed form is bound to the workspace, so a row copied into another
// workspace cannot be read.
func (s *Service) newSecret(workspaceID int64) (plain string, sealed []byte, keyID string) {
	plain = secret.NewToken(SecretPrefix)
	sealed, keyID = s.Keys.Seal([]byte(plain), aad(workspaceID))
	return plain, sealed, keyID
}

func aad(workspaceID int64) string { return "webhook:" + strconv.FormatInt(workspaceID, 10) }

func (s *Service) openSecret(e store.WebhookEndpoint) (string, error) {
	raw, err := s.Keys.Open(e.SecretSealed, e.SecretKeyID, aad(e.WorkspaceID))
	if err != nil {
		return "", fmt.Errorf("%w: %v", errUnreadable, err)
	}
	return string(raw), nil
}

// Create registers an endpoint, enabled, and returns it with its secret,
// shown this once.
func (s *Service) Create(ctx context.Context, user store.User, workspaceID int64, in Input) (Endpoint, string, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageTeam)
	if err != nil {
		return Endpoint{}, "", err
	}
	events, err := s.checkInput(in)
	if err != nil {
		return Endpoint{}, "", err
	}
	existing, err := s.Store.ListWebhookEndpoints(ctx, ws.ID)
	if err != nil {
		return Endpoint{}, "", err
	}
	if len(existing) >= MaxEndpoints {
		return Endpoint{}, "", ErrTooMany
	}
	plain, sealed, kid := s.newSecret(ws.ID)
	e, err := s.Store.CreateWebhookEndpoint(ctx, store.CreateWebhookEndpointParams{WorkspaceID: ws.ID, URL: in.URL, Events: events,
		SecretSealed: sealed, SecretKeyID: kid, CreatedBy: user.ID, CreatedAt: s.now()})
	if err != nil {
		return Endpoint{}, "", err
	}
	return view(e), plain, nil
}

// Update changes an endpoint's address, events and whether it is enabled;
// enabling it again forgets its past failures.
func (s *Service) Update(ctx context.Context, user store.User, workspaceID, id int64, in Input) (Endpoint, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageTeam)
	if err != nil {
		return Endpoint{}, err
	}
	events, err := s.checkInput(in)
	if err != nil {
		return Endpoint{}, err
	}
	cur, err := s.Store.GetWebhookEndpoint(ctx, store.GetWebhookEndpointParams{ID: id, WorkspaceID: ws.ID})
	if errors.Is(err, store.ErrNotFound) {
		return Endpoint{}, problem.NotFound
	}
	if err != nil {
		return Endpoint{}, err
	}
	reason := ""
	if !in.Enabled && !cur.Enabled {
		reason = cur.DisabledReason // still off: keep why
	}
	n, err := s.Store.UpdateWebhookEndpoint(ctx, store.UpdateWebhookEndpointParams{URL: in.URL, Events: events, Enabled: in.Enabled,
		DisabledReason: reason, UpdatedAt: s.now(), ID: id, WorkspaceID: ws.ID})
	if err != nil {
		return Endpoint{}, err
	}
	if n == 0 {
		return Endpoint{}, problem.NotFound
	}
	return s.Get(ctx, user, workspaceID, id)
}

// RotateSecret gives the endpoint a new secret and returns it, shown this
// once; deliveries from now on are signed with it.
func (s *Service) RotateSecret(ctx context.Context, user store.User, workspaceID, id int64) (string, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageTeam)
	if err != nil {
		return "", err
	}
	plain, sealed, kid := s.newSecret(ws.ID)
	n, err := s.Store.UpdateWebhookSecret(ctx, store.UpdateWebhookSecretParams{SecretSealed: sealed, SecretKeyID: kid, UpdatedAt: s.now(),
		ID: id, WorkspaceID: ws.ID})
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", problem.NotFound
	}
	return plain, nil
}

// Delete removes an endpoint and its delivery log; its pending deliveries
// find it gone and stop.
func (s *Service) Delete(ctx context.Context, user store.User, workspaceID, id int64) error {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageTeam)
	if err != nil {
		return err
	}
	n, err := s.Store.DeleteWebhookEndpoint(ctx, store.DeleteWebhookEndpointParams{ID: id, WorkspaceID: ws.ID})
	if err != nil {
		return err
	}
	if n == 0 {
		return problem.NotFound
	}
	return nil
}

// Deliveries returns the endpoint's latest delivery attempts, newest first.
func (s *Service) Deliveries(ctx context.Context, user store.User, workspaceID, id int64) ([]store.WebhookDelivery, error) {
	if _, err := s.Get(ctx, user, workspaceID, id); err != nil {
		return nil, err
	}
	list, err := s.Store.ListWebhookDeliveries(ctx, store.ListWebhookDeliveriesParams{EndpointID: id, WorkspaceID: workspaceID, MaxRows: MaxListedDeliveries})
	if list == nil {
		list = []store.WebhookDelivery{}
	}
	return list, err
}

// SendTest queues a test event to the endpoint, enabled or not, and returns
// its id; its outcome appears in the delivery log.
func (s *Service) SendTest(ctx context.Context, user store.User, workspaceID, id int64) (string, error) {
	ep, err := s.Get(ctx, user, workspaceID, id)
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(map[string]string{"message": "This is a test event sent from Tribune."})
	if err != nil {
		return "", err
	}
	ev := DeliverArgs{EndpointID: ep.ID, WorkspaceID: workspaceID, EventID: newEventID(), Type: Test, CreatedAt: s.now(), Data: data}
	if err := s.Store.InTx(ctx, func(tx store.Tx) error {
		_, err := tx.InsertJob(ctx, ev, nil)
		return err
	}); err != nil {
		return "", err
	}
	return ev.EventID, nil
}

// newEventID is an event's id: receivers use it to drop a delivery they
// already handled (a delivery may arrive twice, see docs/webhooks.md).
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "evt_" + hex.EncodeToString(b[:])
}

// Emit queues the event for every enabled endpoint of the workspace that
// subscribed to it, in tx: the deliveries exist if and only if the
// transaction that made the event's data commits. data is the event's
// "data" member, marshalled to JSON now.
func (s *Service) Emit(ctx context.Context, tx store.Tx, workspaceID int64, eventType EventType, data any) error {
	if !eventType.Valid() {
		return fmt.Errorf("webhooks: emit of unknown event type %q", eventType)
	}
	eps, err := tx.ListEnabledWebhookEndpoints(ctx, workspaceID)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	id, at := newEventID(), s.now()
	for _, e := range eps {
		if !view(e).subscribed(eventType) {
			continue
		}
		if raw == nil {
			if raw, err = json.Marshal(data); err != nil {
				return err
			}
		}
		if _, err := tx.InsertJob(ctx, DeliverArgs{EndpointID: e.ID, WorkspaceID: workspaceID, EventID: id, Type: eventType, CreatedAt: at, Data: raw}, nil); err != nil {
			return err
		}
	}
	return nil
}

// EmitEach is Emit for several events of one type (one per element of
// data), reading the workspace's endpoints once: an ingested fetch tells of
// each of its new items.
func (s *Service) EmitEach(ctx context.Context, tx store.Tx, workspaceID int64, eventType EventType, data []any) error {
	if !eventType.Valid() {
		return fmt.Errorf("webhooks: emit of unknown event type %q", eventType)
	}
	if len(data) == 0 {
		return nil
	}
	eps, err := tx.ListEnabledWebhookEndpoints(ctx, workspaceID)
	if err != nil {
		return err
	}
	var subscribed []store.WebhookEndpoint
	for _, e := range eps {
		if view(e).subscribed(eventType) {
			subscribed = append(subscribed, e)
		}
	}
	if len(subscribed) == 0 {
		return nil
	}
	at := s.now()
	for _, d := range data {
		raw, err := json.Marshal(d)
		if err != nil {
			return err
		}
		id := newEventID()
		for _, e := range subscribed {
			if _, err := tx.InsertJob(ctx, DeliverArgs{EndpointID: e.ID, WorkspaceID: workspaceID, EventID: id, Type: eventType, CreatedAt: at, Data: raw}, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// ErrEndpointGone: a rule names an endpoint deleted or switched off since.
var ErrEndpointGone = problem.New(http.StatusConflict, "webhook_gone", "Not sent: the rule's webhook endpoint was deleted or is disabled.")

// EmitTo queues the event for the one endpoint a moderation rule chose, in
// tx, whatever events it subscribed to: the rule named it. An endpoint of
// another workspace, deleted or disabled is ErrEndpointGone. It returns the
// event's id, which the caller records.
func (s *Service) EmitTo(ctx context.Context, tx store.Tx, workspaceID, endpointID int64, eventType EventType, data any) (string, error) {
	if !eventType.Valid() {
		return "", fmt.Errorf("webhooks: emit of unknown event type %q", eventType)
	}
	e, err := tx.GetWebhookEndpoint(ctx, store.GetWebhookEndpointParams{ID: endpointID, WorkspaceID: workspaceID})
	if errors.Is(err, store.ErrNotFound) || (err == nil && !e.Enabled) {
		return "", ErrEndpointGone
	}
	if err != nil {
		return "", err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return "", err
	}
	id := newEventID()
	_, err = tx.InsertJob(ctx, DeliverArgs{EndpointID: e.ID, WorkspaceID: workspaceID, EventID: id, Type: eventType, CreatedAt: s.now(), Data: raw}, nil)
	return id, err
}
