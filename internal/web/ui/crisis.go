package ui

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/store"
)

// The crisis cell's pages (issue 15 §6): /w/{ws}/crisis (the open incident
// or none, opening by hand, the playbook at a glance, past incidents, and
// the K1 switch), the playbook editor, an incident with its timeline and
// checklist, and the post-incident report (HTML and PDF). The crisis
// service checks every permission.

// crisisHome is what /w/{ws}/crisis shows.
type crisisHome struct {
	WS        store.Workspace
	Role      auth.Role
	Open      *crisis.Incident
	Playbook  []crisis.Scenario
	Incidents []store.CrisisIncident
	Held      []posts.VariantView
	Loc       *time.Location
}

func (u *ui) crisisHome(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	ctx, user := r.Context(), currentUser(r)
	d := crisisHome{WS: ws, Role: role, Loc: loadLoc(u.displayTZ(user, ws))}
	if inc, err := u.Crisis.Current(ctx, user, ws.ID); err == nil {
		d.Open = &inc
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if d.Playbook, err = u.Crisis.Playbook(ctx, user, ws.ID); err != nil {
		return err
	}
	if d.Incidents, err = u.Crisis.List(ctx, user, ws.ID); err != nil {
		return err
	}
	if d.Held, err = u.Posts.Held(ctx, user, ws.ID); err != nil {
		return err
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Crisis cell"), listenNav), crisisHomePage(u.loc(r), d))
}

func (u *ui) crisisOpen(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	sc, _ := strconv.ParseInt(r.FormValue("scenario_id"), 10, 64)
	inc, err := u.Crisis.Open(r.Context(), currentUser(r), ws.ID, crisis.OpenInput{Title: r.FormValue("title"), ScenarioID: sc})
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Crisis cell open: publishing is paused and the team is told."))
	return redirect(w, r, incidentURL(ws.ID, inc.ID))
}

func incidentURL(ws, id int64) string { return "/w/" + itoa(ws) + "/crisis/incidents/" + itoa(id) }

// incidentPage is what an incident's page shows.
type incidentPage struct {
	WS       store.Workspace
	Role     auth.Role
	Inc      crisis.Incident
	Playbook []crisis.Scenario
	Members  map[int64]string
	Held     []posts.VariantView
	Loc      *time.Location
}

// statements are the holding statements the incident's page offers: its
// scenario's, or every scenario's when it follows none.
func (d incidentPage) statements() []crisis.Statement {
	var out []crisis.Statement
	for _, sc := range d.Playbook {
		if d.Inc.ScenarioID == nil || *d.Inc.ScenarioID == sc.ID {
			out = append(out, sc.Statements...)
		}
	}
	return out
}

// published reports whether the statement went out during the incident.
func (d incidentPage) published(id int64) bool {
	return slices.ContainsFunc(d.Inc.Published, func(p store.CrisisStatementPost) bool { return p.StatementID == id })
}

func (u *ui) crisisIncident(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx, user := r.Context(), currentUser(r)
	inc, err := u.Crisis.Get(ctx, user, ws.ID, id)
	if err != nil {
		return err
	}
	d := incidentPage{WS: ws, Role: role, Inc: inc, Loc: loadLoc(u.displayTZ(user, ws)), Members: map[int64]string{}}
	if d.Playbook, err = u.Crisis.Playbook(ctx, user, ws.ID); err != nil {
		return err
	}
	if inc.Open() {
		if d.Held, err = u.Posts.Held(ctx, user, ws.ID); err != nil {
			return err
		}
	}
	return u.render(w, r, u.pageData(r, &ws, inc.Title, listenNav), incidentPageView(u.loc(r), d))
}

// crisisAct runs one action on an incident and comes back to its page.
func (u *ui) crisisAct(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx, user, l := r.Context(), currentUser(r), u.loc(r)
	switch r.PathValue("action") {
	case "note":
		err = u.Crisis.AddNote(ctx, user, ws.ID, id, r.FormValue("text"))
	case "check":
		item, _ := strconv.ParseInt(r.FormValue("item"), 10, 64)
		err = u.Crisis.Check(ctx, user, ws.ID, id, item, r.FormValue("done") == "1")
	case "scenario":
		sc, _ := strconv.ParseInt(r.FormValue("scenario_id"), 10, 64)
		err = u.Crisis.SetScenario(ctx, user, ws.ID, id, sc)
	case "close":
		var send []int64
		for _, s := range r.Form["send"] {
			if v, err := strconv.ParseInt(s, 10, 64); err == nil {
				send = append(send, v)
			}
		}
		if err = u.Crisis.Close(ctx, user, ws.ID, id, send); err == nil {
			flash(w, l.T("Incident closed: publishing resumed."))
		}
	default:
		return errPageNotFound
	}
	if err != nil {
		return err
	}
	return redirect(w, r, incidentURL(ws.ID, id))
}

// reportView is what the report page shows.
type reportView struct {
	Rep crisis.Report
	Loc *time.Location
}

func (u *ui) crisisReport(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rep, err := u.Crisis.Report(r.Context(), currentUser(r), ws.ID, id)
	if err != nil {
		return err
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Post-incident report"), listenNav), reportPage(u.loc(r), reportView{Rep: rep, Loc: loadLoc(u.displayTZ(currentUser(r), ws))}))
}

func (u *ui) crisisReportPDF(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rep, err := u.Crisis.Report(r.Context(), currentUser(r), ws.ID, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := crisis.WritePDF(&buf, rep, crisis.WordsFor(u.loc(r).Lang(), u.displayTZ(currentUser(r), ws))); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="tribune-incident-`+itoa(id)+`.pdf"`)
	_, err = w.Write(buf.Bytes())
	return err
}

// playbookPage is what the playbook editor shows.
type playbookPage struct {
	WS       store.Workspace
	Role     auth.Role
	Playbook []crisis.Scenario
	Members  []store.User
	Networks []string
	Open     bool
	Loc      *time.Location
}

func (u *ui) crisisPlaybook(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	ctx, user := r.Context(), currentUser(r)
	d := playbookPage{WS: ws, Role: role, Open: u.Crisis.IsOpen(ctx, ws.ID), Loc: loadLoc(u.displayTZ(user, ws))}
	if d.Playbook, err = u.Crisis.Playbook(ctx, user, ws.ID); err != nil {
		return err
	}
	if d.Members, err = u.Crisis.Team(ctx, user, ws.ID); err != nil {
		return err
	}
	chs, err := u.Channels.List(ctx, user, ws.ID)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		if !slices.Contains(d.Networks, ch.Network) {
			d.Networks = append(d.Networks, ch.Network)
		}
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Crisis playbook"), listenNav), playbookPageView(u.loc(r), d))
}

func playbookURL(ws int64) string { return "/w/" + itoa(ws) + "/crisis/playbook" }

func formIDs(r *http.Request, name string) []int64 {
	var out []int64
	for _, s := range r.Form[name] {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

func (u *ui) crisisScenarioSave(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	var id int64
	if r.PathValue("id") != "" {
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	in := crisis.ScenarioInput{Name: r.FormValue("name"), Trigger: r.FormValue("trigger"), Approvers: formIDs(r, "approvers"), Speakers: formIDs(r, "speakers"),
		Checklist: strings.Split(strings.ReplaceAll(r.FormValue("checklist"), "\r\n", "\n"), "\n")}
	if _, err := u.Crisis.SaveScenario(r.Context(), currentUser(r), ws.ID, id, in); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Scenario saved"))
	return redirect(w, r, playbookURL(ws.ID))
}

func (u *ui) crisisScenarioDelete(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := u.Crisis.DeleteScenario(r.Context(), currentUser(r), ws.ID, id); err != nil {
		return err
	}
	return redirect(w, r, playbookURL(ws.ID))
}

func statementInput(r *http.Request) crisis.StatementInput {
	in := crisis.StatementInput{Title: r.FormValue("title"), Texts: map[string]string{"": r.FormValue("text")}}
	for k, v := range r.Form {
		if netw, ok := strings.CutPrefix(k, "text_"); ok && len(v) > 0 {
			in.Texts[netw] = v[0]
		}
	}
	return in
}

func (u *ui) crisisStatementCreate(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := u.Crisis.SaveStatement(r.Context(), currentUser(r), ws.ID, id, 0, statementInput(r)); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Holding statement saved: it needs approval before it can be published."))
	return redirect(w, r, playbookURL(ws.ID))
}

// crisisStatementAct edits, deletes, approves or publishes a statement.
func (u *ui) crisisStatementAct(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx, user, l := r.Context(), currentUser(r), u.loc(r)
	back := playbookURL(ws.ID)
	switch r.PathValue("action") {
	case "save":
		_, err = u.Crisis.SaveStatement(ctx, user, ws.ID, 0, id, statementInput(r))
		if err == nil {
			flash(w, l.T("Holding statement saved: it needs approval before it can be published."))
		}
	case "delete":
		err = u.Crisis.DeleteStatement(ctx, user, ws.ID, id)
	case "approve":
		if _, err = u.Crisis.ApproveStatement(ctx, user, ws.ID, id); err == nil {
			flash(w, l.T("Holding statement approved"))
		}
	case "publish":
		var p crisis.Publication
		p, err = u.Crisis.PublishStatement(ctx, user, ws.ID, id)
		if err == nil {
			inc, ierr := u.Crisis.Current(ctx, user, ws.ID)
			if ierr == nil {
				back = incidentURL(ws.ID, inc.ID)
			}
			switch {
			case p.Again:
				flash(w, l.T("This statement was already published during this incident: nothing new was sent."))
			case posts.Status(p.Status) == posts.NeedsApproval:
				flash(w, l.T("The statement waits for approval before it goes out."))
			default:
				flash(w, l.T("Holding statement going out now on %d channels.", p.Channels))
			}
		}
	default:
		return errPageNotFound
	}
	if err != nil {
		return err
	}
	return redirect(w, r, back)
}

// The report's chart: an inline SVG, drawn here so the page needs no script.
const (
	chartW, chartH = 720.0, 240.0
	chartPad       = 36.0
)

func chartX(rep crisis.Report, i int) float64 {
	n := len(rep.Points)
	if n <= 1 {
		return chartPad + (chartW-2*chartPad)/2
	}
	return chartPad + (chartW-2*chartPad)*float64(i)/float64(n-1)
}

func chartY(rep crisis.Report, v int64) float64 {
	peak := max(rep.Peak, 1)
	return chartH - chartPad - (chartH-2*chartPad)*float64(v)/float64(peak)
}

// chartLine is a polyline's points attribute for one series.
func chartLine(rep crisis.Report, val func(crisis.Point) int64) string {
	var b strings.Builder
	for i, p := range rep.Points {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(chartX(rep, i), 'f', 1, 64) + "," + strconv.FormatFloat(chartY(rep, val(p)), 'f', 1, 64))
	}
	return b.String()
}

func fnum(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func mentionsOf(p crisis.Point) int64 { return p.Mentions }
func negativeOf(p crisis.Point) int64 { return p.Negative }
func positiveOf(p crisis.Point) int64 { return p.Positive }
