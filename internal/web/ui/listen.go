package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// Listening's pages (issue 15): the topics and their queries
// (/w/{ws}/listen), the query editor that checks as you type and previews
// the last 7 days, and the sources (/w/{ws}/listen/sources). The other tabs
// of the listening sub-navigation (dashboard, mentions, signals, alerts,
// crisis) are their own features' pages.

// listenNav is the key of the listening pages in the workspace navigation.
const listenNav = "listen"

type listenData struct {
	WS     store.Workspace
	Role   auth.Role
	Topics []listen.Topic
	Err    *problem.Error
	// TopicForm is what was typed in the add-topic form, kept when refused.
	TopicForm listen.TopicInput
}

func (d listenData) canEdit() bool { return d.Role.Can(auth.Schedule) }

func (u *ui) renderListen(w http.ResponseWriter, r *http.Request, d listenData) error {
	ts, err := u.Listen.Topics(r.Context(), currentUser(r), d.WS.ID)
	if err != nil {
		return err
	}
	d.Topics = ts
	if d.Err != nil {
		w.WriteHeader(d.Err.Status)
	}
	return u.render(w, r, u.pageData(r, &d.WS, u.loc(r).T("Listening"), listenNav), listenTopicsPage(u.loc(r), d))
}

func (u *ui) listenPage(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	return u.renderListen(w, r, listenData{WS: ws, Role: role, TopicForm: listen.TopicInput{Kind: listen.KindBrand}})
}

func topicInput(r *http.Request) listen.TopicInput {
	return listen.TopicInput{Name: r.FormValue("name"), Kind: listen.TopicKind(r.FormValue("kind")), Color: r.FormValue("color")}
}

func (u *ui) createListenTopic(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	in := topicInput(r)
	_, err = u.Listen.CreateTopic(r.Context(), currentUser(r), ws.ID, in)
	if pe := refused(err); pe != nil {
		return u.renderListen(w, r, listenData{WS: ws, Role: role, Err: pe, TopicForm: in})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/listen")
}

func (u *ui) updateListenTopic(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, err = u.Listen.UpdateTopic(r.Context(), currentUser(r), ws.ID, id, topicInput(r))
	if pe := refused(err); pe != nil {
		return u.renderListen(w, r, listenData{WS: ws, Role: role, Err: pe, TopicForm: listen.TopicInput{Kind: listen.KindBrand}})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/listen")
}

func (u *ui) deleteListenTopic(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := u.Listen.DeleteTopic(r.Context(), currentUser(r), ws.ID, id); err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/listen")
}

// queryEditorData is the query editor's page.
type queryEditorData struct {
	WS     store.Workspace
	Topics []listen.Topic
	// Query is the saved query (ID 0 for a new one); Form what was typed.
	Query listen.Query
	Form  listen.QueryInput
	Err   *problem.Error
	Check queryCheck
}

// queryCheck is the editor's live panel: the syntax check with the error's
// place marked, and the preview.
type queryCheck struct {
	Text    string
	Preview listen.Preview
}

// before, at and after cut the query around the error's column, so the
// page marks the character where the query stops making sense.
func (c queryCheck) parts() (before, at, after string) {
	rs := []rune(c.Text)
	i := min(max(c.Preview.Offset, 0), len(rs))
	before = string(rs[:i])
	if i < len(rs) {
		return before, string(rs[i : i+1]), string(rs[i+1:])
	}
	return before, " ", ""
}

// message is the syntax error in lang.
func (c queryCheck) message(lang string) string {
	if lang == "fr" && c.Preview.MessageFR != "" {
		return c.Preview.MessageFR
	}
	return c.Preview.Message
}

func queryInput(r *http.Request) listen.QueryInput {
	in := listen.QueryInput{Name: r.FormValue("name"), Query: r.FormValue("query"), IncludeOwn: r.FormValue("include_own") == "1"}
	in.TopicID, _ = parseInt64(r.FormValue("topic_id"))
	enabled := r.FormValue("enabled") != "0"
	in.Enabled = &enabled
	return in
}

func (u *ui) renderQueryEditor(w http.ResponseWriter, r *http.Request, d queryEditorData) error {
	ctx, user := r.Context(), currentUser(r)
	ts, err := u.Listen.Topics(ctx, user, d.WS.ID)
	if err != nil {
		return err
	}
	d.Topics = ts
	if d.Form.Query != "" {
		p, err := u.Listen.Preview(ctx, user, d.WS.ID, d.Form.Query, d.Form.IncludeOwn)
		if err != nil {
			return err
		}
		d.Check = queryCheck{Text: d.Form.Query, Preview: p}
	}
	if d.Err != nil {
		w.WriteHeader(d.Err.Status)
	}
	title := u.loc(r).T("New query")
	if d.Query.ID != 0 {
		title = u.loc(r).T("Edit the query")
	}
	return u.render(w, r, u.pageData(r, &d.WS, title, listenNav), queryEditorPage(u.loc(r), d))
}

func (u *ui) newListenQuery(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Schedule)
	if err != nil {
		return err
	}
	topic, _ := parseInt64(r.URL.Query().Get("topic"))
	return u.renderQueryEditor(w, r, queryEditorData{WS: ws, Form: listen.QueryInput{TopicID: topic}})
}

func (u *ui) editListenQuery(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q, err := u.Listen.Query(r.Context(), currentUser(r), ws.ID, id)
	if err != nil {
		return err
	}
	en := q.Enabled
	return u.renderQueryEditor(w, r, queryEditorData{WS: ws, Query: q, Form: listen.QueryInput{TopicID: q.TopicID, Name: q.Name, Query: q.Query, IncludeOwn: q.IncludeOwn, Enabled: &en}})
}

func (u *ui) saveListenQuery(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	in := queryInput(r)
	var q listen.Query
	id := int64(0)
	if r.PathValue("id") != "" {
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
		q, err = u.Listen.Query(r.Context(), currentUser(r), ws.ID, id)
		if err != nil {
			return err
		}
		_, err = u.Listen.UpdateQuery(r.Context(), currentUser(r), ws.ID, id, in)
	} else {
		_, err = u.Listen.CreateQuery(r.Context(), currentUser(r), ws.ID, in)
	}
	if pe := refused(err); pe != nil {
		// Refused: what was typed stays in the editor, the saved query as
		// it was.
		return u.renderQueryEditor(w, r, queryEditorData{WS: ws, Query: q, Form: in, Err: pe})
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Query saved."))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/listen")
}

func (u *ui) deleteListenQuery(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := u.Listen.DeleteQuery(r.Context(), currentUser(r), ws.ID, id); err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/listen")
}

// checkListenQuery is the editor's live panel, asked for by htmx as the
// query is typed: the syntax check and the preview, saving nothing.
func (u *ui) checkListenQuery(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	in := queryInput(r)
	var c queryCheck
	if strings.TrimSpace(in.Query) != "" {
		p, err := u.Listen.Preview(r.Context(), currentUser(r), ws.ID, in.Query, in.IncludeOwn)
		if err != nil {
			return err
		}
		c = queryCheck{Text: in.Query, Preview: p}
	}
	return fragment(w, r, queryCheckPanel(u.loc(r), c))
}

// sourcesData is the sources page.
type sourcesData struct {
	WS      store.Workspace
	Role    auth.Role
	Sources []listen.Source
	Kinds   []source.Kind
	// Editing is the source whose form is open (its page); Kind the kind
	// of the add form shown.
	Editing *listen.Source
	Kind    string
	Form    listen.SourceInput
	Err     *problem.Error
	Storm   string
	// Deleted is a deletion that left something on the network.
	Deleted *listen.SourceDeleted
	// Settings are the listening settings; RetentionInput the months field
	// as typed (kept as it was when refused); Saved says they were just saved.
	Settings       listen.Settings
	RetentionInput string
	Saved          bool
}

// sourcesRefresh is how often the sources page refreshes the status of its
// sources: a source's state and counters move by themselves.
const sourcesRefresh = "5s"

func (d sourcesData) canManage() bool { return d.Role.Can(auth.ManageChannels) }

func (u *ui) renderSources(w http.ResponseWriter, r *http.Request, d sourcesData) error {
	ss, err := u.Listen.Sources(r.Context(), currentUser(r), d.WS.ID)
	if err != nil {
		return err
	}
	d.Sources, d.Kinds = ss, u.Listen.KindList()
	if d.Settings, err = u.Listen.Settings(r.Context(), currentUser(r), d.WS.ID); err != nil {
		return err
	}
	if d.RetentionInput == "" {
		d.RetentionInput = strconv.Itoa(d.Settings.RetentionMonths)
	}
	if d.Err != nil {
		w.WriteHeader(d.Err.Status)
	}
	return u.render(w, r, u.pageData(r, &d.WS, u.loc(r).T("Sources"), listenNav), listenSourcesPage(u.loc(r), d))
}

func (u *ui) listenSourcesPage(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	return u.renderSources(w, r, sourcesData{WS: ws, Role: role, Kind: r.URL.Query().Get("kind"), Storm: r.URL.Query().Get("storm"),
		Saved: r.URL.Query().Get("saved") == "retention"})
}

// listenSourcesStatus is the sources page's refresh: each source's status
// cells, swapped in place by id.
func (u *ui) listenSourcesStatus(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	ss, err := u.Listen.Sources(r.Context(), currentUser(r), ws.ID)
	if err != nil {
		return err
	}
	return fragment(w, r, sourcesStatus(u.loc(r), ss))
}

// saveListenSettings saves the listening settings (the retention).
func (u *ui) saveListenSettings(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	typed := strings.TrimSpace(r.FormValue("retention_months"))
	months, convErr := strconv.Atoi(typed)
	if convErr != nil {
		months = 0 // refused by the use case with its message
	}
	_, err = u.Listen.SaveSettings(r.Context(), currentUser(r), ws.ID, listen.Settings{RetentionMonths: months})
	if pe := refused(err); pe != nil {
		return u.renderSources(w, r, sourcesData{WS: ws, Role: role, Err: pe, RetentionInput: typed})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/listen/sources?saved=retention")
}

func sourceInput(r *http.Request, kinds []source.Kind, kind string) listen.SourceInput {
	in := listen.SourceInput{Kind: kind, Name: r.FormValue("name"), Values: map[string]string{}}
	for _, k := range kinds {
		if k.Name != kind {
			continue
		}
		for _, f := range k.Fields {
			in.Values[f.Name] = r.FormValue("v_" + f.Name)
		}
	}
	return in
}

func (u *ui) createListenSource(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	in := sourceInput(r, u.Listen.KindList(), r.FormValue("kind"))
	_, err = u.Listen.CreateSource(r.Context(), currentUser(r), ws.ID, in)
	if pe := refused(err); pe != nil {
		return u.renderSources(w, r, sourcesData{WS: ws, Role: role, Kind: in.Kind, Form: in, Err: pe})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/listen/sources")
}

func (u *ui) editListenSource(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	src, err := u.Listen.Source(r.Context(), currentUser(r), ws.ID, id)
	if err != nil {
		return err
	}
	return u.renderSources(w, r, sourcesData{WS: ws, Role: role, Editing: &src, Form: listen.SourceInput{Kind: src.Kind, Name: src.Name, Values: src.Config}})
}

func (u *ui) updateListenSource(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	src, err := u.Listen.Source(r.Context(), currentUser(r), ws.ID, id)
	if err != nil {
		return err
	}
	in := sourceInput(r, u.Listen.KindList(), src.Kind)
	_, err = u.Listen.UpdateSource(r.Context(), currentUser(r), ws.ID, id, in)
	if pe := refused(err); pe != nil {
		return u.renderSources(w, r, sourcesData{WS: ws, Role: role, Editing: &src, Form: in, Err: pe})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/listen/sources")
}

func (u *ui) toggleListenSource(enabled bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ws, _, err := u.workspace(r, auth.View)
		if err != nil {
			return err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if _, err := u.Listen.SetSourceEnabled(r.Context(), currentUser(r), ws.ID, id, enabled); err != nil {
			return err
		}
		return redirect(w, r, "/w/"+itoa(ws.ID)+"/listen/sources")
	}
}

func (u *ui) deleteListenSource(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	out, err := u.Listen.DeleteSource(r.Context(), currentUser(r), ws.ID, id)
	if err != nil {
		return err
	}
	if out.Leftover != "" {
		// Shown at once rather than after a redirect: the page is the only
		// place the user learns what to remove on the network by hand.
		return u.renderSources(w, r, sourcesData{WS: ws, Role: role, Deleted: &out})
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/listen/sources")
}

func (u *ui) listenSourceStorm(w http.ResponseWriter, r *http.Request) error {
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
	st, err := u.Listen.SandboxStorm(r.Context(), currentUser(r), ws.ID, id, r.FormValue("mode"))
	if err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/listen/sources?storm="+st.Mode)
}

func parseInt64(s string) (int64, error) { return strconv.ParseInt(strings.TrimSpace(s), 10, 64) }
