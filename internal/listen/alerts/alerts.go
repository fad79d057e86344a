// Package alerts raises a workspace's listening alerts (issue 15 §5): rules
// on volume spikes (this hour against the same hour of the previous weeks),
// negative-share spikes, watch words and new terms rising (package
// signals), evaluated on the hourly rollups by a River periodic job; one
// storm is one alert, updated while it lasts and closed after the rule's
// cooldown; delivered in-app, by e-mail, to a Slack incoming webhook and to
// a signed webhook, each delivery a River job whose attempts are recorded.
// A rule may switch the brand to crisis mode through CrisisSwitch.
package alerts

import (
	"context"
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
	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/listen/query"
	"github.com/tribune-social/tribune/internal/notify"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// Kind is what a rule watches.
type Kind string

// The kinds of rule.
const (
	// KindVolume: this hour's mentions against Factor × the mean of the same
	// hour of the previous Weeks weeks, with at least MinCount mentions.
	KindVolume Kind = "volume"
	// KindNegative: the hour's share of negative mentions at least Share,
	// with at least MinCount negative mentions.
	KindNegative Kind = "negative"
	// KindWatch: the hour counts at least MinCount mentions of the watch
	// words (words or #hashtags).
	KindWatch Kind = "watch"
	// KindNewTerm: a term rising in the last hour (signals.Detect with
	// MinCount and Factor as its minimum count and ratio).
	KindNewTerm Kind = "new_term"
)

// Kinds in the order the UI lists them.
var Kinds = []Kind{KindVolume, KindNegative, KindWatch, KindNewTerm}

// Channel is where an alert is delivered.
type Channel string

// The channels.
const (
	ChannelInApp   Channel = "inapp"
	ChannelEmail   Channel = "email"
	ChannelSlack   Channel = "slack"
	ChannelWebhook Channel = "webhook"
	// channelCrisis is the crisis switch, delivered (and retried) as a channel.
	channelCrisis Channel = "crisis"
)

// Channels in the order the UI lists them.
var Channels = []Channel{ChannelInApp, ChannelEmail, ChannelSlack, ChannelWebhook}

// State is an alert's state.
type State string

// The states of an alert.
const (
	StateOpen         State = "open"
	StateAcknowledged State = "acknowledged"
	StateClosed       State = "closed"
)

// Outcomes of a delivery attempt.
const (
	OutcomeDelivered = "delivered"
	OutcomeRetry     = "retry"
	OutcomeFailed    = "failed"
	// OutcomeQueued: handed to the signed-webhook delivery, whose own log
	// (the Webhooks page) has the attempts.
	OutcomeQueued = "queued"
)

// CrisisSwitch switches a brand to crisis mode when a rule asks to
// (internal/crisis implements it).
type CrisisSwitch interface {
	OpenFromAlert(ctx context.Context, workspaceID, alertID int64, title string) error
}

// NotifyAlert is the kind of the in-app notification of an alert.
const NotifyAlert = "listen_alert"

// Limits and defaults.
const (
	MaxRules     = 50
	MaxName      = 120
	MaxWords     = 50
	MaxListed    = 100
	MaxCooldown  = 7 * 24 * time.Hour
	MinCooldown  = 15 * time.Minute
	MaxWeeks     = 8
	BacktestDays = 30
)

// Rule is an alert rule as members see it. The Slack address is never
// shown (whoever has it may post to the channel), only whether one is set.
type Rule struct {
	ID        int64         `json:"id"`
	Name      string        `json:"name"`
	Kind      Kind          `json:"kind"`
	TopicID   int64         `json:"topic_id,omitempty"`
	Factor    float64       `json:"factor"`
	Weeks     int           `json:"weeks"`
	MinCount  int64         `json:"min_count"`
	Share     float64       `json:"share"`
	Words     []string      `json:"words"`
	Cooldown  time.Duration `json:"-"`
	Channels  []Channel     `json:"channels"`
	Slack     bool          `json:"slack_configured"`
	WebhookID int64         `json:"webhook_id,omitempty"`
	Crisis    bool          `json:"crisis"`
	Enabled   bool          `json:"enabled"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// Input is what a member sets on a rule; zero numbers take the kind's
// defaults. An empty SlackURL on an update keeps the saved one.
type Input struct {
	Name      string
	Kind      Kind
	TopicID   int64
	Factor    float64
	Weeks     int
	MinCount  int64
	Share     float64
	Words     []string
	Cooldown  time.Duration
	Channels  []Channel
	SlackURL  string
	WebhookID int64
	Crisis    bool
	Enabled   bool
}

// Defaults fills the zero fields of in with the kind's defaults.
func (in Input) Defaults() Input {
	if in.Factor == 0 {
		in.Factor = 3
	}
	if in.Weeks == 0 {
		in.Weeks = 4
	}
	if in.MinCount == 0 {
		switch in.Kind {
		case KindWatch:
			in.MinCount = 1
		case KindNewTerm:
			in.MinCount = 5
		default:
			in.MinCount = 20
		}
	}
	if in.Share == 0 {
		in.Share = 0.4
	}
	if in.Cooldown == 0 {
		in.Cooldown = 6 * time.Hour
	}
	if len(in.Channels) == 0 {
		in.Channels = []Channel{ChannelInApp}
	}
	return in
}

// Problems a member can be shown.
var (
	ErrName      = problem.New(http.StatusUnprocessableEntity, "alert_name", "Give the rule a name (at most 120 characters).")
	ErrKind      = problem.New(http.StatusUnprocessableEntity, "alert_kind", "Choose what the rule watches: volume, negative share, watch words or a new term.")
	ErrFactor    = problem.New(http.StatusUnprocessableEntity, "alert_factor", "The factor is between 1 and 100.")
	ErrWeeks     = problem.New(http.StatusUnprocessableEntity, "alert_weeks", "The baseline covers 1 to 8 previous weeks.")
	ErrMinCount  = problem.New(http.StatusUnprocessableEntity, "alert_min_count", "The minimum count is between 1 and 1,000,000.")
	ErrShare     = problem.New(http.StatusUnprocessableEntity, "alert_share", "The negative share is between 1 % and 100 %.")
	ErrWords     = problem.New(http.StatusUnprocessableEntity, "alert_words", "Give 1 to 50 watch words, one word or #hashtag per line.")
	ErrCooldown  = problem.New(http.StatusUnprocessableEntity, "alert_cooldown", "The cooldown is between 15 minutes and 7 days.")
	ErrChannels  = problem.New(http.StatusUnprocessableEntity, "alert_channels", "Choose at least one known channel.")
	ErrSlackURL  = problem.New(http.StatusUnprocessableEntity, "alert_slack_url", "The Slack address must be an incoming webhook URL (https://hooks.slack.com/…).")
	ErrWebhook   = problem.New(http.StatusUnprocessableEntity, "alert_webhook", "Choose one of the workspace's enabled webhooks.")
	ErrTopic     = problem.New(http.StatusUnprocessableEntity, "alert_topic", "This topic does not exist in the workspace.")
	ErrTooMany   = problem.New(http.StatusConflict, "alert_limit", "This workspace has as many alert rules as it may have; delete one first.")
	ErrNotActive = problem.New(http.StatusConflict, "alert_not_open", "This alert is already acknowledged or closed.")
)

// Service manages alert rules and alerts, evaluates the rules and
// delivers the alerts.
type Service struct {
	Store    store.Store
	Auth     *auth.Service
	Webhooks *webhooks.Service
	// Keys seal the Slack addresses.
	Keys *secret.Keyring
	SMTP notify.SMTP
	// HTTP posts to Slack: the safe outgoing client (httpx.NewClient).
	HTTP *http.Client
	// AllowPrivate mirrors -allow-private-networks: a Slack address may
	// then be any http(s) URL (tests point it at an httptest server).
	AllowPrivate bool
	// Crisis is nil until a crisis package is wired: a rule asking for
	// crisis mode then records a failed "crisis" delivery.
	Crisis    CrisisSwitch
	PublicURL string
	Log       *slog.Logger
	Now       func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// found turns the store's "no such row" (another workspace's id included)
// into the 404 members see.
func found(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return problem.NotFound
	}
	return err
}

// The permissions: reading rules, alerts and tests is for every member;
// writing rules for those who manage channels; acknowledging and closing
// for those who answer (compose); a crisis rule also needs Crisis.
const (
	permRead   = auth.View
	permRules  = auth.ManageChannels
	permHandle = auth.Compose
)

func splitList(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

func view(r store.ListenAlertRule) Rule {
	v := Rule{ID: r.ID, Name: r.Name, Kind: Kind(r.Kind), Factor: r.Factor, Weeks: int(r.Weeks), MinCount: r.MinCount,
		Share: r.Share, Words: splitList(r.Words), Cooldown: time.Duration(r.CooldownMinutes) * time.Minute,
		Slack: r.SlackSealed != nil, Crisis: r.Crisis, Enabled: r.Enabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.TopicID != nil {
		v.TopicID = *r.TopicID
	}
	if r.WebhookID != nil {
		v.WebhookID = *r.WebhookID
	}
	if v.Words == nil {
		v.Words = []string{}
	}
	for _, c := range splitList(r.Channels) {
		v.Channels = append(v.Channels, Channel(c))
	}
	return v
}

// normWord folds a watch word as the term rollups count it.
func normWord(w string) string {
	w = strings.TrimSpace(w)
	if strings.HasPrefix(w, "#") {
		return "#" + query.Fold(w[1:])
	}
	return query.Fold(w)
}

func isTerm(w string) bool {
	w = strings.TrimPrefix(w, "#")
	if w == "" {
		return false
	}
	for _, r := range w {
		if !(r == '_' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r > 127) {
			return false
		}
	}
	return !strings.ContainsAny(w, " \t")
}

func (s *Service) checkSlackURL(raw string) error {
	u, err := url.Parse(raw)
	// An incoming webhook's path is /services/<team>/<bot>/<secret>.
	if err != nil || u.Host == "" || u.User != nil || !strings.HasPrefix(u.Path, "/services/") {
		return ErrSlackURL
	}
	if s.AllowPrivate {
		if u.Scheme != "https" && u.Scheme != "http" {
			return ErrSlackURL
		}
		return nil
	}
	// Slack's incoming webhooks live on hooks.slack.com; anything else may
	// be a way to make Tribune post somewhere it should not.
	if u.Scheme != "https" || u.Hostname() != "hooks.slack.com" || !strings.HasPrefix(u.Path, "/services/") {
		return ErrSlackURL
	}
	if _, err := netip.ParseAddr(u.Hostname()); err == nil {
		return ErrSlackURL
	}
	return nil
}

// check validates in (defaults applied) and returns the rule's columns.
func (s *Service) check(ctx context.Context, workspaceID int64, in Input, saved *store.ListenAlertRule) (Input, error) {
	in = in.Defaults()
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len([]rune(in.Name)) > MaxName {
		return in, ErrName
	}
	if !slices.Contains(Kinds, in.Kind) {
		return in, ErrKind
	}
	if in.Factor < 1 || in.Factor > 100 {
		return in, ErrFactor
	}
	if in.Weeks < 1 || in.Weeks > MaxWeeks {
		return in, ErrWeeks
	}
	if in.MinCount < 1 || in.MinCount > 1_000_000 {
		return in, ErrMinCount
	}
	if in.Share < 0.01 || in.Share > 1 {
		return in, ErrShare
	}
	if in.Cooldown < MinCooldown || in.Cooldown > MaxCooldown {
		return in, ErrCooldown
	}
	var words []string
	for _, w := range in.Words {
		if strings.TrimSpace(w) == "" {
			continue
		}
		n := normWord(w)
		if !isTerm(n) {
			return in, ErrWords
		}
		if !slices.Contains(words, n) {
			words = append(words, n)
		}
	}
	in.Words = words
	if in.Kind == KindWatch && (len(words) == 0 || len(words) > MaxWords) {
		return in, ErrWords
	}
	var chans []Channel
	for _, c := range in.Channels {
		if !slices.Contains(Channels, c) {
			return in, ErrChannels
		}
		if !slices.Contains(chans, c) {
			chans = append(chans, c)
		}
	}
	if len(chans) == 0 {
		return in, ErrChannels
	}
	in.Channels = chans
	if slices.Contains(chans, ChannelSlack) {
		// An empty address keeps the saved one (it is never shown back).
		if in.SlackURL != "" || saved == nil || saved.SlackSealed == nil {
			if err := s.checkSlackURL(in.SlackURL); err != nil {
				return in, err
			}
		}
	} else {
		in.SlackURL = ""
	}
	if slices.Contains(chans, ChannelWebhook) {
		e, err := s.Store.GetWebhookEndpoint(ctx, store.GetWebhookEndpointParams{ID: in.WebhookID, WorkspaceID: workspaceID})
		if errors.Is(err, store.ErrNotFound) || (err == nil && !e.Enabled) {
			return in, ErrWebhook
		}
		if err != nil {
			return in, err
		}
	} else {
		in.WebhookID = 0
	}
	if in.TopicID != 0 {
		if _, err := s.Store.GetListenTopicName(ctx, store.GetListenTopicNameParams{ID: in.TopicID, WorkspaceID: workspaceID}); errors.Is(err, store.ErrNotFound) {
			return in, ErrTopic
		} else if err != nil {
			return in, err
		}
	}
	return in, nil
}

func slackAAD(workspaceID int64) string { return "alert-slack:" + strconv.FormatInt(workspaceID, 10) }

// slackColumns seals a new Slack address for the workspace, keeps the saved
// one when none was typed, and clears it when the rule does not use Slack.
func (s *Service) slackColumns(workspaceID int64, in Input, saved *store.ListenAlertRule) ([]byte, string) {
	switch {
	case !slices.Contains(in.Channels, ChannelSlack):
		return nil, ""
	case in.SlackURL == "" && saved != nil:
		return saved.SlackSealed, saved.SlackKeyID
	}
	return s.Keys.Seal([]byte(in.SlackURL), slackAAD(workspaceID))
}

// slackURL opens a rule's sealed Slack address.
func (s *Service) slackURL(r store.ListenAlertRule) (string, error) {
	if r.SlackSealed == nil {
		return "", errors.New("the rule has no Slack address any more")
	}
	raw, err := s.Keys.Open(r.SlackSealed, r.SlackKeyID, slackAAD(r.WorkspaceID))
	if err != nil {
		return "", fmt.Errorf("the Slack address cannot be read: %w", err)
	}
	return string(raw), nil
}

func ptr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func joinChannels(cs []Channel) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ",")
}

// Rules lists the workspace's rules.
func (s *Service) Rules(ctx context.Context, user store.User, workspaceID int64) ([]Rule, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead); err != nil {
		return nil, err
	}
	rows, err := s.Store.ListAlertRules(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]Rule, len(rows))
	for i, r := range rows {
		out[i] = view(r)
	}
	return out, nil
}

// Rule returns one rule of the workspace.
func (s *Service) Rule(ctx context.Context, user store.User, workspaceID, id int64) (Rule, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead); err != nil {
		return Rule{}, err
	}
	r, err := s.Store.GetAlertRule(ctx, store.GetAlertRuleParams{ID: id, WorkspaceID: workspaceID})
	if err != nil {
		return Rule{}, found(err)
	}
	return view(r), nil
}

func (s *Service) authorizeWrite(ctx context.Context, user store.User, workspaceID int64, crisis bool) error {
	_, role, err := s.Auth.Authorize(ctx, user, workspaceID, permRules)
	if err != nil {
		return err
	}
	if crisis && !role.Can(auth.Crisis) {
		return problem.Forbidden
	}
	return nil
}

// Create saves a new rule.
func (s *Service) Create(ctx context.Context, user store.User, workspaceID int64, in Input) (Rule, error) {
	if err := s.authorizeWrite(ctx, user, workspaceID, in.Crisis); err != nil {
		return Rule{}, err
	}
	in, err := s.check(ctx, workspaceID, in, nil)
	if err != nil {
		return Rule{}, err
	}
	if n, err := s.Store.CountAlertRules(ctx, workspaceID); err != nil {
		return Rule{}, err
	} else if n >= MaxRules {
		return Rule{}, ErrTooMany
	}
	now := s.now()
	sealed, keyID := s.slackColumns(workspaceID, in, nil)
	r, err := s.Store.CreateAlertRule(ctx, store.CreateAlertRuleParams{WorkspaceID: workspaceID, Name: in.Name, Kind: string(in.Kind),
		TopicID: ptr(in.TopicID), Factor: in.Factor, Weeks: int64(in.Weeks), MinCount: in.MinCount, Share: in.Share,
		Words: strings.Join(in.Words, "\n"), CooldownMinutes: int64(in.Cooldown / time.Minute), Channels: joinChannels(in.Channels),
		SlackSealed: sealed, SlackKeyID: keyID, WebhookID: ptr(in.WebhookID), Crisis: in.Crisis, Enabled: in.Enabled, CreatedBy: ptr(user.ID),
		CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return Rule{}, err
	}
	return view(r), nil
}

// Update replaces a rule's settings; its alerts stay.
func (s *Service) Update(ctx context.Context, user store.User, workspaceID, id int64, in Input) (Rule, error) {
	if err := s.authorizeWrite(ctx, user, workspaceID, in.Crisis); err != nil {
		return Rule{}, err
	}
	saved, err := s.Store.GetAlertRule(ctx, store.GetAlertRuleParams{ID: id, WorkspaceID: workspaceID})
	if err != nil {
		return Rule{}, found(err)
	}
	// Turning crisis off also needs the permission to turn it on.
	if saved.Crisis && !in.Crisis {
		if err := s.authorizeWrite(ctx, user, workspaceID, true); err != nil {
			return Rule{}, err
		}
	}
	in, err = s.check(ctx, workspaceID, in, &saved)
	if err != nil {
		return Rule{}, err
	}
	sealed, keyID := s.slackColumns(workspaceID, in, &saved)
	r, err := s.Store.UpdateAlertRule(ctx, store.UpdateAlertRuleParams{ID: id, WorkspaceID: workspaceID, Name: in.Name, Kind: string(in.Kind),
		TopicID: ptr(in.TopicID), Factor: in.Factor, Weeks: int64(in.Weeks), MinCount: in.MinCount, Share: in.Share,
		Words: strings.Join(in.Words, "\n"), CooldownMinutes: int64(in.Cooldown / time.Minute), Channels: joinChannels(in.Channels),
		SlackSealed: sealed, SlackKeyID: keyID, WebhookID: ptr(in.WebhookID), Crisis: in.Crisis, Enabled: in.Enabled, UpdatedAt: s.now()})
	if err != nil {
		return Rule{}, err
	}
	return view(r), nil
}

// Delete removes a rule and its alerts.
func (s *Service) Delete(ctx context.Context, user store.User, workspaceID, id int64) error {
	saved, err := s.Rule(ctx, user, workspaceID, id)
	if err != nil {
		return err
	}
	if err := s.authorizeWrite(ctx, user, workspaceID, saved.Crisis); err != nil {
		return err
	}
	return s.Store.DeleteAlertRule(ctx, store.DeleteAlertRuleParams{ID: id, WorkspaceID: workspaceID})
}

// Delivery is one attempt to deliver an alert on a channel.
type Delivery struct {
	Channel string    `json:"channel"`
	Attempt int64     `json:"attempt"`
	At      time.Time `json:"at"`
	Outcome string    `json:"outcome"`
	Error   string    `json:"error,omitempty"`
}

// Alert is an alert as members see it.
type Alert struct {
	ID             int64      `json:"id"`
	RuleID         int64      `json:"rule_id"`
	Kind           Kind       `json:"kind"`
	State          State      `json:"state"`
	Title          string     `json:"title"`
	Hour           time.Time  `json:"hour"`
	Value          int64      `json:"value"`
	Peak           int64      `json:"peak"`
	Baseline       float64    `json:"baseline"`
	Terms          []string   `json:"terms"`
	OpenedAt       time.Time  `json:"opened_at"`
	LastFiredAt    time.Time  `json:"last_fired_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
	Deliveries     []Delivery `json:"deliveries"`
}

func alertView(a store.ListenAlert, kind Kind) Alert {
	v := Alert{ID: a.ID, RuleID: a.RuleID, Kind: kind, State: State(a.State), Title: a.Title, Hour: a.Hour, Value: a.Value,
		Peak: a.Peak, Baseline: a.Baseline, Terms: splitList(a.Terms), OpenedAt: a.OpenedAt, LastFiredAt: a.LastFiredAt,
		AcknowledgedAt: a.AcknowledgedAt, ClosedAt: a.ClosedAt, Deliveries: []Delivery{}}
	if v.Terms == nil {
		v.Terms = []string{}
	}
	return v
}

// Describe says in lang what fired.
func (a Alert) Describe(lang string) string {
	switch a.Kind {
	case KindVolume:
		return i18n.T(lang, "%d mentions this hour, against %s usually at this hour.", a.Value, fmt.Sprintf("%.1f", a.Baseline))
	case KindNegative:
		return i18n.T(lang, "%d negative mentions this hour (%s of the hour).", a.Value, fmt.Sprintf("%.0f %%", a.Baseline*100))
	case KindWatch:
		return i18n.T(lang, "%d mentions of the watch words this hour: %s.", a.Value, strings.Join(a.Terms, ", "))
	case KindNewTerm:
		return i18n.T(lang, "Rising terms: %s.", strings.Join(a.Terms, ", "))
	}
	return ""
}

// Alerts lists the workspace's latest alerts, newest first, with their
// deliveries.
func (s *Service) Alerts(ctx context.Context, user store.User, workspaceID int64) ([]Alert, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead); err != nil {
		return nil, err
	}
	rows, err := s.Store.ListAlerts(ctx, store.ListAlertsParams{WorkspaceID: workspaceID, MaxRows: MaxListed})
	if err != nil {
		return nil, err
	}
	return s.withDeliveries(ctx, workspaceID, rows)
}

func (s *Service) withDeliveries(ctx context.Context, workspaceID int64, rows []store.ListenAlert) ([]Alert, error) {
	out := make([]Alert, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	rules, err := s.Store.ListAlertRules(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	kinds := map[int64]Kind{}
	for _, r := range rules {
		kinds[r.ID] = Kind(r.Kind)
	}
	ids := make([]int64, len(rows))
	index := map[int64]int{}
	for i, a := range rows {
		out[i] = alertView(a, kinds[a.RuleID])
		ids[i] = a.ID
		index[a.ID] = i
	}
	ds, err := s.Store.ListAlertDeliveries(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		i := index[d.AlertID]
		out[i].Deliveries = append(out[i].Deliveries, Delivery{Channel: d.Channel, Attempt: d.Attempt, At: d.At, Outcome: d.Outcome, Error: d.Error})
	}
	return out, nil
}

// Get returns one alert of the workspace.
func (s *Service) Get(ctx context.Context, user store.User, workspaceID, id int64) (Alert, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead); err != nil {
		return Alert{}, err
	}
	a, err := s.Store.GetAlert(ctx, store.GetAlertParams{ID: id, WorkspaceID: workspaceID})
	if err != nil {
		return Alert{}, found(err)
	}
	list, err := s.withDeliveries(ctx, workspaceID, []store.ListenAlert{a})
	if err != nil {
		return Alert{}, err
	}
	return list[0], nil
}

// Acknowledge marks an open alert seen: it stays active (the storm goes on
// updating it, nothing is sent again) until its rule's cooldown closes it.
func (s *Service) Acknowledge(ctx context.Context, user store.User, workspaceID, id int64) (Alert, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permHandle); err != nil {
		return Alert{}, err
	}
	a, err := s.Store.GetAlert(ctx, store.GetAlertParams{ID: id, WorkspaceID: workspaceID})
	if err != nil {
		return Alert{}, found(err)
	}
	if State(a.State) != StateOpen {
		return Alert{}, ErrNotActive
	}
	now := s.now()
	if err := s.Store.AcknowledgeAlert(ctx, store.AcknowledgeAlertParams{ID: id, WorkspaceID: workspaceID, AcknowledgedAt: &now, AcknowledgedBy: &user.ID}); err != nil {
		return Alert{}, err
	}
	return s.Get(ctx, user, workspaceID, id)
}

// Close ends an alert now: its rule is re-armed, so a storm still going on
// raises a new alert at the next evaluation.
func (s *Service) Close(ctx context.Context, user store.User, workspaceID, id int64) (Alert, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permHandle); err != nil {
		return Alert{}, err
	}
	a, err := s.Store.GetAlert(ctx, store.GetAlertParams{ID: id, WorkspaceID: workspaceID})
	if err != nil {
		return Alert{}, found(err)
	}
	if a.ClosedAt != nil {
		return Alert{}, ErrNotActive
	}
	now := s.now()
	if err := s.Store.CloseAlert(ctx, store.CloseAlertParams{ID: id, WorkspaceID: workspaceID, ClosedAt: &now}); err != nil {
		return Alert{}, err
	}
	return s.Get(ctx, user, workspaceID, id)
}

// Choice is a topic or webhook a rule may name.
type Choice struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Choices are what the rule form offers: the workspace's topics, and its
// enabled webhooks to those who may edit rules (an endpoint's address is
// for them only). CanEdit says whether the user may save rules, CanCrisis
// whether they may ask for crisis mode.
type Choices struct {
	Topics    []Choice
	Webhooks  []Choice
	CanEdit   bool
	CanCrisis bool
	CanHandle bool
}

// FormChoices returns the Choices of the workspace for user.
func (s *Service) FormChoices(ctx context.Context, user store.User, workspaceID int64) (Choices, error) {
	_, role, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return Choices{}, err
	}
	c := Choices{CanEdit: role.Can(permRules), CanCrisis: role.Can(permRules) && role.Can(auth.Crisis), CanHandle: role.Can(permHandle)}
	topics, err := s.Store.ListAlertTopics(ctx, workspaceID)
	if err != nil {
		return c, err
	}
	for _, t := range topics {
		c.Topics = append(c.Topics, Choice{ID: t.ID, Name: t.Name})
	}
	if c.CanEdit {
		eps, err := s.Store.ListEnabledWebhookEndpoints(ctx, workspaceID)
		if err != nil {
			return c, err
		}
		for _, e := range eps {
			c.Webhooks = append(c.Webhooks, Choice{ID: e.ID, Name: e.URL})
		}
	}
	return c, nil
}
