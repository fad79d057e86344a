package ui

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// The inbox's first-response target (settings) and the response-time
// report (page and CSV). Reading takes View; saving the settings takes
// ManageTeam, checked by the service.

type inboxSLAData struct {
	WS      store.Workspace
	CanEdit bool
	SLA     inbox.SLASettings
	// ReplyApproval: contributors' replies wait for approval.
	ReplyApproval bool
	// Err says why the settings in the form were refused; the form shows
	// them as typed.
	Err *problem.Error
	// OpenTyped and CloseTyped are the hours as typed when refused (a
	// "25:00" has no minute count to show it back from).
	OpenTyped, CloseTyped string
}

// clockField is the value of an hour field: as typed when the form was
// refused, else the saved minute count as HH:MM.
func clockField(typed string, m int) string {
	if typed != "" {
		return typed
	}
	return hhmmOf(m)
}

func (u *ui) inboxSLAPage(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	c, err := u.Inbox.SLA(r.Context(), currentUser(r), ws.ID)
	if err != nil {
		return err
	}
	return u.renderInboxSLA(w, r, inboxSLAData{WS: ws, CanEdit: role.Can(auth.ManageTeam), SLA: c})
}

// renderInboxSLA draws the settings page around d's form, answering a
// refusal with its status.
func (u *ui) renderInboxSLA(w http.ResponseWriter, r *http.Request, d inboxSLAData) error {
	approval, err := u.Inbox.ReplyApproval(r.Context(), currentUser(r), d.WS.ID)
	if err != nil {
		return err
	}
	d.ReplyApproval = approval
	if d.Err != nil {
		w.WriteHeader(d.Err.Status)
	}
	return u.render(w, r, u.pageData(r, &d.WS, u.loc(r).T("Response target"), "inbox"), inboxSLAPage(u.loc(r), d))
}

// formClock reads an HH:MM field as minutes after midnight; "24:00" is the
// end of the day. A bad value gives -1, which the service refuses.
func formClock(v string) int {
	if v == "24:00" {
		return 24 * 60
	}
	t, err := time.Parse("15:04", v)
	if err != nil {
		return -1
	}
	return t.Hour()*60 + t.Minute()
}

func (u *ui) saveInboxSLA(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	c := inbox.SLASettings{Enabled: r.FormValue("enabled") == "1", FrenchHolidays: r.FormValue("french_holidays") == "1",
		Open: formClock(r.FormValue("open")), Close: formClock(r.FormValue("close"))}
	hours, _ := strconv.ParseFloat(r.FormValue("target_hours"), 64)
	// Rounded: 2.05 h is 123 minutes, not the 122.99… a float gives.
	c.Target = time.Duration(math.Round(hours*60)) * time.Minute
	for _, d := range r.Form["day"] {
		if n, err := strconv.Atoi(d); err == nil && n >= 0 && n <= 6 {
			c.Days[n] = true
		}
	}
	err = u.Inbox.SetSLA(r.Context(), currentUser(r), ws.ID, c)
	if pe := refused(err); pe != nil {
		// The time zone is the workspace's, not a field of the form.
		saved, serr := u.Inbox.SLA(r.Context(), currentUser(r), ws.ID)
		if serr != nil {
			return serr
		}
		c.Timezone = saved.Timezone
		return u.renderInboxSLA(w, r, inboxSLAData{WS: ws, CanEdit: role.Can(auth.ManageTeam), SLA: c, Err: pe,
			OpenTyped: r.FormValue("open"), CloseTyped: r.FormValue("close")})
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Response target saved"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/inbox/sla")
}

type inboxReportData struct {
	WS       store.Workspace
	From, To string
	Report   inbox.Report
	CSVURL   string
	// Corrections are the hand corrections of sentiment over the period.
	Corrections inbox.SentimentCorrections
}

// reportRange reads from and to (YYYY-MM-DD); absent or bad dates are left
// zero for the service's default (the last 30 days).
func reportRange(r *http.Request) (time.Time, time.Time) {
	from, _ := time.Parse(time.DateOnly, r.URL.Query().Get("from"))
	to, _ := time.Parse(time.DateOnly, r.URL.Query().Get("to"))
	return from, to
}

func (u *ui) inboxReportPage(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	from, to := reportRange(r)
	rep, err := u.Inbox.ResponseReport(r.Context(), currentUser(r), ws.ID, from, to)
	if err != nil {
		return err
	}
	d := inboxReportData{WS: ws, Report: rep, From: rep.Since.Format(time.DateOnly), To: rep.Until.AddDate(0, 0, -1).Format(time.DateOnly)}
	if d.Corrections, err = u.Inbox.SentimentCorrections(r.Context(), currentUser(r), ws.ID, rep.Since, rep.Until); err != nil {
		return err
	}
	d.CSVURL = "/w/" + itoa(ws.ID) + "/inbox/report.csv?from=" + d.From + "&to=" + d.To
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Response times"), "inbox"), inboxReportPage(u.loc(r), d))
}

func (u *ui) inboxReportCSV(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	from, to := reportRange(r)
	rep, err := u.Inbox.ResponseReport(r.Context(), currentUser(r), ws.ID, from, to)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := inbox.WriteReportCSV(&buf, rep); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tribune-response-times.csv"`)
	_, err = w.Write(buf.Bytes())
	return err
}

func (u *ui) inboxResponded(w http.ResponseWriter, r *http.Request) error {
	ws, it, err := u.inboxItem(r)
	if err != nil {
		return err
	}
	if err := u.Inbox.MarkResponded(r.Context(), currentUser(r), it.ID); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Marked as answered"))
	return redirect(w, r, itemAnchor(ws, it))
}

// businessDuration shows a business time as "2 h 05", "45 min" or "—".
func businessDuration(d time.Duration, handled int) string {
	if handled == 0 {
		return "—"
	}
	d = d.Round(time.Minute)
	if d < time.Hour {
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	return fmt.Sprintf("%d h %02d", int(d.Hours()), int(d.Minutes())%60)
}

func hhmmOf(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func targetHours(d time.Duration) string { return strconv.FormatFloat(d.Hours(), 'f', -1, 64) }

// inboxOverdue reads the items past the response target for the list, and
// with ?sla=past replaces the page with them (newest first, one page; the
// other filters do not apply to this view).
func (u *ui) inboxOverdue(r *http.Request, user store.User, wsID int64, page *inbox.Page) (inbox.Overdue, bool, error) {
	if r.URL.Query().Get("sla") != "past" {
		o, err := u.Inbox.Overdue(r.Context(), user, wsID)
		return o, false, err
	}
	items, o, err := u.Inbox.OverdueItems(r.Context(), user, wsID)
	if err != nil {
		return o, false, err
	}
	*page = inbox.Page{Items: items}
	return o, true, nil
}
