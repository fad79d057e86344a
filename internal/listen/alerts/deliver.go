package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// DeliverArgs is the job that delivers one alert on one channel (to one
// member, for e-mail).
type DeliverArgs struct {
	AlertID     int64   `json:"alert_id"`
	WorkspaceID int64   `json:"workspace_id"`
	Channel     Channel `json:"channel"`
	UserID      int64   `json:"user_id,omitempty"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "listen_alert_deliver" }

// DeliverAttempts bounds the attempts of one delivery (River's backoff
// spreads them over about a day).
const DeliverAttempts = 10

// InsertOpts implements river.JobArgsWithInsertOpts.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "notify", MaxAttempts: DeliverAttempts}
}

// Payload is the data of the listen.alert webhook event.
type Payload struct {
	ID          int64     `json:"id"`
	RuleID      int64     `json:"rule_id"`
	Rule        string    `json:"rule"`
	Kind        Kind      `json:"kind"`
	State       State     `json:"state"`
	Hour        time.Time `json:"hour"`
	Value       int64     `json:"value"`
	Baseline    float64   `json:"baseline"`
	Terms       []string  `json:"terms"`
	OpenedAt    time.Time `json:"opened_at"`
	URL         string    `json:"url"`
	Description string    `json:"description"`
}

func (s *Service) alertsURL(workspaceID int64) string {
	return fmt.Sprintf("%s/w/%d/listen/alerts", s.PublicURL, workspaceID)
}

// The in-app notification's texts, stored in English and translated when
// shown (notify.Sentences lists them).
const (
	notifyTitle = "Listening alert: %s"
	notifyBody  = "Open the alerts page to see it."
)

// dispatch delivers a new alert, in the transaction that opened it: the
// in-app notifications at once, the other channels as jobs.
func (s *Service) dispatch(ctx context.Context, tx store.Tx, r store.ListenAlertRule, a store.ListenAlert) error {
	now := s.now()
	rec := func(ch Channel, outcome, msg string) error {
		return tx.AddAlertDelivery(ctx, store.AddAlertDeliveryParams{AlertID: a.ID, WorkspaceID: a.WorkspaceID, Channel: string(ch),
			Attempt: 1, At: now, Outcome: outcome, Error: msg})
	}
	chans := view(r).Channels
	// In-app and e-mail go to whoever may read the workspace's listening
	// (permRead, what the alerts page checks), an organisation owner
	// without a membership row too: auth.WhoMay answers as Authorize does.
	var members []store.User
	if slices.Contains(chans, ChannelInApp) || slices.Contains(chans, ChannelEmail) {
		var err error
		if members, err = s.Auth.WhoMay(ctx, r.WorkspaceID, permRead); err != nil {
			return err
		}
	}
	for _, ch := range chans {
		switch ch {
		case ChannelInApp:
			for _, m := range members {
				if err := tx.AddNotification(ctx, store.AddNotificationParams{UserID: m.ID, WorkspaceID: r.WorkspaceID, Kind: NotifyAlert,
					Title: fmt.Sprintf(notifyTitle, r.Name), Body: notifyBody, CreatedAt: now}); err != nil {
					return err
				}
			}
			if err := rec(ch, OutcomeDelivered, ""); err != nil {
				return err
			}
		case ChannelEmail:
			if s.SMTP.Host == "" {
				if err := rec(ch, OutcomeFailed, "E-mail is not configured on this server."); err != nil {
					return err
				}
				continue
			}
			for _, m := range members {
				if _, err := tx.InsertJob(ctx, DeliverArgs{AlertID: a.ID, WorkspaceID: a.WorkspaceID, Channel: ch, UserID: m.ID}, nil); err != nil {
					return err
				}
			}
		case ChannelSlack:
			if _, err := tx.InsertJob(ctx, DeliverArgs{AlertID: a.ID, WorkspaceID: a.WorkspaceID, Channel: ch}, nil); err != nil {
				return err
			}
		case ChannelWebhook:
			if s.Webhooks == nil || r.WebhookID == nil {
				if err := rec(ch, OutcomeFailed, webhooks.ErrEndpointGone.Message); err != nil {
					return err
				}
				continue
			}
			id, err := s.Webhooks.EmitTo(ctx, tx, r.WorkspaceID, *r.WebhookID, webhooks.ListenAlert, s.payload(r, a, "en"))
			switch {
			case errors.Is(err, webhooks.ErrEndpointGone):
				err = rec(ch, OutcomeFailed, webhooks.ErrEndpointGone.Message)
			case err == nil:
				// The webhooks' own log has the attempts of this event.
				err = rec(ch, OutcomeQueued, id)
			}
			if err != nil {
				return err
			}
		}
	}
	if r.Crisis {
		if _, err := tx.InsertJob(ctx, DeliverArgs{AlertID: a.ID, WorkspaceID: a.WorkspaceID, Channel: channelCrisis}, nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) payload(r store.ListenAlertRule, a store.ListenAlert, lang string) Payload {
	v := alertView(a, Kind(r.Kind))
	return Payload{ID: a.ID, RuleID: r.ID, Rule: r.Name, Kind: Kind(r.Kind), State: State(a.State), Hour: a.Hour, Value: a.Value,
		Baseline: a.Baseline, Terms: v.Terms, OpenedAt: a.OpenedAt, URL: s.alertsURL(a.WorkspaceID), Description: v.Describe(lang)}
}

// SlackMessage is what Tribune POSTs to a Slack incoming webhook: Slack
// shows text, with <url|label> as a link.
type SlackMessage struct {
	Text string `json:"text"`
}

// slackText is the Slack message of an alert, in lang.
func (s *Service) slackText(r store.ListenAlertRule, a store.ListenAlert, lang string) string {
	v := alertView(a, Kind(r.Kind))
	return fmt.Sprintf(":rotating_light: *%s* — %s\n<%s|%s>", slackEscape(i18n.T(lang, notifyTitle, r.Name)), slackEscape(v.Describe(lang)),
		s.alertsURL(a.WorkspaceID), i18n.T(lang, "Open in Tribune"))
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// errPermanent marks a delivery error retrying will not cure.
type errPermanent struct{ error }

// postSlack sends msg; a 2xx delivers, 429 and 5xx are retried, other
// answers (400 invalid_payload, 403 action_prohibited, 404
// channel_not_found, 410 channel_is_archived) are not.
func (s *Service) postSlack(ctx context.Context, url string, msg SlackMessage) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return errPermanent{err}
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return errPermanent{err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tribune")
	res, err := s.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode/100 == 2 {
		return nil
	}
	err = fmt.Errorf("Slack answered %d %s", res.StatusCode, strings.TrimSpace(string(answer)))
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 {
		return err
	}
	return errPermanent{err}
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	s, a := w.s, job.Args
	alert, err := s.Store.GetAlert(ctx, store.GetAlertParams{ID: a.AlertID, WorkspaceID: a.WorkspaceID})
	if errors.Is(err, store.ErrNotFound) {
		return nil // the rule and its alerts were deleted
	}
	if err != nil {
		return err
	}
	rule, err := s.Store.GetAlertRule(ctx, store.GetAlertRuleParams{ID: alert.RuleID, WorkspaceID: a.WorkspaceID})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	err = s.deliver(ctx, a, rule, alert)
	outcome, msg := OutcomeDelivered, ""
	var perm errPermanent
	switch {
	case err == nil:
	case errors.As(err, &perm) || job.Attempt >= job.MaxAttempts:
		outcome, msg = OutcomeFailed, err.Error()
	default:
		outcome, msg = OutcomeRetry, err.Error()
	}
	if rerr := s.Store.AddAlertDelivery(ctx, store.AddAlertDeliveryParams{AlertID: alert.ID, WorkspaceID: alert.WorkspaceID,
		Channel: string(a.Channel), Attempt: int64(job.Attempt), At: s.now(), Outcome: outcome, Error: msg}); rerr != nil {
		return errors.Join(err, rerr)
	}
	if errors.As(err, &perm) {
		return river.JobCancel(err)
	}
	return err
}

// ruleLang is the language of the messages no member reads in their own
// settings (Slack): the rule's author's, else French (Tribune's users).
func (s *Service) ruleLang(ctx context.Context, r store.ListenAlertRule) string {
	if r.CreatedBy != nil {
		if u, err := s.Store.GetUser(ctx, *r.CreatedBy); err == nil && u.Locale != "" {
			return u.Locale
		}
	}
	return "fr"
}

func (s *Service) deliver(ctx context.Context, a DeliverArgs, r store.ListenAlertRule, alert store.ListenAlert) error {
	switch a.Channel {
	case ChannelEmail:
		u, err := s.Store.GetUser(ctx, a.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return errPermanent{errors.New("the member was removed")}
		}
		if err != nil {
			return err
		}
		v := alertView(alert, Kind(r.Kind))
		return s.SMTP.Send(ctx, u.Email, "[Tribune] "+i18n.T(u.Locale, notifyTitle, r.Name),
			v.Describe(u.Locale)+"\n\n"+s.alertsURL(alert.WorkspaceID))
	case ChannelSlack:
		u, err := s.slackURL(r)
		if err != nil {
			return errPermanent{err}
		}
		if err := s.checkSlackURL(u); err != nil {
			return errPermanent{err}
		}
		return s.postSlack(ctx, u, SlackMessage{Text: s.slackText(r, alert, s.ruleLang(ctx, r))})
	case channelCrisis:
		if s.Crisis == nil {
			return errPermanent{errors.New("crisis mode is not available on this server")}
		}
		return s.Crisis.OpenFromAlert(ctx, alert.WorkspaceID, alert.ID, r.Name)
	}
	return errPermanent{fmt.Errorf("unknown channel %q", a.Channel)}
}
