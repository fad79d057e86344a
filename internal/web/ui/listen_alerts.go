package ui

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// The listening alerts page: the alert history (acknowledge, close), the
// rules (create, edit, enable, delete) and "test this rule" over the last
// 30 days. The alerts service checks who may do what.

// alertsData is what the alerts pages show.
type alertsData struct {
	WS      store.Workspace
	Alerts  []alerts.Alert
	Rules   []alerts.Rule
	Choices alerts.Choices
	// Form is the rule being written (kept when refused or tested); RuleID
	// is the rule it edits, 0 for a new one.
	Form   alerts.Input
	RuleID int64
	// SlackSet: the rule being edited has a Slack address (never shown).
	SlackSet bool
	Err      *problem.Error
	// Storms is the test's answer; Tested says the test ran.
	Storms []alerts.Storm
	Tested bool
}

func alertsURL(wsID int64) string { return "/w/" + itoa(wsID) + "/listen/alerts" }

func alertRuleURL(wsID, id int64) string {
	return "/w/" + itoa(wsID) + "/listen/alert-rules/" + itoa(id)
}

func alertFormInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.FormValue(name)), 10, 64)
	return n
}

func alertFormFloat(r *http.Request, name string) float64 {
	f, _ := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(r.FormValue(name)), ",", "."), 64)
	return f
}

// alertInput reads the rule form; an unreadable number is 0, which the
// service turns into the default or refuses.
func alertInput(r *http.Request) alerts.Input {
	in := alerts.Input{Name: r.FormValue("name"), Kind: alerts.Kind(r.FormValue("kind")), TopicID: alertFormInt(r, "topic"),
		Factor: alertFormFloat(r, "factor"), Weeks: int(alertFormInt(r, "weeks")), MinCount: alertFormInt(r, "min_count"),
		Share: alertFormFloat(r, "share_percent") / 100, Words: strings.FieldsFunc(r.FormValue("words"), func(c rune) bool { return c == '\n' || c == ',' }),
		Cooldown: time.Duration(alertFormInt(r, "cooldown_minutes")) * time.Minute, SlackURL: strings.TrimSpace(r.FormValue("slack_url")),
		WebhookID: alertFormInt(r, "webhook"), Crisis: r.FormValue("crisis") != "", Enabled: r.FormValue("enabled") != "0"}
	for _, c := range r.Form["channels"] {
		in.Channels = append(in.Channels, alerts.Channel(c))
	}
	return in
}

// ruleInput is the form of a saved rule.
func ruleInput(x alerts.Rule) alerts.Input {
	return alerts.Input{Name: x.Name, Kind: x.Kind, TopicID: x.TopicID, Factor: x.Factor, Weeks: x.Weeks, MinCount: x.MinCount,
		Share: x.Share, Words: x.Words, Cooldown: x.Cooldown, Channels: x.Channels, WebhookID: x.WebhookID, Crisis: x.Crisis, Enabled: x.Enabled}
}

func (u *ui) renderAlerts(w http.ResponseWriter, r *http.Request, d alertsData) error {
	ctx, user := r.Context(), currentUser(r)
	var err error
	if d.Choices, err = u.Alerts.FormChoices(ctx, user, d.WS.ID); err != nil {
		return err
	}
	if d.Alerts, err = u.Alerts.Alerts(ctx, user, d.WS.ID); err != nil {
		return err
	}
	if d.Rules, err = u.Alerts.Rules(ctx, user, d.WS.ID); err != nil {
		return err
	}
	if d.Err != nil {
		w.WriteHeader(d.Err.Status)
	}
	return u.render(w, r, u.pageData(r, &d.WS, u.loc(r).T("Alerts"), listenNav), alertsPage(u.loc(r), d, userLoc(user.Timezone)))
}

func (u *ui) alertsPage(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	return u.renderAlerts(w, r, alertsData{WS: ws, Form: alerts.Input{Kind: alerts.KindVolume, Enabled: true}.Defaults()})
}

func (u *ui) alertRulePage(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := u.Alerts.Rule(r.Context(), currentUser(r), ws.ID, id)
	if err != nil {
		return err
	}
	return u.renderAlerts(w, r, alertsData{WS: ws, Form: ruleInput(x), RuleID: x.ID, SlackSet: x.Slack})
}

func (u *ui) createAlertRule(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	in := alertInput(r)
	x, err := u.Alerts.Create(r.Context(), currentUser(r), ws.ID, in)
	if pe := refused(err); pe != nil {
		return u.renderAlerts(w, r, alertsData{WS: ws, Err: pe, Form: in})
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Rule saved: %s", x.Name))
	return redirect(w, r, alertsURL(ws.ID))
}

func (u *ui) updateAlertRule(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := alertInput(r)
	x, err := u.Alerts.Update(r.Context(), currentUser(r), ws.ID, id, in)
	if pe := refused(err); pe != nil {
		return u.renderAlerts(w, r, alertsData{WS: ws, Err: pe, Form: in, RuleID: id})
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Rule saved: %s", x.Name))
	return redirect(w, r, alertsURL(ws.ID))
}

func (u *ui) deleteAlertRule(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := u.Alerts.Delete(r.Context(), currentUser(r), ws.ID, id); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Rule deleted."))
	return redirect(w, r, alertsURL(ws.ID))
}

// testAlertRule shows when the rule in the form would have fired over the
// last 30 days, the form kept as typed.
func (u *ui) testAlertRule(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	in := alertInput(r)
	d := alertsData{WS: ws, Form: in, RuleID: alertFormInt(r, "rule")}
	if d.RuleID != 0 {
		// The rule named must be one of this workspace's.
		if _, err := u.Alerts.Rule(r.Context(), currentUser(r), ws.ID, d.RuleID); err != nil {
			return err
		}
	}
	storms, err := u.Alerts.Backtest(r.Context(), currentUser(r), ws.ID, in)
	if pe := refused(err); pe != nil {
		d.Err = pe
		return u.renderAlerts(w, r, d)
	}
	if err != nil {
		return err
	}
	d.Storms, d.Tested = storms, true
	return u.renderAlerts(w, r, d)
}

func (u *ui) acknowledgeAlert(w http.ResponseWriter, r *http.Request) error {
	return u.handleAlert(w, r, u.Alerts.Acknowledge)
}

func (u *ui) closeAlert(w http.ResponseWriter, r *http.Request) error {
	return u.handleAlert(w, r, u.Alerts.Close)
}

func (u *ui) handleAlert(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, user store.User, ws, id int64) (alerts.Alert, error)) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := do(r.Context(), currentUser(r), ws.ID, id); err != nil {
		if pe := refused(err); pe != nil {
			flash(w, pe.Localized(u.loc(r).Lang()))
			return redirect(w, r, alertsURL(ws.ID))
		}
		return err
	}
	return redirect(w, r, alertsURL(ws.ID))
}
