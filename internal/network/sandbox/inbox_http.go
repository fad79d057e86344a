package sandbox

import (
	"cmp"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxInboxPage is the most items one listing returns.
const MaxInboxPage = 100

// inboxPage is the answer to GET /api/inbox.
type inboxPage struct {
	Items []InboxItem `json:"items"`
	// Next is the cursor of the next listing: the seq of the last item
	// returned, or the request's cursor when nothing is new.
	Next int64 `json:"next"`
	More bool  `json:"more"`
}

// listInbox returns the account's items new or changed after the cursor
// (?after=seq), oldest change first, at most ?limit= (default and cap
// MaxInboxPage). ?since= (RFC 3339) leaves out items written before it.
// Every change to an item gives it a new seq, so an item edited, hidden or
// deleted after a listing shows again in the next one with its new state.
func (s *Server) listInbox(w http.ResponseWriter, r *http.Request, a *account) {
	q := r.URL.Query()
	after, err := strconv.ParseInt(cmp.Or(q.Get("after"), "0"), 10, 64)
	if err != nil || after < 0 {
		fail(w, http.StatusBadRequest, "after is a sequence number")
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > MaxInboxPage {
		limit = MaxInboxPage
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		if since, err = time.Parse(time.RFC3339Nano, v); err != nil {
			fail(w, http.StatusBadRequest, "since is an RFC 3339 time")
			return
		}
	}
	if d := s.inboxDelay(a.ID); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	st := s.audienceOf(a.ID)
	s.generate(st, s.now())
	var found []*InboxItem
	for _, it := range st.items {
		if it.Seq > after && !it.CreatedAt.Before(since) {
			found = append(found, it)
		}
	}
	slices.SortFunc(found, func(x, y *InboxItem) int { return cmp.Compare(x.Seq, y.Seq) })
	page := inboxPage{Items: []InboxItem{}, Next: after, More: len(found) > limit}
	for _, it := range found[:min(limit, len(found))] {
		page.Items = append(page.Items, s.shownItem(st, it))
		page.Next = it.Seq
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, page)
}

// shownItem is an item as a listing shows it: a deleted one keeps no text;
// the caller holds mu.
func (s *Server) shownItem(st *audienceState, it *InboxItem) InboxItem {
	cp := *it
	if cp.Deleted {
		cp.Text = ""
	}
	cp.Author.Blocked = st.Blocked[cp.Author.ID]
	cp.URL = strings.TrimRight(s.opt.PublicURL, "/") + "/u/" + cp.Author.Handle + "/items/" + cp.ID
	return cp
}

// The actions on an item, as POST /api/inbox/{id}/{action}.
var itemActions = []string{"like", "unlike", "hide", "unhide", "delete", "block", "unblock", "read"}

// actOnItem does an action on one of the account's items. Every action is
// idempotent: doing it twice changes nothing the second time.
func (s *Server) actOnItem(w http.ResponseWriter, r *http.Request, a *account) {
	action := r.PathValue("action")
	if !slices.Contains(itemActions, action) {
		fail(w, http.StatusNotFound, "Unknown action: use one of "+strings.Join(itemActions, ", "))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.audienceOf(a.ID)
	s.generate(st, s.now())
	it := s.items[r.PathValue("id")]
	if it == nil || it.Account != a.ID {
		fail(w, http.StatusNotFound, "Record not found")
		return
	}
	if action == "block" || action == "unblock" {
		if st.Blocked[it.Author.ID] != (action == "block") {
			s.persist(record{Type: "block", Block: &blockRecord{Account: a.ID, Author: it.Author.ID, Blocked: action == "block"}})
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	cp := *it
	switch action {
	case "like", "unlike":
		cp.Liked = action == "like"
	case "hide", "unhide":
		cp.Hidden = action == "hide"
	case "delete":
		cp.Deleted = true
	case "read":
		cp.Read = true
	}
	if cp != *it {
		s.itemSeq++
		cp.Seq = s.itemSeq
		s.persist(record{Type: "item", Item: &cp})
	}
	w.WriteHeader(http.StatusNoContent)
}

// getAudience answers ?account=id with its audience setting.
func (s *Server) getAudience(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("account")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts[id] == nil {
		fail(w, http.StatusNotFound, "No such account")
		return
	}
	st := s.audienceOf(id)
	s.generate(st, s.now())
	// A never-set audience reads as silent with the default mix, which is
	// what setting only a rate gives.
	writeJSON(w, http.StatusOK, st.Audience.normalized())
}

// postAudience sets an account's audience.
func (s *Server) postAudience(w http.ResponseWriter, r *http.Request) {
	var in Audience
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "Send a JSON object")
		return
	}
	if field, msg := in.Validate(); msg != "" {
		fail(w, http.StatusUnprocessableEntity, field+": "+msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts[in.Account] == nil {
		fail(w, http.StatusNotFound, "No such account")
		return
	}
	writeJSON(w, http.StatusOK, s.setAudience(in))
}

// Inbox returns every item written to the account, in the order written,
// as it stands (for tests and tools).
func (s *Server) Inbox(account string) []InboxItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.audienceOf(account)
	s.generate(st, s.now())
	out := make([]InboxItem, 0, len(st.items))
	for _, it := range st.items {
		out = append(out, s.shownItem(st, it))
	}
	return out
}

var itemPage = template.Must(template.New("item").Parse(`<!doctype html><html><head><meta charset="utf-8"><title>Sandbox network</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}small{color:#666}</style></head>
<body><article id="{{.ID}}"><small>{{.Author.Name}} @{{.Author.Handle}} · {{.Kind}} · {{.CreatedAt.Format "2006-01-02 15:04:05"}} UTC{{if not .EditedAt.IsZero}} · edited{{end}}{{if .ParentID}} · in reply to {{.ParentID}}{{end}}</small>
{{if .Deleted}}<p><em>deleted</em></p>{{else if .Hidden}}<p><em>hidden by the account</em></p>{{else}}<p>{{.Text}}</p>{{end}}</article></body></html>`))

// itemPage is an item's public page (its URL in a listing). A direct
// message is not public.
func (s *Server) itemPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	it := s.items[r.PathValue("id")]
	var cp InboxItem
	if it != nil {
		cp = *it
	}
	s.mu.Unlock()
	if it == nil || cp.Kind == "message" || cp.Author.Handle != r.PathValue("name") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = itemPage.Execute(w, cp)
}
