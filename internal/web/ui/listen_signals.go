package ui

import (
	"net/http"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/listen/signals"
	"github.com/tribune-social/tribune/internal/store"
)

// The weak signals page: terms and hashtags rising in the last hour (or 6
// hours) against the same window of the previous days, with the posts
// that carry them.

type signalsData struct {
	WS      store.Workspace
	Signals []signals.Signal
	Topics  []alerts.Choice
	TopicID int64
	Window  string
	Params  signals.Params
}

func (u *ui) signalsPage(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	ctx, user := r.Context(), currentUser(r)
	d := signalsData{WS: ws, TopicID: alertFormInt(r, "topic"), Window: r.URL.Query().Get("window")}
	win := time.Hour
	if d.Window == "6h" {
		win = 6 * time.Hour
	} else {
		d.Window = "1h"
	}
	d.Params = signals.DefaultParams(win)
	if d.Signals, err = u.Signals.Rising(ctx, user, ws.ID, signals.Filter{TopicID: d.TopicID, Window: win}); err != nil {
		return err
	}
	choices, err := u.Alerts.FormChoices(ctx, user, ws.ID)
	if err != nil {
		return err
	}
	d.Topics = choices.Topics
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Weak signals"), listenNav), signalsPage(u.loc(r), d, userLoc(user.Timezone)))
}
