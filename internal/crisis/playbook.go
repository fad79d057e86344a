package crisis

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// Scenario is one scenario of a brand's playbook, with its holding statements.
type Scenario struct {
	store.CrisisScenario
	Approvers  []int64
	Speakers   []int64
	Checklist  []string
	Statements []Statement
}

// Statement is a holding statement: its text per network ("" is the text
// for every network without its own).
type Statement struct {
	store.CrisisStatement
	Texts map[string]string
}

// Approved reports whether the statement is approved as it reads now.
func (st Statement) Approved() bool { return st.ApprovedBy != nil && st.ApprovedAt != nil }

// TextFor returns the statement's text for a network.
func (st Statement) TextFor(network string) string {
	if t := strings.TrimSpace(st.Texts[network]); t != "" {
		return t
	}
	return strings.TrimSpace(st.Texts[""])
}

func decodeList[T any](raw string) []T {
	var out []T
	_ = json.Unmarshal([]byte(raw), &out)
	return out
}

func encode(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func scenarioOf(sc store.CrisisScenario) (Scenario, error) {
	return Scenario{CrisisScenario: sc, Approvers: decodeList[int64](sc.Approvers), Speakers: decodeList[int64](sc.Speakers),
		Checklist: decodeList[string](sc.Checklist)}, nil
}

func statementOf(st store.CrisisStatement) Statement {
	out := Statement{CrisisStatement: st, Texts: map[string]string{}}
	_ = json.Unmarshal([]byte(st.Texts), &out.Texts)
	return out
}

// Playbook returns the workspace's scenarios with their statements, by name.
func (s *Service) Playbook(ctx context.Context, user store.User, workspaceID int64) ([]Scenario, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View); err != nil {
		return nil, err
	}
	return s.playbook(ctx, workspaceID)
}

func (s *Service) playbook(ctx context.Context, workspaceID int64) ([]Scenario, error) {
	scs, err := s.Store.ListCrisisScenarios(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	sts, err := s.Store.ListCrisisStatements(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]Scenario, 0, len(scs))
	for _, sc := range scs {
		v, err := scenarioOf(sc)
		if err != nil {
			return nil, err
		}
		for _, st := range sts {
			if st.ScenarioID == sc.ID {
				v.Statements = append(v.Statements, statementOf(st))
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// Team lists the people a scenario may name as approvers or speakers:
// whoever may view the workspace, an organisation owner without a
// membership row too (auth.WhoMay answers as Authorize does), so the
// editor offers exactly whom SaveScenario accepts.
func (s *Service) Team(ctx context.Context, user store.User, workspaceID int64) ([]store.User, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View); err != nil {
		return nil, err
	}
	return s.Auth.WhoMay(ctx, workspaceID, auth.View)
}

// ScenarioInput is a scenario as the playbook editor submits it.
type ScenarioInput struct {
	Name      string   `json:"name" maxLength:"120"`
	Trigger   string   `json:"trigger,omitempty" maxLength:"2000" doc:"When this scenario applies, in a few words."`
	Approvers []int64  `json:"approvers,omitempty" doc:"Members who approve its holding statements (empty: any member who may approve posts)."`
	Speakers  []int64  `json:"speakers,omitempty" doc:"Members who publish its statements (empty: any member with the crisis permission)."`
	Checklist []string `json:"checklist,omitempty" maxItems:"50"`
}

// SaveScenario creates (id 0) or updates a scenario of the playbook.
func (s *Service) SaveScenario(ctx context.Context, user store.User, workspaceID, id int64, in ScenarioInput) (Scenario, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Crisis)
	if err != nil {
		return Scenario{}, err
	}
	if id != 0 {
		// Another workspace's scenario is not found, whatever was typed.
		if _, err := s.scenario(ctx, ws.ID, id); err != nil {
			return Scenario{}, err
		}
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || len(name) > 120 {
		return Scenario{}, problem.Invalidf("name", "required", "A scenario's name is 1 to 120 characters.")
	}
	members, err := s.Auth.WhoMay(ctx, ws.ID, auth.View)
	if err != nil {
		return Scenario{}, err
	}
	isMember := func(id int64) bool {
		return slices.ContainsFunc(members, func(m store.User) bool { return m.ID == id })
	}
	for field, ids := range map[string][]int64{"approvers": in.Approvers, "speakers": in.Speakers} {
		for _, uid := range ids {
			if !isMember(uid) {
				return Scenario{}, problem.Invalidf(field, "not_a_member", "Pick members of this workspace.")
			}
		}
	}
	var list []string
	for _, item := range in.Checklist {
		if item = strings.TrimSpace(item); item != "" {
			list = append(list, item)
		}
	}
	if len(list) > 50 {
		return Scenario{}, problem.Invalidf("checklist", "too_long", "A checklist has at most 50 items.")
	}
	approvers, speakers := uniq(in.Approvers), uniq(in.Speakers)
	now := s.now()
	var sc store.CrisisScenario
	if id == 0 {
		sc, err = s.Store.CreateCrisisScenario(ctx, store.CreateCrisisScenarioParams{WorkspaceID: ws.ID, Name: name, TriggerDesc: strings.TrimSpace(in.Trigger),
			Approvers: encode(approvers), Speakers: encode(speakers), Checklist: encode(list), CreatedAt: now})
	} else {
		sc, err = s.scenario(ctx, ws.ID, id)
		if err != nil {
			return Scenario{}, err
		}
		err = s.Store.UpdateCrisisScenario(ctx, store.UpdateCrisisScenarioParams{Name: name, TriggerDesc: strings.TrimSpace(in.Trigger),
			Approvers: encode(approvers), Speakers: encode(speakers), Checklist: encode(list), UpdatedAt: now, ID: sc.ID})
		if err == nil {
			sc, err = s.Store.GetCrisisScenario(ctx, sc.ID)
		}
	}
	if errors.Is(err, store.ErrConflict) {
		return Scenario{}, problem.Invalidf("name", "taken", "Another scenario has this name.")
	}
	if err != nil {
		return Scenario{}, err
	}
	return scenarioOf(sc)
}

func uniq(ids []int64) []int64 {
	out := []int64{}
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (s *Service) scenario(ctx context.Context, workspaceID, id int64) (store.CrisisScenario, error) {
	sc, err := s.Store.GetCrisisScenario(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sc.WorkspaceID != workspaceID) {
		return sc, problem.NotFound
	}
	return sc, err
}

func (s *Service) statement(ctx context.Context, q store.Queries, workspaceID, id int64) (store.CrisisStatement, error) {
	st, err := q.GetCrisisStatement(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && st.WorkspaceID != workspaceID) {
		return st, problem.NotFound
	}
	return st, err
}

// DeleteScenario removes a scenario and its statements.
func (s *Service) DeleteScenario(ctx context.Context, user store.User, workspaceID, id int64) error {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Crisis); err != nil {
		return err
	}
	sc, err := s.scenario(ctx, workspaceID, id)
	if err != nil {
		return err
	}
	return s.Store.DeleteCrisisScenario(ctx, sc.ID)
}

// StatementInput is a holding statement as the editor submits it.
type StatementInput struct {
	Title string `json:"title" maxLength:"120"`
	// Texts maps a network ("sandbox", "mastodon", "bluesky"…) to its
	// text; the key "" is the text for every other network.
	Texts map[string]string `json:"texts"`
}

// SaveStatement creates (id 0) or changes a holding statement of a
// scenario. A change voids the statement's approval.
func (s *Service) SaveStatement(ctx context.Context, user store.User, workspaceID, scenarioID, id int64, in StatementInput) (Statement, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Crisis)
	if err != nil {
		return Statement{}, err
	}
	// Another workspace's scenario or statement is not found, whatever was typed.
	if id == 0 {
		if _, err := s.scenario(ctx, ws.ID, scenarioID); err != nil {
			return Statement{}, err
		}
	} else if _, err := s.statement(ctx, s.Store, ws.ID, id); err != nil {
		return Statement{}, err
	}
	title := strings.TrimSpace(in.Title)
	if title == "" || len(title) > 120 {
		return Statement{}, problem.Invalidf("title", "required", "A statement's title is 1 to 120 characters.")
	}
	texts := map[string]string{}
	for k, v := range in.Texts {
		if v = strings.TrimSpace(v); v != "" {
			texts[strings.TrimSpace(k)] = v
		}
	}
	if texts[""] == "" {
		return Statement{}, problem.Invalidf("texts", "required", "Write the statement's text for every network.")
	}
	now := s.now()
	var st store.CrisisStatement
	if id == 0 {
		sc, err := s.scenario(ctx, ws.ID, scenarioID)
		if err != nil {
			return Statement{}, err
		}
		st, err = s.Store.CreateCrisisStatement(ctx, store.CreateCrisisStatementParams{WorkspaceID: ws.ID, ScenarioID: sc.ID, Title: title, Texts: encode(texts), CreatedAt: now})
		if err != nil {
			return Statement{}, err
		}
		return statementOf(st), nil
	}
	if st, err = s.statement(ctx, s.Store, ws.ID, id); err != nil {
		return Statement{}, err
	}
	if err := s.Store.UpdateCrisisStatement(ctx, store.UpdateCrisisStatementParams{Title: title, Texts: encode(texts), UpdatedAt: now, ID: st.ID}); err != nil {
		return Statement{}, err
	}
	st, err = s.Store.GetCrisisStatement(ctx, st.ID)
	return statementOf(st), err
}

// DeleteStatement removes a holding statement.
func (s *Service) DeleteStatement(ctx context.Context, user store.User, workspaceID, id int64) error {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Crisis); err != nil {
		return err
	}
	st, err := s.statement(ctx, s.Store, workspaceID, id)
	if err != nil {
		return err
	}
	return s.Store.DeleteCrisisStatement(ctx, st.ID)
}

// mayApprove reports whether a member of role may approve the scenario's
// statements: one of its approvers, or, when it names none, any member
// who may approve posts.
func mayApprove(sc Scenario, userID int64, role auth.Role) bool {
	if !role.CanApprove() {
		return false
	}
	return len(sc.Approvers) == 0 || slices.Contains(sc.Approvers, userID)
}

// ApproveStatement records that user approves the statement as it reads
// now, ready to publish during a crisis without asking again.
func (s *Service) ApproveStatement(ctx context.Context, user store.User, workspaceID, id int64) (Statement, error) {
	_, role, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Approve)
	if err != nil {
		return Statement{}, err
	}
	st, err := s.statement(ctx, s.Store, workspaceID, id)
	if err != nil {
		return Statement{}, err
	}
	sc, err := s.scenario(ctx, workspaceID, st.ScenarioID)
	if err != nil {
		return Statement{}, err
	}
	v, _ := scenarioOf(sc)
	if !mayApprove(v, user.ID, role) {
		return Statement{}, ErrNotApprover
	}
	now := s.now()
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.ApproveCrisisStatement(ctx, store.ApproveCrisisStatementParams{ApprovedBy: &user.ID, ApprovedAt: &now, ID: st.ID}); err != nil {
			return err
		}
		inc, err := tx.GetOpenCrisisIncident(ctx, workspaceID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, inc, &user, KindApproved, st.Title, &st.ID)
	})
	if err != nil {
		return Statement{}, err
	}
	st, err = s.Store.GetCrisisStatement(ctx, st.ID)
	return statementOf(st), err
}

// Publication is what publishing a holding statement did.
type Publication struct {
	PostID int64 `json:"post_id"`
	// Channels is how many channels the statement goes out on.
	Channels int `json:"channels"`
	// Status is the post's status: scheduled (going out now) or
	// needs_approval when nobody involved may release it.
	Status string `json:"status"`
	// Again is true when the statement was already published during this
	// incident: nothing new was sent.
	Again bool `json:"again"`
}

// PublishStatement publishes a holding statement now on every channel of
// the workspace, although publishing is paused: one post through the normal
// publishing path, marked as this incident's statement (the publisher lets
// only such a post through the pause, see Bypasses), and written in the
// timeline. The statement must be approved as it reads now, by one of its
// scenario's approvers who still may approve; the member who publishes must
// be one of its spokespeople. A statement goes out once per incident: a
// second click, or two at once, finds the first publication and sends
// nothing.
func (s *Service) PublishStatement(ctx context.Context, user store.User, workspaceID, statementID int64) (Publication, error) {
	ws, role, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Crisis)
	if err != nil {
		return Publication{}, err
	}
	st, err := s.statement(ctx, s.Store, ws.ID, statementID)
	if err != nil {
		return Publication{}, err
	}
	sc, err := s.scenario(ctx, ws.ID, st.ScenarioID)
	if err != nil {
		return Publication{}, err
	}
	scv, _ := scenarioOf(sc)
	if len(scv.Speakers) > 0 && !slices.Contains(scv.Speakers, user.ID) {
		return Publication{}, ErrNotSpeaker
	}
	inc, err := s.Store.GetOpenCrisisIncident(ctx, ws.ID)
	if errors.Is(err, store.ErrNotFound) {
		return Publication{}, ErrNoIncident
	}
	if err != nil {
		return Publication{}, err
	}
	if done, err := s.Store.GetCrisisStatementPost(ctx, store.GetCrisisStatementPostParams{IncidentID: inc.ID, StatementID: st.ID}); err == nil {
		return s.publication(ctx, done.PostID, true)
	} else if !errors.Is(err, store.ErrNotFound) {
		return Publication{}, err
	}
	// The approval: given beforehand by an approver of the scenario, who
	// must still be one (a member who left or lost the right voids it).
	v := statementOf(st)
	if !v.Approved() {
		return Publication{}, ErrNotApproved
	}
	approver, err := s.Store.GetUser(ctx, *st.ApprovedBy)
	if err != nil {
		return Publication{}, ErrNotApproved
	}
	_, approverRole, err := s.Auth.Authorize(ctx, approver, ws.ID, auth.Approve)
	if err != nil || !mayApprove(scv, approver.ID, approverRole) {
		return Publication{}, ErrNotApproved
	}
	// Whose authority releases the post under the workspace's approval
	// rule: the speaker's own, or else the approver's (a community manager
	// speaks what a manager approved). If neither may, the post waits for
	// approval like any other.
	authority := role
	if !posts.MayPublishNow(ws, role) && posts.MayPublishNow(ws, approverRole) {
		authority = approverRole
	}
	chs, err := s.Store.ListChannels(ctx, ws.ID)
	if err != nil {
		return Publication{}, err
	}
	var in posts.Input
	for _, ch := range chs {
		if channels.Status(ch.Status) != channels.Active {
			continue
		}
		text := v.TextFor(ch.Network)
		if text == "" {
			return Publication{}, problem.Invalidf("texts", "required", "Write the statement's text for every network.")
		}
		in.Variants = append(in.Variants, posts.VariantInput{ChannelID: ch.ID, Text: text})
	}
	if len(in.Variants) == 0 {
		return Publication{}, ErrNoChannel
	}
	// A holding statement may repeat an earlier incident's words on purpose.
	in.ConfirmDuplicate = true
	var postID int64
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		// Read again in the transaction: the incident may have closed, the
		// statement changed (voiding its approval) since the checks above.
		cur, err := tx.GetOpenCrisisIncident(ctx, ws.ID)
		if err != nil || cur.ID != inc.ID {
			return ErrNoIncident
		}
		again, err := tx.GetCrisisStatement(ctx, st.ID)
		if err != nil || again.ApprovedAt == nil || again.Texts != st.Texts {
			return ErrNotApproved
		}
		if postID, err = s.Posts.SaveTx(ctx, tx, user, authority, ws, 0, in, posts.PublishNow, nil, ws.Timezone); err != nil {
			return err
		}
		// Written before the post's jobs can run (same transaction): the
		// publisher finds it and lets this post, and only it, through.
		if err := tx.AddCrisisStatementPost(ctx, store.AddCrisisStatementPostParams{IncidentID: inc.ID, StatementID: st.ID, PostID: postID,
			PublishedBy: &user.ID, CreatedAt: s.now()}); err != nil {
			return err
		}
		return s.record(ctx, tx, inc, &user, KindStatement, st.Title, &postID)
	})
	if errors.Is(err, store.ErrConflict) {
		// Someone published it at the same moment: theirs stands, and the
		// post this transaction made was rolled back with it.
		done, gerr := s.Store.GetCrisisStatementPost(ctx, store.GetCrisisStatementPostParams{IncidentID: inc.ID, StatementID: st.ID})
		if gerr != nil {
			return Publication{}, err
		}
		return s.publication(ctx, done.PostID, true)
	}
	if err != nil {
		return Publication{}, err
	}
	return s.publication(ctx, postID, false)
}

func (s *Service) publication(ctx context.Context, postID int64, again bool) (Publication, error) {
	post, err := s.Store.GetPost(ctx, postID)
	if err != nil {
		return Publication{}, err
	}
	vs, err := s.Store.ListVariantsByPost(ctx, postID)
	if err != nil {
		return Publication{}, err
	}
	return Publication{PostID: postID, Channels: len(vs), Status: post.Status, Again: again}, nil
}
