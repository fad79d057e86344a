package ui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/bulk"
	"github.com/tribune-social/tribune/internal/calendar"
	"github.com/tribune-social/tribune/internal/calendar/keydates"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/i18n"
)

// calendarFilter reads ?channel=&status=&author=&tag=.
func calendarFilter(r *http.Request) (calendar.Filter, map[string]string) {
	q := r.URL.Query()
	f := calendar.Filter{}
	raw := map[string]string{}
	if v, err := strconv.ParseInt(q.Get("channel"), 10, 64); err == nil && v > 0 {
		f.ChannelID, raw["channel"] = &v, q.Get("channel")
	}
	if v, err := strconv.ParseInt(q.Get("author"), 10, 64); err == nil && v > 0 {
		f.AuthorID, raw["author"] = &v, q.Get("author")
	}
	if v := q.Get("status"); v != "" {
		f.Status, raw["status"] = &v, v
	}
	if v := strings.TrimPrefix(q.Get("tag"), "#"); v != "" {
		f.Tag, raw["tag"] = &v, v
	}
	return f, raw
}

type calendarData struct {
	WS       store.Workspace
	Role     auth.Role
	Channels []store.Channel
	Members  []store.ListMembersRow
	Filter   map[string]string
	TZ       string
	View     string
	Query    string
	ICal     string
	Share    calendar.ShareState
	ShareURL string // a new share link, shown once
}

func (u *ui) calendarPage(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	user := currentUser(r)
	chs, err := u.Channels.List(r.Context(), currentUser(r), ws.ID)
	if err != nil {
		return err
	}
	members, err := u.Auth.Members(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	_, raw := calendarFilter(r)
	// Only a view the address names is passed on: without one the page
	// picks (the member's saved choice, else the list on a phone, the month
	// elsewhere), which the server cannot, not knowing the screen.
	view := r.URL.Query().Get("view")
	switch view {
	case "dayGridMonth", "timeGridWeek", "timeGridDay", "listDay", "listMonth":
	default:
		view = ""
	}
	d := calendarData{WS: ws, Role: role, Channels: chs, Members: members, Filter: raw, TZ: u.displayTZ(user, ws), View: view,
		Query: r.URL.RawQuery}
	if c, err := r.Cookie(icalLinkCookie); err == nil {
		d.ICal = c.Value // shown once, right after it was made
		http.SetCookie(w, &http.Cookie{Name: icalLinkCookie, Path: "/", MaxAge: -1})
	}
	if d.Share, err = u.Calendar.Share(r.Context(), user, ws.ID); err != nil {
		return err
	}
	if c, err := r.Cookie(shareLinkCookie); err == nil {
		d.ShareURL = c.Value // shown once, right after it was made
		http.SetCookie(w, &http.Cookie{Name: shareLinkCookie, Path: "/", MaxAge: -1})
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Calendar"), "calendar"), calendarPage(u.loc(r), d))
}

// parseBound reads FullCalendar's start/end parameters: RFC 3339, or a
// wall-clock time (with or without seconds) or a date in tz.
func parseBound(s, tz string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	loc := loadLoc(tz)
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, problem.Invalidf("start", "bad_time", "Bad date.")
}

// TruncatedHeader tells the calendar page that the range held more posts
// than one answer carries (its value: how many were sent).
const TruncatedHeader = "Tribune-Truncated"

// calendarEvent is FullCalendar's event object.
type calendarEvent struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Start    string     `json:"start"`
	URL      string     `json:"url,omitempty"`
	ClassNm  []string   `json:"classNames"`
	Editable bool       `json:"editable"`
	AllDay   bool       `json:"allDay,omitempty"`
	Display  string     `json:"display,omitempty"`
	Extended eventProps `json:"extendedProps"`
}

// eventProps is what app.js reads of an event beyond FullCalendar's fields
// (a struct: encoding 5,000 maps, keys sorted, was a fifth of the answer's time).
type eventProps struct {
	Status      string   `json:"status"`
	StatusLabel string   `json:"statusLabel"`
	Channels    []string `json:"channels"`
	KeyDate     string   `json:"keyDate,omitempty"` // the keydates.Kind of a background key date
}

func (u *ui) calendarEvents(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	user := currentUser(r)
	tz := u.displayTZ(user, ws)
	q := r.URL.Query()
	from, err := parseBound(q.Get("start"), tz)
	if err != nil {
		return err
	}
	to, err := parseBound(q.Get("end"), tz)
	if err != nil {
		return err
	}
	f, _ := calendarFilter(r)
	page, _, err := u.Calendar.Heads(r.Context(), user, ws.ID, from, to, f)
	if err != nil {
		return err
	}
	loc := loadLoc(tz)
	l := u.loc(r)
	events := make([]calendarEvent, 0, len(page.Entries))
	for _, e := range page.Entries {
		var names []string
		for _, c := range e.Channels {
			names = append(names, c.Name)
		}
		movable := role.Can(auth.Compose) && (posts.Status(e.Post.Status) == posts.Draft || posts.Status(e.Post.Status) == posts.NeedsApproval || posts.Status(e.Post.Status) == posts.Approved || posts.Status(e.Post.Status) == posts.Scheduled)
		events = append(events, calendarEvent{
			ID: itoa(e.Post.ID), Title: e.Title(), Start: e.Post.ScheduledAt.In(loc).Format("2006-01-02T15:04:05"),
			URL: "/w/" + itoa(ws.ID) + "/posts/" + itoa(e.Post.ID), ClassNm: []string{"ev-" + e.Post.Status}, Editable: movable,
			Extended: eventProps{Status: e.Post.Status, StatusLabel: l.T(stateLabel(e.Post.Status)), Channels: names},
		})
	}
	events = append(events, keyDateEvents(l, from.In(loc), to.In(loc))...)
	w.Header().Set("Content-Type", "application/json")
	if page.Truncated {
		// The page shows its own translated notice when it sees this.
		w.Header().Set(TruncatedHeader, strconv.Itoa(len(page.Entries)))
	}
	return json.NewEncoder(w).Encode(events)
}

// keyDateEvents are the key dates of the view's days (its wall-clock bounds
// in the viewer's zone) as FullCalendar background events, named in the
// viewer's language.
func keyDateEvents(l *i18n.Localizer, from, to time.Time) []calendarEvent {
	wallDay := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	end := wallDay(to)
	if !to.Equal(time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, to.Location())) {
		end = end.AddDate(0, 0, 1) // a view ending mid-day still shows that day
	}
	var out []calendarEvent
	for _, d := range keydates.Between(wallDay(from), end) {
		name := l.T(d.Name)
		out = append(out, calendarEvent{ID: "kd-" + d.Key() + "-" + string(d.Kind), Title: name, Start: d.Key(), AllDay: true, Display: "background",
			ClassNm: []string{"kd", "kd-" + string(d.Kind)}, Extended: eventProps{StatusLabel: name, KeyDate: string(d.Kind)}})
	}
	return out
}

// calendarMove handles a drag and drop: {"post_id": 1, "start": "2026-03-30T09:00"}
// in the viewer's time zone.
func (u *ui) calendarMove(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Compose)
	if err != nil {
		return err
	}
	var in struct {
		PostID json.Number `json:"post_id"`
		Start  string      `json:"start"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
		return errBadForm.Wrap(err)
	}
	id, err := in.PostID.Int64()
	if err != nil {
		return errBadForm.Wrap(err)
	}
	user := currentUser(r)
	t, err := parseBound(in.Start, u.displayTZ(user, ws))
	if err != nil {
		return err
	}
	v, err := u.Posts.MoveTo(r.Context(), user, ws.ID, id, t)
	if err != nil {
		pe := problem.As(err)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(pe.Status)
		return json.NewEncoder(w).Encode(map[string]string{"error": pe.Localized(u.lang(r))})
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]any{"id": v.Post.ID, "status": v.Post.Status, "scheduled_local": v.Post.ScheduledLocal})
}

type listData struct {
	WS        store.Workspace
	Entries   []calendar.Head
	Truncated bool
	Drafts    []store.Post
	Channels  []store.Channel
	Filter    map[string]string
	TZ        string
}

func (u *ui) postList(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	user := currentUser(r)
	now := u.Now()
	f, raw := calendarFilter(r)
	page, _, err := u.Calendar.Heads(r.Context(), user, ws.ID, now.Add(-30*24*time.Hour), now.Add(120*24*time.Hour), f)
	if err != nil {
		return err
	}
	drafts, err := u.Calendar.Drafts(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	chs, err := u.Channels.List(r.Context(), currentUser(r), ws.ID)
	if err != nil {
		return err
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Posts"), "posts"), listPage(u.loc(r), listData{WS: ws, Entries: page.Entries, Truncated: page.Truncated, Drafts: drafts, Channels: chs, Filter: raw, TZ: u.displayTZ(user, ws)}))
}

func (u *ui) exportCSV(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	now := u.Now()
	var buf bytes.Buffer
	if err := u.Calendar.Export(r.Context(), currentUser(r), ws.ID, now.Add(-90*24*time.Hour), now.Add(90*24*time.Hour), &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tribune-calendar.csv"`)
	_, err = w.Write(buf.Bytes())
	return err
}

func (u *ui) importForm(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Compose)
	if err != nil {
		return err
	}
	chs, err := u.Channels.List(r.Context(), currentUser(r), ws.ID)
	if err != nil {
		return err
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Import"), "posts"), importPage(u.loc(r), ws, chs, calendar.ImportOptions{Format: bulk.Auto}, nil, u.assets.URL("import.js")))
}

func (u *ui) importCSV(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Compose)
	if err != nil {
		return err
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return errBadForm.Wrap(err)
	}
	defer r.MultipartForm.RemoveAll() // a file over 8 MB went to os.TempDir()
	if err := checkForm(r); err != nil {
		return err
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		return problem.Invalidf("file", "required", "Choose a CSV file.")
	}
	defer file.Close()
	var ids []int64
	for _, c := range r.Form["channel"] {
		if id, err := strconv.ParseInt(c, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	opt := calendar.ImportOptions{Format: bulk.Format(r.FormValue("format")),
		DateOrder: r.FormValue("date_order"), ChannelIDs: ids, ImportValid: r.FormValue("import_valid") != "",
		ImportDuplicates: r.FormValue("import_duplicates") != "", DryRun: r.FormValue("dry_run") != ""}
	done := trackImport(currentUser(r).ID, r.FormValue("progress_key"), &opt)
	defer done()
	rep, err := u.Importer.Import(r.Context(), currentUser(r), ws.ID, file, opt)
	if err != nil {
		return err
	}
	chs, err := u.Channels.List(r.Context(), currentUser(r), ws.ID)
	if err != nil {
		return err
	}
	// The form comes back with the choices just made.
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Import"), "posts"), importPage(u.loc(r), ws, chs, opt, &rep, u.assets.URL("import.js")))
}

// importCount writes n with the catalogue's singular or plural key: French
// uses the singular for 0 and 1, English for 1 only.
func importCount(l *i18n.Localizer, n int, one, other string) string {
	if n == 1 || (n == 0 && l.Lang() == "fr") {
		return l.T(one, n)
	}
	return l.T(other, n)
}

// importLayout is one choice of the import form's layout list.
type importLayout struct {
	Value, Label string
	Selected     bool
}

// importLayouts lists the layouts, the one of opt selected.
func importLayouts(l *i18n.Localizer, opt calendar.ImportOptions) []importLayout {
	var out []importLayout
	for _, f := range bulk.Formats {
		c := importLayout{Value: string(f), Label: f.Label(), Selected: opt.Format == f || (opt.Format == "" && f == bulk.Auto)}
		if f == bulk.Auto {
			c.Label = l.T("Recognise from the file")
		}
		out = append(out, c)
	}
	return out
}

// hasID reports whether id is in ids.
func hasID(ids []int64, id int64) bool { return slices.Contains(ids, id) }

// icalLinkCookie carries a new iCal URL from the rotation to the page that
// shows it once.
const icalLinkCookie = "tribune_ical_link"

// rotateICal makes a new iCal address; the old one stops working.
func (u *ui) rotateICal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "ws")
	if err != nil {
		return err
	}
	link, err := u.Calendar.RotateICal(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: icalLinkCookie, Value: link, Path: "/", MaxAge: 60, HttpOnly: true, Secure: u.Secure, SameSite: http.SameSiteStrictMode})
	return redirect(w, r, "/w/"+itoa(id)+"/calendar")
}

func (u *ui) ical(w http.ResponseWriter, r *http.Request) error {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		return problem.NotFound
	}
	var buf bytes.Buffer
	if err := u.Calendar.ICal(r.Context(), token, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	_, err := w.Write(buf.Bytes())
	return err
}

// channelQueue is one channel's queue as the queue page lists it.
type channelQueue struct {
	Channel store.Channel
	Entries []posts.QueueEntry
}

type queueData struct {
	WS     store.Workspace
	Role   auth.Role
	Queues []channelQueue
	TZ     string
}

// queuePage lists every channel's queue in order, with the moves the
// member may make.
func (u *ui) queuePage(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	user := currentUser(r)
	chs, err := u.Channels.List(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	d := queueData{WS: ws, Role: role, TZ: u.displayTZ(user, ws)}
	for _, c := range chs {
		es, err := u.Posts.Queue(r.Context(), user, ws.ID, c.ID)
		if err != nil {
			return err
		}
		d.Queues = append(d.Queues, channelQueue{Channel: c, Entries: es})
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Queues"), "calendar"), queuePage(u.loc(r), d))
}

// queueMove moves a post up or down its channel's queue (form: post, direction).
func (u *ui) queueMove(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	chID, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	postID, err := strconv.ParseInt(r.FormValue("post"), 10, 64)
	if err != nil {
		return errBadForm.Wrap(err)
	}
	dir := posts.QueueDown
	if r.FormValue("direction") == "up" {
		dir = posts.QueueUp
	}
	if _, err := u.Posts.MoveInQueue(r.Context(), currentUser(r), ws.ID, chID, postID, dir); err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/queue#queue-"+itoa(chID))
}

// queueEmpty takes every post of a channel's queue back to draft.
func (u *ui) queueEmpty(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	chID, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	n, err := u.Posts.EmptyQueue(r.Context(), currentUser(r), ws.ID, chID)
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Posts taken back to draft: %d.", n))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/queue#queue-"+itoa(chID))
}

// shareLinkCookie carries a new share link from its making to the calendar
// page that shows it once.
const shareLinkCookie = "tribune_share_link"

// rotateShare makes a new read-only share link (form: show_drafts); the
// previous one stops working.
func (u *ui) rotateShare(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "ws")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	link, err := u.Calendar.RotateShare(r.Context(), currentUser(r), id, r.FormValue("show_drafts") != "")
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: shareLinkCookie, Value: link, Path: "/", MaxAge: 60, HttpOnly: true, Secure: u.Secure, SameSite: http.SameSiteStrictMode})
	return redirect(w, r, "/w/"+itoa(id)+"/calendar")
}

// revokeShare ends the share link.
func (u *ui) revokeShare(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "ws")
	if err != nil {
		return err
	}
	if err := u.Calendar.RevokeShare(r.Context(), currentUser(r), id); err != nil {
		return err
	}
	flash(w, u.loc(r).T("The share link no longer works."))
	return redirect(w, r, "/w/"+itoa(id)+"/calendar")
}

// sharedPage is the read-only calendar a share link opens: no controls, no
// drafts unless the link was made to show them.
// ?page=-1 or 1 shows the span before or after the first one.
func (u *ui) sharedPage(w http.ResponseWriter, r *http.Request) error {
	page := 0
	if v := r.URL.Query().Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return calendar.ErrSharePage
		}
		page = p
	}
	c, err := u.Calendar.Shared(r.Context(), r.PathValue("token"), page)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	return u.render(w, r, u.pageData(r, nil, c.Workspace, ""), sharedPage(u.loc(r), c))
}

// dayTitle is a day as a heading in the viewer's language ("lundi 6 avril
// 2026", "Monday, April 6, 2026").
func dayTitle(l *i18n.Localizer, t time.Time) string {
	if l.Lang() == "fr" {
		days := [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
		months := [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
		return days[t.Weekday()] + " " + strconv.Itoa(t.Day()) + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("Monday, January 2, 2006")
}
