package ui

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

// ---- channels

type channelRow struct {
	store.Channel
	Rules rules.Network
	Slots []schedule.Slot
	// Audience is a Sandbox channel's simulated audience; nil when the
	// Sandbox did not answer (the page still shows, with the form empty).
	Audience *sandbox.Audience
	// LimitedUntil is when the account's rate limit, heard by publishing or
	// by the inbox's polling, ends; nil when none holds. It tells the user
	// why posts wait and the inbox is quiet.
	LimitedUntil *time.Time
}

// audienceValue is a field of the audience form.
func audienceValue(a *sandbox.Audience, field string) string {
	if a == nil {
		return map[string]string{"rate": "0", "positive": "50", "neutral": "30", "negative": "20"}[field]
	}
	switch field {
	case "rate":
		return strconv.FormatFloat(a.Rate, 'f', -1, 64)
	case "positive":
		return strconv.Itoa(a.Positive)
	case "neutral":
		return strconv.Itoa(a.Neutral)
	default:
		return strconv.Itoa(a.Negative)
	}
}

// audienceSpeaks reports whether the audience writes in lang.
func audienceSpeaks(a *sandbox.Audience, lang string) bool {
	return a == nil || len(a.Languages) == 0 || slices.Contains(a.Languages, lang)
}

func (u *ui) channelsPage(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	user := currentUser(r)
	chs, err := u.Channels.List(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	rows := make([]channelRow, 0, len(chs))
	for _, c := range chs {
		slots, err := u.Channels.Queue(r.Context(), user, c.ID)
		if err != nil {
			return err
		}
		net, _ := rules.Get(c.Network)
		row := channelRow{Channel: c, Rules: net, Slots: slots}
		if until, held := channels.LimitHolds(c, u.Now()); held {
			row.LimitedUntil = &until
		}
		if c.Network == "sandbox" && role.Can(auth.ManageChannels) {
			// A separate Sandbox that is down must not hold the page for
			// the network timeout: the form then shows without its values.
			actx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			if a, err := u.Channels.SandboxAudience(actx, user, c.ID); err == nil {
				row.Audience = &a
			}
			cancel()
		}
		rows = append(rows, row)
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Channels"), "channels"), channelsPage(u.loc(r), ws, role, rows))
}

func (u *ui) connectChannel(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.ManageChannels)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	user, ctx := currentUser(r), r.Context()
	back := "/w/" + itoa(ws.ID) + "/channels"
	switch r.PathValue("network") {
	case "sandbox":
		_, err = u.Channels.ConnectSandbox(ctx, user, ws.ID, r.FormValue("name"))
	case "bluesky":
		_, err = u.Channels.ConnectBluesky(ctx, user, ws.ID, r.FormValue("pds_url"), r.FormValue("handle"), r.FormValue("app_password"))
	case "mastodon":
		var to string
		if to, err = u.Channels.StartMastodon(ctx, user, ws.ID, r.FormValue("instance_url")); err == nil {
			http.Redirect(w, r, to, http.StatusSeeOther)
			return nil
		}
	default:
		return problem.NotFound
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Channel connected"))
	return redirect(w, r, back)
}

func (u *ui) mastodonCallback(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return problem.New(http.StatusBadRequest, "oauth_denied", "Mastodon did not authorise Tribune: %s").Format(e)
	}
	ch, err := u.Channels.FinishMastodon(r.Context(), currentUser(r), q.Get("state"), q.Get("code"))
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Channel connected"))
	return redirect(w, r, "/w/"+itoa(ch.WorkspaceID)+"/channels")
}

func (u *ui) channelFromPath(r *http.Request) (store.Workspace, int64, error) {
	ws, _, err := u.workspace(r, auth.ManageChannels)
	if err != nil {
		return ws, 0, err
	}
	id, err := pathID(r, "id")
	return ws, id, err
}

// saveQueue reads slots written one a line: "mon 09:00", "1 09:00" or "lundi 09:00".
func (u *ui) saveQueue(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := u.channelFromPath(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var slots []schedule.Slot
	for _, day := range r.Form["day"] {
		d, err := strconv.Atoi(day)
		if err != nil || d < 0 || d > 6 {
			continue
		}
		for _, t := range strings.FieldsFunc(r.FormValue("times"), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' }) {
			hm, err := time.Parse("15:04", strings.TrimSpace(t))
			if err != nil {
				return problem.Invalidf("times", "bad_time", "Write times as HH:MM, separated by commas.")
			}
			slots = append(slots, schedule.Slot{Weekday: time.Weekday(d), Minute: hm.Hour()*60 + hm.Minute()})
		}
	}
	if err := u.Channels.SetQueue(r.Context(), currentUser(r), id, slots); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Queue saved"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/channels")
}

func (u *ui) saveFaults(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := u.channelFromPath(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := sandbox.Faults{Mode: r.FormValue("mode"), Message: r.FormValue("message")}
	f.Count, _ = strconv.Atoi(r.FormValue("count"))
	f.ForSeconds, _ = strconv.Atoi(r.FormValue("for_seconds"))
	f.RetryAfter, _ = strconv.Atoi(r.FormValue("retry_after"))
	f.Status, _ = strconv.Atoi(r.FormValue("status"))
	if err := u.Channels.SimulateFaults(r.Context(), currentUser(r), id, f); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Sandbox updated"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/channels")
}

// saveAudience sets a Sandbox channel's simulated audience.
func (u *ui) saveAudience(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := u.channelFromPath(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var a sandbox.Audience
	number := func(field string) (float64, error) {
		v := strings.TrimSpace(r.FormValue(field))
		if v == "" {
			return 0, nil
		}
		f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
		if err != nil {
			return 0, problem.Invalidf(field, "not_a_number", "Enter a number.")
		}
		return f, nil
	}
	if a.Rate, err = number("rate"); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		to   *int
	}{{"positive", &a.Positive}, {"neutral", &a.Neutral}, {"negative", &a.Negative}, {"storm_minutes", &a.StormMinutes}} {
		n, err := number(f.name)
		if err != nil {
			return err
		}
		*f.to = int(n)
	}
	// Nothing ticked is an empty list, which the service refuses (nil
	// would mean both).
	a.Languages = append([]string{}, r.Form["languages"]...)
	a.EndStorm = r.FormValue("end_storm") == "1"
	if _, err := u.Channels.SetSandboxAudience(r.Context(), currentUser(r), id, a); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Audience saved"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/channels")
}

func (u *ui) deleteChannel(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := u.channelFromPath(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if r.FormValue("confirm") != "1" {
		// Disconnecting drops the channel's queue and its unsent variants:
		// ask first, on a page of its own (the check comes before the
		// question, so another workspace's channel is never named).
		ch, err := u.Channels.Get(r.Context(), currentUser(r), id, auth.ManageChannels)
		if err != nil {
			return err
		}
		if ch.WorkspaceID != ws.ID {
			return problem.NotFound
		}
		l := u.loc(r)
		back := "/w/" + itoa(ws.ID) + "/channels"
		return u.render(w, r, u.pageData(r, &ws, l.T("Disconnect"), "channels"), confirmPage(l, l.T("Disconnect %s?", ch.Name),
			l.T("Its queue and the posts not yet sent to it are dropped. This cannot be undone."), r.URL.Path, l.T("Disconnect"), back))
	}
	if err := u.Channels.Disconnect(r.Context(), currentUser(r), id); err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/channels")
}

// ---- media

func (u *ui) mediaPage(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	ms, err := u.Media.List(r.Context(), currentUser(r), ws.ID)
	if err != nil {
		return err
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Media library"), "media"), mediaPage(u.loc(r), ws, role, ms))
}

// upload reads an upload form (file, alt, tags) within the media limit and
// stores the file through the media use case; the library's form and the
// composer's button and drop both send one. The form's temporary files are
// removed before it returns.
func (u *ui) upload(w http.ResponseWriter, r *http.Request, workspaceID int64) (store.Media, error) {
	cleanup, err := u.Media.ParseUploadForm(w, r)
	if err != nil {
		return store.Media{}, err
	}
	defer cleanup()
	if err := checkForm(r); err != nil {
		return store.Media{}, err
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return store.Media{}, problem.Invalidf("file", "required", "Choose a file.")
	}
	defer file.Close()
	return u.Media.Upload(r.Context(), currentUser(r), workspaceID, hdr.Filename, file, r.FormValue("alt"), strings.Split(r.FormValue("tags"), ","))
}

func (u *ui) mediaUpload(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Compose)
	if err != nil {
		return err
	}
	if _, err := u.upload(w, r, ws.ID); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Uploaded"))
	next := safeNext(r.FormValue("next"))
	if next == "/" {
		next = "/w/" + itoa(ws.ID) + "/media"
	}
	return redirect(w, r, next)
}

func (u *ui) mediaDescribe(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Compose)
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
	if _, err := u.Media.Describe(r.Context(), currentUser(r), id, r.FormValue("alt"), strings.Split(r.FormValue("tags"), ",")); err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/media")
}

func (u *ui) mediaFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := u.Media.Get(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	f, err := u.Media.Open(m)
	if err != nil {
		return problem.NotFound.Wrap(err)
	}
	defer f.Close()
	w.Header().Set("Content-Type", m.MIME)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	_, err = io.Copy(w, f)
	return err
}

// ---- team and settings

func (u *ui) teamPage(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	members, err := u.Auth.Members(r.Context(), currentUser(r), ws.ID)
	if err != nil {
		return err
	}
	var invites []store.Invitation
	if role.Can(auth.ManageTeam) { // the page shows invitations only to those who may send them
		if invites, err = u.Auth.Invitations(r.Context(), currentUser(r), ws.ID); err != nil {
			return err
		}
	}
	link := ""
	if c, err := r.Cookie("tribune_invite_link"); err == nil {
		link = c.Value
		http.SetCookie(w, &http.Cookie{Name: "tribune_invite_link", Path: "/", MaxAge: -1})
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Team"), "team"), teamPage(u.loc(r), ws, role, members, invites, link))
}

func (u *ui) teamInvite(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.ManageTeam)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	tok, err := u.Auth.Invite(r.Context(), currentUser(r), ws.ID, r.FormValue("email"), auth.Role(r.FormValue("role")))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "tribune_invite_link", Value: u.PublicURL + "/invite/" + tok, Path: "/", MaxAge: 60, HttpOnly: true, Secure: u.Secure, SameSite: http.SameSiteStrictMode})
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/team")
}

func (u *ui) teamRole(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.ManageTeam)
	if err != nil {
		return err
	}
	uid, err := pathID(r, "user")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if r.FormValue("role") == "remove" {
		err = u.Auth.RemoveMember(r.Context(), currentUser(r), ws.ID, uid)
	} else {
		err = u.Auth.SetRole(r.Context(), currentUser(r), ws.ID, uid, auth.Role(r.FormValue("role")))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/team")
}

func (u *ui) settingsPage(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Settings"), "settings"), settingsPage(u.loc(r), ws, role, currentUser(r)))
}

func (u *ui) saveSettings(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "ws")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	user := currentUser(r)
	if r.FormValue("form") == "me" {
		// Personal preferences need only membership.
		if _, _, err := u.Auth.Authorize(r.Context(), user, id, auth.View); err != nil {
			return err
		}
		if _, err := u.Auth.SetPreferences(r.Context(), user, auth.Preferences{Name: r.FormValue("name"), Locale: r.FormValue("locale"),
			Timezone: r.FormValue("timezone")}); err != nil {
			return err
		}
	} else {
		// The form's fields as the use case takes them: a blank name keeps
		// the current one, a blank horizon leaves it, an unreadable number
		// is one the use case refuses.
		in := posts.WorkspaceSettings{Timezone: ptr(r.FormValue("timezone")), RequireApproval: ptr(r.FormValue("require_approval") != ""),
			DuplicateWindowHours: ptr(formInt(r.FormValue("duplicate_window_hours")))}
		if name := strings.TrimSpace(r.FormValue("name")); name != "" {
			in.Name = &name
		}
		if v := r.FormValue("schedule_horizon_days"); v != "" {
			in.ScheduleHorizonDays = ptr(formInt(v))
		}
		if _, _, err := u.Posts.UpdateWorkspace(r.Context(), user, id, in); err != nil {
			return err
		}
	}
	flash(w, u.loc(r).T("Settings saved"))
	return redirect(w, r, "/w/"+itoa(id)+"/settings")
}

func ptr[T any](v T) *T { return &v }

// formInt reads a whole number from a form field; anything else is -1,
// which every count the use cases take refuses with their own message.
func formInt(v string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func (u *ui) createWorkspace(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ws, err := u.Auth.AddWorkspace(r.Context(), currentUser(r), r.FormValue("name"), r.FormValue("timezone"))
	if err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/channels")
}

// ---- crisis

func (u *ui) pause(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Crisis)
	if err != nil {
		return err
	}
	if err := u.Posts.Pause(r.Context(), currentUser(r), ws.ID); err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/crisis")
}

func (u *ui) resume(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Crisis)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var send []int64
	for _, s := range r.Form["send"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			send = append(send, id)
		}
	}
	if err := u.Posts.Resume(r.Context(), currentUser(r), ws.ID, send); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Publishing resumed"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/calendar")
}

var _ posts.View
