package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	webi18n "github.com/tribune-social/tribune/internal/web/i18n"
)

// The moderation pages: the workspace's rules (order, on or off, the form
// for conditions and actions, "try this rule") and its saved replies.
// Reading takes View; the inbox service checks who may change them.

// ruleRows is how many conditions and actions the form offers; a rule
// needing more is written through the API.
const ruleRows = 4

type moderationData struct {
	WS      store.Workspace
	Role    auth.Role
	Rules   []inbox.StoredRule
	Replies []store.SavedReply
	Members []store.ListMembersRow
	// Edit is the rule in the form (ID 0 for a new one).
	Edit moderation.Rule
	// Try is the last "try this rule" result, when one was asked.
	Try *inbox.TryResult
	// Err says why the rule in the form was refused; the form keeps what
	// was typed.
	Err *problem.Error
	// Reply is a saved reply as typed and ReplyErr why it was refused: its
	// form shows it instead of the stored one (or of the blank new one).
	Reply    store.SavedReply
	ReplyErr *problem.Error
}

func (u *ui) moderationPage(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	edit := moderation.Rule{Enabled: true}
	if id := r.URL.Query().Get("edit"); id != "" {
		n, _ := strconv.ParseInt(id, 10, 64)
		sr, err := u.Inbox.Rule(r.Context(), currentUser(r), n)
		if err != nil {
			return err
		}
		if sr.WorkspaceID != ws.ID {
			return problem.NotFound
		}
		edit = sr.Rule
	}
	return u.renderModeration(w, r, ws, moderationData{Edit: edit})
}

// renderModeration draws the page around d's form state (the rule in the
// form, a try result, a refusal), answering a refusal with its status.
func (u *ui) renderModeration(w http.ResponseWriter, r *http.Request, ws store.Workspace, d moderationData) error {
	_, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	user := currentUser(r)
	rules, err := u.Inbox.Rules(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	replies, err := u.Inbox.SavedReplies(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	members, err := u.Auth.Members(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	d.WS, d.Role, d.Rules, d.Replies, d.Members = ws, role, rules, replies, members
	if pe := d.Err; pe != nil || d.ReplyErr != nil {
		if pe == nil {
			pe = d.ReplyErr
		}
		w.WriteHeader(pe.Status)
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Moderation rules"), "inbox"), moderationPage(u.loc(r), d))
}

// ruleFromForm reads the rule form. A value that does not fit its kind is
// left for moderation.Validate to locate.
func ruleFromForm(r *http.Request, members []store.ListMembersRow, replies []store.SavedReply) moderation.Rule {
	rule := moderation.Rule{Name: r.FormValue("name"), Enabled: r.FormValue("enabled") != "", Stop: r.FormValue("stop") != ""}
	rule.Order, _ = strconv.Atoi(strings.TrimSpace(r.FormValue("order")))
	for i := range ruleRows {
		n := strconv.Itoa(i)
		if k := r.FormValue("cond_kind_" + n); k != "" {
			rule.Conditions = append(rule.Conditions, conditionOf(moderation.ConditionKind(k), r.FormValue("cond_not_"+n) != "", strings.TrimSpace(r.FormValue("cond_value_"+n))))
		}
		if k := r.FormValue("act_kind_" + n); k != "" {
			rule.Actions = append(rule.Actions, actionOf(moderation.ActionKind(k), strings.TrimSpace(r.FormValue("act_value_"+n)), members, replies))
		}
	}
	return rule
}

func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func conditionOf(k moderation.ConditionKind, not bool, v string) moderation.Condition {
	c := moderation.Condition{Kind: k, Not: not}
	switch k {
	case moderation.CondKeywords:
		c.Terms = list(v)
	case moderation.CondRegex:
		c.Pattern = v
	case moderation.CondSentimentBelow, moderation.CondSentimentAbove:
		c.Threshold, _ = strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
	case moderation.CondAllCaps:
		c.MinLetters, _ = strconv.Atoi(v)
	default:
		c.Values = list(v)
	}
	return c
}

func actionOf(k moderation.ActionKind, v string, members []store.ListMembersRow, replies []store.SavedReply) moderation.Action {
	a := moderation.Action{Kind: k}
	switch k {
	case moderation.ActTag:
		a.Tag = v
	case moderation.ActAssign:
		for _, m := range members {
			if strings.EqualFold(m.Email, v) || strconv.FormatInt(m.ID, 10) == v {
				a.MemberID = m.ID
			}
		}
	case moderation.ActPriority:
		a.Priority = moderation.Priority(strings.ToLower(v))
	case moderation.ActAutoReply:
		for _, rp := range replies {
			if strings.EqualFold(rp.Name, v) || strconv.FormatInt(rp.ID, 10) == v {
				a.ReplyID = rp.ID
			}
		}
	case moderation.ActEmail:
		a.Emails = list(v)
	case moderation.ActWebhook:
		a.WebhookID, _ = strconv.ParseInt(v, 10, 64)
	}
	return a
}

// conditionValue and actionValue write a stored rule back into the form.
func conditionValue(c moderation.Condition) string {
	switch c.Kind {
	case moderation.CondKeywords:
		return strings.Join(c.Terms, ", ")
	case moderation.CondRegex:
		return c.Pattern
	case moderation.CondSentimentBelow, moderation.CondSentimentAbove:
		return strconv.FormatFloat(c.Threshold, 'f', -1, 64)
	case moderation.CondAllCaps:
		if c.MinLetters == 0 {
			return ""
		}
		return strconv.Itoa(c.MinLetters)
	}
	return strings.Join(c.Values, ", ")
}

func actionValue(a moderation.Action, members []store.ListMembersRow, replies []store.SavedReply) string {
	switch a.Kind {
	case moderation.ActTag:
		return a.Tag
	case moderation.ActAssign:
		for _, m := range members {
			if m.ID == a.MemberID {
				return m.Email
			}
		}
		return strconv.FormatInt(a.MemberID, 10)
	case moderation.ActPriority:
		return string(a.Priority)
	case moderation.ActAutoReply:
		for _, rp := range replies {
			if rp.ID == a.ReplyID {
				return rp.Name
			}
		}
		return strconv.FormatInt(a.ReplyID, 10)
	case moderation.ActEmail:
		return strings.Join(a.Emails, ", ")
	case moderation.ActWebhook:
		return strconv.FormatInt(a.WebhookID, 10)
	}
	return ""
}

func conditionAt(r moderation.Rule, i int) moderation.Condition {
	if i < len(r.Conditions) {
		return r.Conditions[i]
	}
	return moderation.Condition{}
}

func actionAt(r moderation.Rule, i int) moderation.Action {
	if i < len(r.Actions) {
		return r.Actions[i]
	}
	return moderation.Action{}
}

// moderationSave saves the rule form (new, or the rule {id}), or with
// do=try shows what it would have done over the last 30 days.
func (u *ui) moderationSave(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	user := currentUser(r)
	members, err := u.Auth.Members(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	replies, err := u.Inbox.SavedReplies(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	rule := ruleFromForm(r, members, replies)
	if id := r.PathValue("id"); id != "" {
		n, err := pathID(r, "id")
		if err != nil {
			return err
		}
		sr, err := u.Inbox.Rule(r.Context(), user, n)
		if err != nil {
			return err
		}
		if sr.WorkspaceID != ws.ID {
			return problem.NotFound
		}
		rule.ID = n
	}
	if r.FormValue("do") == "try" {
		res, err := u.Inbox.TryRule(r.Context(), user, ws.ID, rule)
		if pe := refused(err); pe != nil {
			return u.renderModeration(w, r, ws, moderationData{Edit: rule, Err: pe})
		}
		if err != nil {
			return err
		}
		return u.renderModeration(w, r, ws, moderationData{Edit: rule, Try: &res})
	}
	_, err = u.Inbox.SaveRule(r.Context(), user, ws.ID, rule)
	if pe := refused(err); pe != nil {
		// The rule comes back as typed, with what to correct.
		return u.renderModeration(w, r, ws, moderationData{Edit: rule, Err: pe})
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Saved"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/moderation")
}

// moderationRuleAct switches the rule {id} on or off, or deletes it.
func (u *ui) moderationRuleAct(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	user := currentUser(r)
	sr, err := u.Inbox.Rule(r.Context(), user, id)
	if err != nil {
		return err
	}
	if sr.WorkspaceID != ws.ID {
		return problem.NotFound
	}
	switch r.FormValue("do") {
	case "enable", "disable":
		err = u.Inbox.SetRuleEnabled(r.Context(), user, id, r.FormValue("do") == "enable")
	case "delete":
		err = u.Inbox.DeleteRule(r.Context(), user, id)
	default:
		err = problem.New(http.StatusUnprocessableEntity, "unknown_action", "Unknown action.")
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Saved"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/moderation")
}

// moderationReply saves a saved reply (new, or {id}), or deletes {id}.
func (u *ui) moderationReply(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var id int64
	if r.PathValue("id") != "" {
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	user := currentUser(r)
	if r.FormValue("do") == "delete" {
		err = u.Inbox.DeleteReply(r.Context(), user, ws.ID, id)
	} else {
		_, err = u.Inbox.SaveReply(r.Context(), user, ws.ID, id, r.FormValue("name"), r.FormValue("body"))
		if pe := refused(err); pe != nil {
			typed := store.SavedReply{ID: id, WorkspaceID: ws.ID, Name: r.FormValue("name"), Body: r.FormValue("body")}
			return u.renderModeration(w, r, ws, moderationData{Edit: moderation.Rule{Enabled: true}, Reply: typed, ReplyErr: pe})
		}
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Saved"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/moderation#replies")
}

// inboxUndo undoes a rule's action on an item of the {ws} workspace.
func (u *ui) inboxUndo(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	user := currentUser(r)
	a, err := u.Inbox.RuleAction(r.Context(), user, id)
	if err != nil {
		return err
	}
	if a.WorkspaceID != ws.ID {
		return problem.NotFound
	}
	if _, err := u.Inbox.UndoRuleAction(r.Context(), user, id); err != nil {
		return err
	}
	it, err := u.Inbox.Item(r.Context(), user, a.ItemID)
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Undone"))
	return redirect(w, r, itemAnchor(ws, it))
}

// Labels, one literal per value so the catalogue test sees each of them.

func conditionLabel(l *webi18n.Localizer, k moderation.ConditionKind) string {
	switch k {
	case moderation.CondKeywords:
		return l.T("Contains the words (comma-separated)")
	case moderation.CondRegex:
		return l.T("Matches the regular expression")
	case moderation.CondSentimentBelow:
		return l.T("Sentiment below (-1 to 1)")
	case moderation.CondSentimentAbove:
		return l.T("Sentiment above (-1 to 1)")
	case moderation.CondLanguage:
		return l.T("Language is (fr, en, other)")
	case moderation.CondNetwork:
		return l.T("Network is")
	case moderation.CondKind:
		return l.T("Type is (comment, mention, quote, message, review)")
	case moderation.CondAuthor:
		return l.T("Author is (handles)")
	case moderation.CondLink:
		return l.T("Contains a link")
	case moderation.CondEmail:
		return l.T("Contains an e-mail address")
	case moderation.CondAllCaps:
		return l.T("Written in capitals (least number of capitals)")
	case moderation.CondOnlyEmojis:
		return l.T("Only emojis")
	case moderation.CondToxic:
		return l.T("Toxic: insults or threats (French, English)")
	case moderation.CondSpam:
		return l.T("Spam: scam patterns, repeated links or text, many mentions")
	}
	return string(k)
}

func ruleActionLabel(l *webi18n.Localizer, k moderation.ActionKind) string {
	switch k {
	case moderation.ActHide:
		return l.T("Hide on the network")
	case moderation.ActDelete:
		return l.T("Delete on the network")
	case moderation.ActTag:
		return l.T("Tag (the tag)")
	case moderation.ActAssign:
		return l.T("Assign to (a member's e-mail)")
	case moderation.ActPriority:
		return l.T("Set the priority (low, normal, high, urgent)")
	case moderation.ActDone:
		return l.T("Mark done")
	case moderation.ActAutoReply:
		return l.T("Reply with (a saved reply's name)")
	case moderation.ActEmail:
		return l.T("Escalate by e-mail (addresses)")
	case moderation.ActWebhook:
		return l.T("Escalate by webhook (endpoint id)")
	}
	return string(k)
}

// ruleFieldLabel names a refused field as the form shows it: the API's
// "conditions[0].pattern" is the form's "Condition 1", "actions[1].tag" its
// "Action 2"; other fields keep their usual label.
func ruleFieldLabel(l *webi18n.Localizer, location string) string {
	for _, row := range []struct{ prefix, label string }{{"conditions[", "Condition %d"}, {"actions[", "Action %d"}} {
		rest, ok := strings.CutPrefix(location, row.prefix)
		if !ok {
			continue
		}
		n, _, ok := strings.Cut(rest, "]")
		if i, err := strconv.Atoi(n); ok && err == nil {
			return l.T(row.label, i+1)
		}
	}
	return fieldLabel(l.Lang(), location)
}
