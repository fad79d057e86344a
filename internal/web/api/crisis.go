package api

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/store"
)

// Crisis cell (issue 15 §6): incidents with their timeline and checklist,
// the playbook's scenarios and holding statements, the post-incident
// report. Reading takes View; opening, closing, ticking, editing the
// playbook and publishing take the crisis permission; approving a statement
// takes Approve (and being one of the scenario's approvers); notes take
// Comment. The crisis service checks.
func (s *server) crisisRoutes(a huma.API) {
	const p = "/v1/workspaces/{ws}/crisis"
	huma.Register(a, op("list-incidents", http.MethodGet, p+"/incidents", "The workspace's crisis incidents, newest first", "crisis"), s.listIncidents)
	huma.Register(a, created(op("open-incident", http.MethodPost, p+"/incidents", "Open a crisis incident: publishing pauses, the team is told; an open incident is returned as it is (one at a time)", "crisis")), s.openIncident)
	huma.Register(a, op("get-incident", http.MethodGet, p+"/incidents/{id}", "An incident with its timeline and checklist", "crisis"), s.getIncident)
	huma.Register(a, noContent(op("add-incident-note", http.MethodPost, p+"/incidents/{id}/notes", "Write a note in an open incident's timeline", "crisis")), s.addIncidentNote)
	huma.Register(a, noContent(op("check-incident-item", http.MethodPost, p+"/incidents/{id}/checklist", "Tick or untick an item of the incident's checklist (written in the timeline)", "crisis")), s.checkIncidentItem)
	huma.Register(a, noContent(op("set-incident-scenario", http.MethodPut, p+"/incidents/{id}/scenario", "Choose the playbook scenario an open incident follows", "crisis")), s.setIncidentScenario)
	huma.Register(a, noContent(op("close-incident", http.MethodPost, p+"/incidents/{id}/close", "Close the incident: publishing resumes; held variants listed in send go out now, the others go back to drafts", "crisis")), s.closeIncident)
	huma.Register(a, op("incident-report", http.MethodGet, p+"/incidents/{id}/report", "Post-incident report: hourly volume and tonality of mentions, and the timeline", "crisis"), s.incidentReport)
	huma.Register(a, op("incident-report-pdf", http.MethodGet, p+"/incidents/{id}/report.pdf", "The post-incident report as a PDF", "crisis"), s.incidentReportPDF)
	huma.Register(a, op("get-playbook", http.MethodGet, p+"/playbook", "The workspace's playbook: scenarios with their holding statements", "crisis"), s.getPlaybook)
	huma.Register(a, created(op("create-scenario", http.MethodPost, p+"/scenarios", "Add a scenario to the playbook", "crisis")), s.createScenario)
	huma.Register(a, op("update-scenario", http.MethodPut, p+"/scenarios/{id}", "Change a scenario", "crisis"), s.updateScenario)
	huma.Register(a, noContent(op("delete-scenario", http.MethodDelete, p+"/scenarios/{id}", "Remove a scenario and its statements", "crisis")), s.deleteScenario)
	huma.Register(a, created(op("create-statement", http.MethodPost, p+"/scenarios/{id}/statements", "Add a holding statement to a scenario", "crisis")), s.createStatement)
	huma.Register(a, op("update-statement", http.MethodPut, p+"/statements/{id}", "Change a holding statement (its approval is voided)", "crisis"), s.updateStatement)
	huma.Register(a, noContent(op("delete-statement", http.MethodDelete, p+"/statements/{id}", "Remove a holding statement", "crisis")), s.deleteStatement)
	huma.Register(a, op("approve-statement", http.MethodPost, p+"/statements/{id}/approve", "Approve a holding statement as it reads now", "crisis"), s.approveStatement)
	huma.Register(a, op("publish-statement", http.MethodPost, p+"/statements/{id}/publish", "Publish an approved holding statement now on every channel, through the pause; once per incident (a repeat returns the first publication with again=true)", "crisis"), s.publishStatement)
}

type wsIDPath struct {
	WS int64 `path:"ws" doc:"Workspace id"`
	ID int64 `path:"id"`
}

// IncidentOut is an incident as listed.
type IncidentOut struct {
	ID         int64      `json:"id"`
	Title      string     `json:"title"`
	ScenarioID *int64     `json:"scenario_id,omitempty"`
	OpenedBy   *int64     `json:"opened_by,omitempty" doc:"Empty when an alert rule opened it"`
	OpenedAt   time.Time  `json:"opened_at"`
	ClosedBy   *int64     `json:"closed_by,omitempty"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
}

func toIncident(i store.CrisisIncident) IncidentOut {
	return IncidentOut{ID: i.ID, Title: i.Title, ScenarioID: i.ScenarioID, OpenedBy: i.OpenedBy, OpenedAt: i.OpenedAt, ClosedBy: i.ClosedBy, ClosedAt: i.ClosedAt}
}

// TimelineEntryOut is one entry of an incident's timeline.
type TimelineEntryOut struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind" enum:"opened,alert,pause,held,reply,statement,note,check,uncheck,approved,resume,closed"`
	UserID *int64    `json:"user_id,omitempty"`
	Actor  string    `json:"actor,omitempty" doc:"The member's name; empty for Tribune itself (an alert rule, the publisher)"`
	Detail string    `json:"detail,omitempty"`
	RefID  *int64    `json:"ref_id,omitempty" doc:"The alert, variant, reply, post or checklist item the entry is about"`
}

// ChecklistItemOut is one item of an incident's checklist.
type ChecklistItemOut struct {
	Item   int64      `json:"item"`
	Label  string     `json:"label"`
	Done   bool       `json:"done"`
	DoneBy *int64     `json:"done_by,omitempty"`
	DoneAt *time.Time `json:"done_at,omitempty"`
}

// IncidentDetailOut is an incident with its timeline and checklist.
type IncidentDetailOut struct {
	IncidentOut
	Timeline  []TimelineEntryOut `json:"timeline"`
	Checklist []ChecklistItemOut `json:"checklist"`
	// StatementPosts are the posts of the holding statements published.
	StatementPosts []int64 `json:"statement_posts"`
}

func toIncidentDetail(inc crisis.Incident) IncidentDetailOut {
	out := IncidentDetailOut{IncidentOut: toIncident(inc.CrisisIncident), Timeline: []TimelineEntryOut{}, Checklist: []ChecklistItemOut{}, StatementPosts: []int64{}}
	for _, e := range inc.Events {
		out.Timeline = append(out.Timeline, TimelineEntryOut{At: e.At, Kind: e.Kind, UserID: e.UserID, Actor: e.Actor, Detail: e.Detail, RefID: e.RefID})
	}
	if inc.Scenario != nil {
		for i, label := range inc.Scenario.Checklist {
			c, done := inc.Checks[int64(i)]
			item := ChecklistItemOut{Item: int64(i), Label: label, Done: done}
			if done {
				item.DoneBy, item.DoneAt = c.UserID, &c.CheckedAt
			}
			out.Checklist = append(out.Checklist, item)
		}
	}
	for _, p := range inc.Published {
		out.StatementPosts = append(out.StatementPosts, p.PostID)
	}
	return out
}

func (s *server) listIncidents(ctx context.Context, in *wsPath) (*body[[]IncidentOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	list, err := s.Crisis.List(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	out := []IncidentOut{}
	for _, i := range list {
		out = append(out, toIncident(i))
	}
	return &body[[]IncidentOut]{out}, nil
}

type openIncidentIn struct {
	WS   int64 `path:"ws"`
	Body crisis.OpenInput
}

func (s *server) openIncident(ctx context.Context, in *openIncidentIn) (*body[IncidentOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	inc, err := s.Crisis.Open(ctx, u, in.WS, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[IncidentOut]{toIncident(inc)}, nil
}

func (s *server) getIncident(ctx context.Context, in *wsIDPath) (*body[IncidentDetailOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	inc, err := s.Crisis.Get(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[IncidentDetailOut]{toIncidentDetail(inc)}, nil
}

type incidentNoteIn struct {
	WS   int64 `path:"ws"`
	ID   int64 `path:"id"`
	Body struct {
		Text string `json:"text" maxLength:"4000"`
	}
}

func (s *server) addIncidentNote(ctx context.Context, in *incidentNoteIn) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Crisis.AddNote(ctx, u, in.WS, in.ID, in.Body.Text))
}

type checkItemIn struct {
	WS   int64 `path:"ws"`
	ID   int64 `path:"id"`
	Body struct {
		Item int64 `json:"item" minimum:"0" doc:"The item's index in the scenario's checklist"`
		Done bool  `json:"done"`
	}
}

func (s *server) checkIncidentItem(ctx context.Context, in *checkItemIn) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Crisis.Check(ctx, u, in.WS, in.ID, in.Body.Item, in.Body.Done))
}

type setScenarioIn struct {
	WS   int64 `path:"ws"`
	ID   int64 `path:"id"`
	Body struct {
		ScenarioID int64 `json:"scenario_id" doc:"0 for none"`
	}
}

func (s *server) setIncidentScenario(ctx context.Context, in *setScenarioIn) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Crisis.SetScenario(ctx, u, in.WS, in.ID, in.Body.ScenarioID))
}

type closeIncidentIn struct {
	WS   int64 `path:"ws"`
	ID   int64 `path:"id"`
	Body struct {
		Send []int64 `json:"send,omitempty" doc:"Held variants to publish now; the others go back to drafts"`
	}
}

func (s *server) closeIncident(ctx context.Context, in *closeIncidentIn) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Crisis.Close(ctx, u, in.WS, in.ID, in.Body.Send))
}

// ReportOut is the post-incident report.
type ReportOut struct {
	Incident IncidentDetailOut `json:"incident"`
	From     time.Time         `json:"from"`
	To       time.Time         `json:"to"`
	Points   []crisis.Point    `json:"points" doc:"One per hour, zero when nothing was said"`
}

func (s *server) incidentReport(ctx context.Context, in *wsIDPath) (*body[ReportOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	rep, err := s.Crisis.Report(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	pts := rep.Points
	if pts == nil {
		pts = []crisis.Point{}
	}
	return &body[ReportOut]{ReportOut{Incident: toIncidentDetail(rep.Incident), From: rep.From, To: rep.To, Points: pts}}, nil
}

type pdfOut struct {
	ContentType string `header:"Content-Type"`
	Disposition string `header:"Content-Disposition"`
	Body        []byte
}

func (s *server) incidentReportPDF(ctx context.Context, in *wsIDPath) (*pdfOut, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	rep, err := s.Crisis.Report(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	var buf bytes.Buffer
	if err := crisis.WritePDF(&buf, rep, crisis.WordsFor(u.Locale, rep.Workspace.Timezone)); err != nil {
		return nil, s.fail(err)
	}
	return &pdfOut{"application/pdf", `attachment; filename="tribune-incident.pdf"`, buf.Bytes()}, nil
}

// ScenarioOut is a scenario of the playbook with its statements.
type ScenarioOut struct {
	ID         int64          `json:"id"`
	Name       string         `json:"name"`
	Trigger    string         `json:"trigger"`
	Approvers  []int64        `json:"approvers"`
	Speakers   []int64        `json:"speakers"`
	Checklist  []string       `json:"checklist"`
	Statements []StatementOut `json:"statements"`
}

// StatementOut is a holding statement.
type StatementOut struct {
	ID         int64             `json:"id"`
	ScenarioID int64             `json:"scenario_id"`
	Title      string            `json:"title"`
	Texts      map[string]string `json:"texts" doc:"Text per network; the key \"\" is the text for every other network"`
	ApprovedBy *int64            `json:"approved_by,omitempty"`
	ApprovedAt *time.Time        `json:"approved_at,omitempty"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

func toStatement(st crisis.Statement) StatementOut {
	return StatementOut{ID: st.ID, ScenarioID: st.ScenarioID, Title: st.Title, Texts: st.Texts, ApprovedBy: st.ApprovedBy, ApprovedAt: st.ApprovedAt, UpdatedAt: st.UpdatedAt}
}

func toScenario(sc crisis.Scenario) ScenarioOut {
	nz := func(v []int64) []int64 {
		if v == nil {
			return []int64{}
		}
		return v
	}
	out := ScenarioOut{ID: sc.ID, Name: sc.Name, Trigger: sc.TriggerDesc, Approvers: nz(sc.Approvers), Speakers: nz(sc.Speakers), Checklist: sc.Checklist, Statements: []StatementOut{}}
	if out.Checklist == nil {
		out.Checklist = []string{}
	}
	for _, st := range sc.Statements {
		out.Statements = append(out.Statements, toStatement(st))
	}
	return out
}

func (s *server) getPlaybook(ctx context.Context, in *wsPath) (*body[[]ScenarioOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	scs, err := s.Crisis.Playbook(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	out := []ScenarioOut{}
	for _, sc := range scs {
		out = append(out, toScenario(sc))
	}
	return &body[[]ScenarioOut]{out}, nil
}

type scenarioIn struct {
	WS   int64 `path:"ws"`
	Body crisis.ScenarioInput
}

func (s *server) createScenario(ctx context.Context, in *scenarioIn) (*body[ScenarioOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	sc, err := s.Crisis.SaveScenario(ctx, u, in.WS, 0, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[ScenarioOut]{toScenario(sc)}, nil
}

type scenarioIDIn struct {
	WS   int64 `path:"ws"`
	ID   int64 `path:"id"`
	Body crisis.ScenarioInput
}

func (s *server) updateScenario(ctx context.Context, in *scenarioIDIn) (*body[ScenarioOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	sc, err := s.Crisis.SaveScenario(ctx, u, in.WS, in.ID, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[ScenarioOut]{toScenario(sc)}, nil
}

func (s *server) deleteScenario(ctx context.Context, in *wsIDPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Crisis.DeleteScenario(ctx, u, in.WS, in.ID))
}

type statementIn struct {
	WS   int64 `path:"ws"`
	ID   int64 `path:"id"`
	Body crisis.StatementInput
}

func (s *server) createStatement(ctx context.Context, in *statementIn) (*body[StatementOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	st, err := s.Crisis.SaveStatement(ctx, u, in.WS, in.ID, 0, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[StatementOut]{toStatement(st)}, nil
}

func (s *server) updateStatement(ctx context.Context, in *statementIn) (*body[StatementOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	st, err := s.Crisis.SaveStatement(ctx, u, in.WS, 0, in.ID, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[StatementOut]{toStatement(st)}, nil
}

func (s *server) deleteStatement(ctx context.Context, in *wsIDPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Crisis.DeleteStatement(ctx, u, in.WS, in.ID))
}

func (s *server) approveStatement(ctx context.Context, in *wsIDPath) (*body[StatementOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	st, err := s.Crisis.ApproveStatement(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[StatementOut]{toStatement(st)}, nil
}

func (s *server) publishStatement(ctx context.Context, in *wsIDPath) (*body[crisis.Publication], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	p, err := s.Crisis.PublishStatement(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[crisis.Publication]{p}, nil
}
