package ui

import (
	"errors"
	"net/http"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// webhooksData is what the Webhooks pages show.
type webhooksData struct {
	WS       store.Workspace
	List     []webhooks.Endpoint
	Endpoint webhooks.Endpoint // the detail page's
	Log      []store.WebhookDelivery
	Fresh    string // a secret just made, shown once
	Tested   bool
	Err      *problem.Error
	Form     webhooks.Input // what was typed, kept when refused
}

func webhookInput(r *http.Request) webhooks.Input {
	in := webhooks.Input{URL: r.FormValue("url"), Enabled: r.FormValue("enabled") != "0"}
	for _, e := range r.Form["events"] {
		in.Events = append(in.Events, webhooks.EventType(e))
	}
	return in
}

// refused returns err when it refuses what was typed (a bad address or
// events, too many endpoints), to show it in the form with the input kept;
// nil for any other error.
func refused(err error) *problem.Error {
	var pe *problem.Error
	if errors.As(err, &pe) && (pe.Status == http.StatusUnprocessableEntity || pe.Status == http.StatusConflict) {
		return pe
	}
	return nil
}

func (u *ui) renderWebhooks(w http.ResponseWriter, r *http.Request, d webhooksData) error {
	list, err := u.Webhooks.List(r.Context(), currentUser(r), d.WS.ID)
	if err != nil {
		return err
	}
	d.List = list
	if d.Err != nil {
		w.WriteHeader(d.Err.Status)
	}
	return u.render(w, r, u.pageData(r, &d.WS, u.loc(r).T("Webhooks"), "settings"), webhooksPage(u.loc(r), d, userLoc(currentUser(r).Timezone)))
}

func (u *ui) webhooksPage(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.ManageTeam)
	if err != nil {
		return err
	}
	return u.renderWebhooks(w, r, webhooksData{WS: ws, Form: webhooks.Input{Events: webhooks.EventTypes()}})
}

func (u *ui) createWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, _, err := u.workspace(r, auth.ManageTeam)
	if err != nil {
		return err
	}
	in := webhookInput(r)
	in.Enabled = true
	_, sec, err := u.Webhooks.Create(r.Context(), currentUser(r), ws.ID, in)
	if pe := refused(err); pe != nil {
		return u.renderWebhooks(w, r, webhooksData{WS: ws, Err: pe, Form: in})
	}
	if err != nil {
		return err
	}
	return u.renderWebhooks(w, r, webhooksData{WS: ws, Fresh: sec, Form: webhooks.Input{Events: webhooks.EventTypes()}})
}

func (u *ui) renderWebhook(w http.ResponseWriter, r *http.Request, d webhooksData, id int64) error {
	ctx, user := r.Context(), currentUser(r)
	ep, err := u.Webhooks.Get(ctx, user, d.WS.ID, id)
	if err != nil {
		return err
	}
	log, err := u.Webhooks.Deliveries(ctx, user, d.WS.ID, id)
	if err != nil {
		return err
	}
	d.Endpoint, d.Log = ep, log
	if d.Err == nil {
		d.Form = webhooks.Input{URL: ep.URL, Events: ep.Events, Enabled: ep.Enabled}
	} else {
		w.WriteHeader(d.Err.Status)
	}
	return u.render(w, r, u.pageData(r, &d.WS, u.loc(r).T("Webhook"), "settings"), webhookPage(u.loc(r), d, userLoc(user.Timezone)))
}

func (u *ui) webhookDetail(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.ManageTeam)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return u.renderWebhook(w, r, webhooksData{WS: ws, Tested: r.URL.Query().Get("tested") == "1"}, id)
}

func (u *ui) updateWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, _, err := u.workspace(r, auth.ManageTeam)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := webhookInput(r)
	_, err = u.Webhooks.Update(r.Context(), currentUser(r), ws.ID, id, in)
	if pe := refused(err); pe != nil {
		return u.renderWebhook(w, r, webhooksData{WS: ws, Err: pe, Form: in}, id)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/webhooks/"+itoa(id))
}

func (u *ui) rotateWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.ManageTeam)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sec, err := u.Webhooks.RotateSecret(r.Context(), currentUser(r), ws.ID, id)
	if err != nil {
		return err
	}
	return u.renderWebhook(w, r, webhooksData{WS: ws, Fresh: sec}, id)
}

func (u *ui) testWebhook(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.ManageTeam)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := u.Webhooks.SendTest(r.Context(), currentUser(r), ws.ID, id); err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/webhooks/"+itoa(id)+"?tested=1")
}

func (u *ui) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.ManageTeam)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := u.Webhooks.Delete(r.Context(), currentUser(r), ws.ID, id); err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/webhooks")
}
