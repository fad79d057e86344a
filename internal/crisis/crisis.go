// Package crisis is the crisis cell of a brand (issue 15 §6): an incident
// opened by hand or by an alert rule pauses publishing (the K1 switch),
// tells the team, and keeps a timeline written as things happen (alerts,
// the pause, posts held, replies sent from the inbox, holding statements
// published, notes, checklist ticks, the resume). Each brand keeps a
// playbook of scenarios with pre-approved holding statements, who approves
// and who speaks, and a checklist; a statement goes out on every channel in
// one click, through the normal publishing path, although publishing is
// paused. A post-incident report (HTML and PDF) shows the mention curves
// and the timeline.
package crisis

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/notify"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// Kind is what a timeline entry records (crisis_events.kind).
type Kind string

// The kinds of timeline entries.
const (
	KindOpened    Kind = "opened"    // the incident was opened (by a member or an alert rule)
	KindAlert     Kind = "alert"     // an alert joined the incident
	KindPause     Kind = "pause"     // publishing was paused (or already was)
	KindHeld      Kind = "held"      // a due post was held by the pause
	KindReply     Kind = "reply"     // a reply was sent from the inbox
	KindStatement Kind = "statement" // a holding statement was published on every channel
	KindNote      Kind = "note"      // a member wrote a note
	KindCheck     Kind = "check"     // a checklist item was ticked
	KindUncheck   Kind = "uncheck"   // a checklist item was unticked
	KindApproved  Kind = "approved"  // a holding statement was approved during the incident
	KindResume    Kind = "resume"    // publishing resumed
	KindClosed    Kind = "closed"    // the incident was closed
)

// NotifyCrisis is the kind of the notifications an incident sends.
const NotifyCrisis = "crisis"

// The sentences crisis notifications store (translated when shown or mailed,
// see notify.Sentences).
const (
	titleOpened = "Crisis mode: %s"
	bodyOpened  = "Publishing is paused and the crisis cell is open: %s"
)

// Problems of the crisis cell.
var (
	ErrNoIncident  = problem.New(http.StatusConflict, "no_open_incident", "No crisis is open in this workspace. Open one first.")
	ErrClosed      = problem.New(http.StatusConflict, "incident_closed", "This incident is closed.")
	ErrNotApproved = problem.New(http.StatusConflict, "statement_not_approved",
		"This holding statement is not approved. An approver of its scenario must approve it before it can be published.")
	ErrNotSpeaker  = problem.New(http.StatusForbidden, "not_a_speaker", "Only the scenario's spokespeople publish its holding statements.")
	ErrNotApprover = problem.New(http.StatusForbidden, "not_an_approver", "Only the scenario's approvers approve its holding statements.")
	ErrNoChannel   = problem.New(http.StatusUnprocessableEntity, "no_channel", "This workspace has no connected channel to publish on.")
)

// Service is the crisis cell's use cases; UI and API both call it.
type Service struct {
	Store store.Store
	Auth  *auth.Service
	Posts *posts.Service
	// Email queues a notification e-mail per member with the in-app one
	// (SMTP is configured).
	Email bool
	Log   *slog.Logger
	Now   func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC() }

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Incident is an incident with its timeline and checklist.
type Incident struct {
	store.CrisisIncident
	Events []store.CrisisEvent
	// Checks are the ticked checklist items, by item index.
	Checks   map[int64]store.CrisisCheck
	Scenario *Scenario
	// Published are the holding statements published during the incident.
	Published []store.CrisisStatementPost
}

// Open reports whether the incident is still open.
func (i Incident) Open() bool { return i.ClosedAt == nil }

// OpenInput is what a member gives to open an incident by hand.
type OpenInput struct {
	Title      string `json:"title" maxLength:"200"`
	ScenarioID int64  `json:"scenario_id,omitempty"`
}

// Open opens an incident by hand, or returns the open one (a second
// opening joins it). It pauses publishing and tells the team.
func (s *Service) Open(ctx context.Context, user store.User, workspaceID int64, in OpenInput) (store.CrisisIncident, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Crisis)
	if err != nil {
		return store.CrisisIncident{}, err
	}
	title := strings.TrimSpace(in.Title)
	if title == "" {
		return store.CrisisIncident{}, problem.Invalidf("title", "required", "Name the incident.")
	}
	if len(title) > 200 {
		return store.CrisisIncident{}, problem.Invalidf("title", "too_long", "An incident's title is at most 200 characters.")
	}
	var scenario *int64
	if in.ScenarioID != 0 {
		sc, err := s.Store.GetCrisisScenario(ctx, in.ScenarioID)
		if err != nil || sc.WorkspaceID != ws.ID {
			return store.CrisisIncident{}, problem.Invalidf("scenario_id", "unknown", "Pick a scenario of this workspace's playbook.")
		}
		scenario = &sc.ID
	}
	return s.open(ctx, ws, &user, title, scenario, nil)
}

// OpenFromAlert is how an alert rule switches a brand into crisis mode: it
// opens an incident (pausing publishing and telling whoever may manage it) or, when one
// is open, adds the alert to its timeline. The same alert reported twice is
// written once.
func (s *Service) OpenFromAlert(ctx context.Context, workspaceID, alertID int64, title string) error {
	ws, err := s.Store.GetWorkspace(ctx, workspaceID)
	if err != nil {
		return err
	}
	title = strings.TrimSpace(title)
	if title == "" {
		title = "Alert"
	}
	_, err = s.open(ctx, ws, nil, title, nil, &alertID)
	return err
}

// errRaced is returned inside a transaction that lost the race to open the
// workspace's incident: the caller joins the winner's.
var errRaced = errors.New("crisis: another incident opened meanwhile")

func (s *Service) open(ctx context.Context, ws store.Workspace, by *store.User, title string, scenario, alert *int64) (store.CrisisIncident, error) {
	var inc store.CrisisIncident
	for try := 0; ; try++ {
		err := s.Store.InTx(ctx, func(tx store.Tx) error {
			var err error
			inc, err = s.openTx(ctx, tx, ws.ID, by, title, scenario, alert)
			return err
		})
		if errors.Is(err, errRaced) && try == 0 {
			continue
		}
		return inc, err
	}
}

func actorOf(by *store.User) (*int64, string) {
	if by == nil {
		return nil, ""
	}
	return &by.ID, by.Name
}

func (s *Service) openTx(ctx context.Context, tx store.Tx, wsID int64, by *store.User, title string, scenario, alert *int64) (store.CrisisIncident, error) {
	now := s.now()
	uid, actor := actorOf(by)
	inc, err := tx.GetOpenCrisisIncident(ctx, wsID)
	if err == nil {
		// One open incident per workspace: a second alert joins it.
		if alert != nil {
			_, err = tx.AddCrisisEvent(ctx, store.AddCrisisEventParams{IncidentID: inc.ID, WorkspaceID: wsID, At: now, Kind: string(KindAlert), Detail: title, RefID: alert})
		}
		return inc, err
	}
	if !errors.Is(err, store.ErrNotFound) {
		return inc, err
	}
	ws, err := tx.GetWorkspace(ctx, wsID)
	if err != nil {
		return inc, err
	}
	inc, err = tx.CreateCrisisIncident(ctx, store.CreateCrisisIncidentParams{WorkspaceID: wsID, Title: title, ScenarioID: scenario, OpenedBy: uid, OpenedAt: now})
	if errors.Is(err, store.ErrConflict) {
		return inc, errRaced
	}
	if err != nil {
		return inc, err
	}
	add := func(kind Kind, detail string, ref *int64) error {
		_, err := tx.AddCrisisEvent(ctx, store.AddCrisisEventParams{IncidentID: inc.ID, WorkspaceID: wsID, At: now, Kind: string(kind), UserID: uid, Actor: actor, Detail: detail, RefID: ref})
		return err
	}
	if err := add(KindOpened, title, nil); err != nil {
		return inc, err
	}
	if alert != nil {
		if err := add(KindAlert, title, alert); err != nil {
			return inc, err
		}
	}
	// The K1 switch, as posts.Pause sets it: the publisher holds every due
	// post of a paused workspace.
	if ws.PausedAt == nil {
		if err := tx.SetWorkspacePaused(ctx, store.SetWorkspacePausedParams{PausedAt: &now, PausedBy: uid, ID: wsID}); err != nil {
			return inc, err
		}
		if err := add(KindPause, "", nil); err != nil {
			return inc, err
		}
	} else if err := add(KindPause, AlreadyPaused, nil); err != nil {
		return inc, err
	}
	// Told: whoever may manage the incident (the Crisis permission, as its
	// routes check), an organisation owner without a membership row too:
	// auth.WhoMay answers as Authorize does.
	members, err := s.Auth.WhoMay(ctx, wsID, auth.Crisis)
	if err != nil {
		return inc, err
	}
	notifTitle := strings.Replace(titleOpened, "%s", title, 1)
	notifBody := strings.Replace(bodyOpened, "%s", ws.Name, 1)
	for _, m := range members {
		if err := tx.AddNotification(ctx, store.AddNotificationParams{UserID: m.ID, WorkspaceID: wsID, Kind: NotifyCrisis,
			Title: notifTitle, Body: notifBody, CreatedAt: now}); err != nil {
			return inc, err
		}
		if s.Email {
			// In the same transaction: the team hears of the incident if and only if it opened.
			if _, err := tx.InsertJob(ctx, notify.EmailArgs{UserID: m.ID, Title: notifTitle, Body: notifBody, WsID: wsID}, nil); err != nil {
				return inc, err
			}
		}
	}
	return inc, nil
}

// Current returns the workspace's open incident, or store.ErrNotFound.
func (s *Service) Current(ctx context.Context, user store.User, workspaceID int64) (Incident, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View); err != nil {
		return Incident{}, err
	}
	inc, err := s.Store.GetOpenCrisisIncident(ctx, workspaceID)
	if err != nil {
		return Incident{}, err
	}
	return s.load(ctx, inc)
}

// IsOpen reports whether the workspace has an open incident (the banner).
func (s *Service) IsOpen(ctx context.Context, workspaceID int64) bool {
	_, err := s.Store.GetOpenCrisisIncident(ctx, workspaceID)
	return err == nil
}

// MaxListed bounds the past incidents a page lists.
const MaxListed = 50

// List returns the workspace's incidents, newest first.
func (s *Service) List(ctx context.Context, user store.User, workspaceID int64) ([]store.CrisisIncident, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View); err != nil {
		return nil, err
	}
	list, err := s.Store.ListCrisisIncidents(ctx, store.ListCrisisIncidentsParams{WorkspaceID: workspaceID, MaxRows: MaxListed})
	if list == nil {
		list = []store.CrisisIncident{}
	}
	return list, err
}

// incident reads an incident of the workspace; another workspace's is not found.
func (s *Service) incident(ctx context.Context, q store.Queries, workspaceID, id int64) (store.CrisisIncident, error) {
	inc, err := q.GetCrisisIncident(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && inc.WorkspaceID != workspaceID) {
		return store.CrisisIncident{}, problem.NotFound
	}
	return inc, err
}

// Get returns one incident with its timeline and checklist.
func (s *Service) Get(ctx context.Context, user store.User, workspaceID, id int64) (Incident, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View); err != nil {
		return Incident{}, err
	}
	inc, err := s.incident(ctx, s.Store, workspaceID, id)
	if err != nil {
		return Incident{}, err
	}
	return s.load(ctx, inc)
}

func (s *Service) load(ctx context.Context, inc store.CrisisIncident) (Incident, error) {
	out := Incident{CrisisIncident: inc, Checks: map[int64]store.CrisisCheck{}}
	var err error
	if out.Events, err = s.Store.ListCrisisEvents(ctx, inc.ID); err != nil {
		return out, err
	}
	checks, err := s.Store.ListCrisisChecks(ctx, inc.ID)
	if err != nil {
		return out, err
	}
	for _, c := range checks {
		out.Checks[c.Item] = c
	}
	if out.Published, err = s.Store.ListCrisisStatementPosts(ctx, inc.ID); err != nil {
		return out, err
	}
	if inc.ScenarioID != nil {
		sc, err := s.Store.GetCrisisScenario(ctx, *inc.ScenarioID)
		if err == nil {
			v, err := scenarioOf(sc)
			if err != nil {
				return out, err
			}
			out.Scenario = &v
		} else if !errors.Is(err, store.ErrNotFound) {
			return out, err
		}
	}
	return out, nil
}

// record writes one timeline entry on an open incident of the workspace.
func (s *Service) record(ctx context.Context, q store.Queries, inc store.CrisisIncident, user *store.User, kind Kind, detail string, ref *int64) error {
	uid, actor := actorOf(user)
	_, err := q.AddCrisisEvent(ctx, store.AddCrisisEventParams{IncidentID: inc.ID, WorkspaceID: inc.WorkspaceID, At: s.now(), Kind: string(kind),
		UserID: uid, Actor: actor, Detail: detail, RefID: ref})
	return err
}

// MaxNote bounds a note's length.
const MaxNote = 4000

// AddNote writes a member's note in an open incident's timeline.
func (s *Service) AddNote(ctx context.Context, user store.User, workspaceID, id int64, text string) error {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Comment); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return problem.Invalidf("text", "required", "Write the note.")
	}
	if len(text) > MaxNote {
		return problem.Invalidf("text", "too_long", "A note is at most 4,000 characters.")
	}
	inc, err := s.incident(ctx, s.Store, workspaceID, id)
	if err != nil {
		return err
	}
	if inc.ClosedAt != nil {
		return ErrClosed
	}
	return s.record(ctx, s.Store, inc, &user, KindNote, text, nil)
}

// SetScenario picks the scenario an open incident follows (its checklist
// and statements); 0 picks none.
func (s *Service) SetScenario(ctx context.Context, user store.User, workspaceID, id, scenarioID int64) error {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Crisis); err != nil {
		return err
	}
	inc, err := s.incident(ctx, s.Store, workspaceID, id)
	if err != nil {
		return err
	}
	if inc.ClosedAt != nil {
		return ErrClosed
	}
	var ref *int64
	if scenarioID != 0 {
		sc, err := s.Store.GetCrisisScenario(ctx, scenarioID)
		if err != nil || sc.WorkspaceID != workspaceID {
			return problem.Invalidf("scenario_id", "unknown", "Pick a scenario of this workspace's playbook.")
		}
		ref = &sc.ID
	}
	return s.Store.SetCrisisIncidentScenario(ctx, store.SetCrisisIncidentScenarioParams{ScenarioID: ref, ID: inc.ID})
}

// Check ticks (done) or unticks a checklist item of an open incident's
// scenario, and writes it in the timeline.
func (s *Service) Check(ctx context.Context, user store.User, workspaceID, id, item int64, done bool) error {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Crisis); err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		inc, err := s.incident(ctx, tx, workspaceID, id)
		if err != nil {
			return err
		}
		if inc.ClosedAt != nil {
			return ErrClosed
		}
		if inc.ScenarioID == nil {
			return problem.Invalidf("item", "no_checklist", "This incident follows no scenario, so it has no checklist.")
		}
		sc, err := tx.GetCrisisScenario(ctx, *inc.ScenarioID)
		if err != nil {
			return err
		}
		list := decodeList[string](sc.Checklist)
		if item < 0 || item >= int64(len(list)) {
			return problem.Invalidf("item", "unknown", "No such checklist item.")
		}
		label := list[item]
		if done {
			if err := tx.CheckCrisisItem(ctx, store.CheckCrisisItemParams{IncidentID: inc.ID, Item: item, Label: label, UserID: &user.ID, CheckedAt: s.now()}); err != nil {
				return err
			}
			return s.record(ctx, tx, inc, &user, KindCheck, label, &item)
		}
		n, err := tx.UncheckCrisisItem(ctx, store.UncheckCrisisItemParams{IncidentID: inc.ID, Item: item})
		if err != nil || n == 0 {
			return err
		}
		return s.record(ctx, tx, inc, &user, KindUncheck, label, &item)
	})
}

// Close ends an incident: publishing resumes (held posts listed in send go
// out now, the others go back to drafts, as posts.Resume does) and the
// timeline records the resume and the closing.
func (s *Service) Close(ctx context.Context, user store.User, workspaceID, id int64, send []int64) error {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Crisis); err != nil {
		return err
	}
	inc, err := s.incident(ctx, s.Store, workspaceID, id)
	if err != nil {
		return err
	}
	if inc.ClosedAt != nil {
		return ErrClosed
	}
	if err := s.Posts.Resume(ctx, user, workspaceID, send); err != nil {
		return err
	}
	now := s.now()
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		n, err := tx.CloseCrisisIncident(ctx, store.CloseCrisisIncidentParams{ClosedAt: &now, ClosedBy: &user.ID, ID: inc.ID})
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrClosed // closed by someone else meanwhile
		}
		if err := s.record(ctx, tx, inc, &user, KindResume, "", nil); err != nil {
			return err
		}
		return s.record(ctx, tx, inc, &user, KindClosed, "", nil)
	})
}
