package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/listen/signals"
)

const alertRulesDoc = "kind: volume (this hour's mentions ≥ factor × the mean of the same hour of the previous `weeks` weeks, and ≥ min_count), " +
	"negative (the hour's negative share ≥ share, with ≥ min_count negative mentions), watch (≥ min_count mentions of the words this hour), " +
	"new_term (a term rising in the last hour: ≥ min_count mentions, ≥ factor × its baseline; see docs/listening.md). " +
	"One storm is one alert: while the rule keeps firing the open alert is updated and nothing is sent again; once the rule has been " +
	"quiet for cooldown_minutes the alert is closed and the rule re-armed. channels: inapp, email, slack (slack_url, an incoming webhook), " +
	"webhook (webhook_id, the signed event listen.alert). crisis: switch the brand to crisis mode on firing (needs the crisis permission)."

// listenAlertRoutes are the weak signals, alert rules and alerts of a
// workspace's listening (issue 15 §4–5); the services check permissions.
func (s *server) listenAlertRoutes(a huma.API) {
	huma.Register(a, op("listen-signals", http.MethodGet, "/v1/workspaces/{ws}/listen/signals", "Rising terms and hashtags (weak signals) with the posts that carry them", "listening"), s.listenSignals)
	list := op("list-alert-rules", http.MethodGet, "/v1/workspaces/{ws}/listen/alert-rules", "The workspace's alert rules", "listening")
	list.Description = alertRulesDoc
	huma.Register(a, list, s.listAlertRules)
	huma.Register(a, created(op("create-alert-rule", http.MethodPost, "/v1/workspaces/{ws}/listen/alert-rules", "Create an alert rule", "listening")), s.createAlertRule)
	huma.Register(a, op("test-alert-rule", http.MethodPost, "/v1/workspaces/{ws}/listen/alert-rules/test", "When a rule would have fired over the last 30 days, one storm per alert", "listening"), s.testAlertRule)
	huma.Register(a, op("get-alert-rule", http.MethodGet, "/v1/workspaces/{ws}/listen/alert-rules/{id}", "One alert rule", "listening"), s.getAlertRule)
	huma.Register(a, op("update-alert-rule", http.MethodPut, "/v1/workspaces/{ws}/listen/alert-rules/{id}", "Replace an alert rule's settings (an empty slack_url keeps the saved one)", "listening"), s.updateAlertRule)
	huma.Register(a, noContent(op("delete-alert-rule", http.MethodDelete, "/v1/workspaces/{ws}/listen/alert-rules/{id}", "Delete an alert rule and its alerts", "listening")), s.deleteAlertRule)
	huma.Register(a, op("list-alerts", http.MethodGet, "/v1/workspaces/{ws}/listen/alerts", "The latest alerts, newest first, with their delivery attempts", "listening"), s.listAlerts)
	huma.Register(a, op("get-alert", http.MethodGet, "/v1/workspaces/{ws}/listen/alerts/{id}", "One alert with its delivery attempts", "listening"), s.getAlert)
	huma.Register(a, op("acknowledge-alert", http.MethodPost, "/v1/workspaces/{ws}/listen/alerts/{id}/acknowledge", "Mark an open alert seen; it keeps grouping its storm until the cooldown closes it", "listening"), s.acknowledgeAlert)
	huma.Register(a, op("close-alert", http.MethodPost, "/v1/workspaces/{ws}/listen/alerts/{id}/close", "Close an alert now; its rule is re-armed", "listening"), s.closeAlert)
}

type signalsIn struct {
	WS      int64  `path:"ws" doc:"Workspace id"`
	TopicID int64  `query:"topic_id" doc:"One topic; every topic when absent"`
	Window  string `query:"window" enum:"1h,6h" default:"1h" doc:"The window compared with the same window of the previous 7 days"`
}

func (s *server) listenSignals(ctx context.Context, in *signalsIn) (*body[[]signals.Signal], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	w := time.Hour
	if in.Window == "6h" {
		w = 6 * time.Hour
	}
	list, err := s.Signals.Rising(ctx, u, in.WS, signals.Filter{TopicID: in.TopicID, Window: w})
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[[]signals.Signal]{Body: list}, nil
}

// AlertRuleIn is what a member sets on an alert rule.
type AlertRuleIn struct {
	Name            string   `json:"name" maxLength:"120"`
	Kind            string   `json:"kind" enum:"volume,negative,watch,new_term"`
	TopicID         int64    `json:"topic_id,omitempty" doc:"One topic; every topic when absent"`
	Factor          float64  `json:"factor,omitempty" doc:"volume: times the baseline; new_term: minimum rate against baseline. Default 3"`
	Weeks           int      `json:"weeks,omitempty" doc:"volume: previous weeks in the baseline (1–8). Default 4"`
	MinCount        int64    `json:"min_count,omitempty" doc:"Nothing fires below it. Default 20 (watch 1, new_term 5)"`
	Share           float64  `json:"share,omitempty" doc:"negative: share of negative mentions, 0.01–1. Default 0.4"`
	Words           []string `json:"words,omitempty" maxItems:"50" doc:"watch: words and #hashtags"`
	CooldownMinutes int64    `json:"cooldown_minutes,omitempty" doc:"Quiet time that closes an alert, 15–10080. Default 360"`
	Channels        []string `json:"channels,omitempty" doc:"inapp, email, slack, webhook. Default inapp"`
	SlackURL        string   `json:"slack_url,omitempty" maxLength:"2000" doc:"Slack incoming webhook (https://hooks.slack.com/services/…); never shown back whole"`
	WebhookID       int64    `json:"webhook_id,omitempty" doc:"The workspace webhook that receives listen.alert"`
	Crisis          bool     `json:"crisis,omitempty" doc:"Switch the brand to crisis mode when it fires"`
	Enabled         *bool    `json:"enabled,omitempty" doc:"Default true"`
}

func (b AlertRuleIn) input() alerts.Input {
	in := alerts.Input{Name: b.Name, Kind: alerts.Kind(b.Kind), TopicID: b.TopicID, Factor: b.Factor, Weeks: b.Weeks, MinCount: b.MinCount,
		Share: b.Share, Words: b.Words, Cooldown: time.Duration(b.CooldownMinutes) * time.Minute, SlackURL: b.SlackURL,
		WebhookID: b.WebhookID, Crisis: b.Crisis, Enabled: b.Enabled == nil || *b.Enabled}
	for _, c := range b.Channels {
		in.Channels = append(in.Channels, alerts.Channel(c))
	}
	return in
}

// AlertRuleOut is an alert rule.
type AlertRuleOut struct {
	alerts.Rule
	CooldownMinutes int64 `json:"cooldown_minutes"`
}

func toAlertRule(r alerts.Rule) AlertRuleOut {
	return AlertRuleOut{Rule: r, CooldownMinutes: int64(r.Cooldown / time.Minute)}
}

type alertRulePath struct {
	WS int64 `path:"ws" doc:"Workspace id"`
	ID int64 `path:"id" doc:"Alert rule id"`
}

type alertPath struct {
	WS int64 `path:"ws" doc:"Workspace id"`
	ID int64 `path:"id" doc:"Alert id"`
}

type alertRuleCreateIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body AlertRuleIn
}

type alertRuleUpdateIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	ID   int64 `path:"id" doc:"Alert rule id"`
	Body AlertRuleIn
}

func (s *server) listAlertRules(ctx context.Context, in *wsPath) (*body[[]AlertRuleOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	list, err := s.Alerts.Rules(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	out := &body[[]AlertRuleOut]{Body: []AlertRuleOut{}}
	for _, r := range list {
		out.Body = append(out.Body, toAlertRule(r))
	}
	return out, nil
}

func (s *server) createAlertRule(ctx context.Context, in *alertRuleCreateIn) (*body[AlertRuleOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	r, err := s.Alerts.Create(ctx, u, in.WS, in.Body.input())
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[AlertRuleOut]{toAlertRule(r)}, nil
}

func (s *server) testAlertRule(ctx context.Context, in *alertRuleCreateIn) (*body[[]alerts.Storm], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	storms, err := s.Alerts.Backtest(ctx, u, in.WS, in.Body.input())
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[[]alerts.Storm]{storms}, nil
}

func (s *server) getAlertRule(ctx context.Context, in *alertRulePath) (*body[AlertRuleOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	r, err := s.Alerts.Rule(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[AlertRuleOut]{toAlertRule(r)}, nil
}

func (s *server) updateAlertRule(ctx context.Context, in *alertRuleUpdateIn) (*body[AlertRuleOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	r, err := s.Alerts.Update(ctx, u, in.WS, in.ID, in.Body.input())
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[AlertRuleOut]{toAlertRule(r)}, nil
}

func (s *server) deleteAlertRule(ctx context.Context, in *alertRulePath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	if err := s.Alerts.Delete(ctx, u, in.WS, in.ID); err != nil {
		return nil, s.fail(err)
	}
	return nil, nil
}

func (s *server) listAlerts(ctx context.Context, in *wsPath) (*body[[]alerts.Alert], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	list, err := s.Alerts.Alerts(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[[]alerts.Alert]{list}, nil
}

func (s *server) getAlert(ctx context.Context, in *alertPath) (*body[alerts.Alert], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	a, err := s.Alerts.Get(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[alerts.Alert]{a}, nil
}

func (s *server) acknowledgeAlert(ctx context.Context, in *alertPath) (*body[alerts.Alert], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	a, err := s.Alerts.Acknowledge(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[alerts.Alert]{a}, nil
}

func (s *server) closeAlert(ctx context.Context, in *alertPath) (*body[alerts.Alert], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	a, err := s.Alerts.Close(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[alerts.Alert]{a}, nil
}
