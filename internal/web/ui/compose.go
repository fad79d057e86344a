package ui

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

// composeData is what the composer page shows.
type composeData struct {
	WS       store.Workspace
	Role     auth.Role
	PostID   int64
	Version  int64
	Status   string
	Channels []store.Channel
	Media    []store.Media
	In       posts.Input
	Text     string // the shared text
	Selected map[int64]bool
	Custom   map[int64]string // channel → its own text, when it differs
	Checks   []posts.VariantView
	Problem  *problem.Error
	TZ       string

	// Script is the address of compose.js (uploads from the composer).
	Script string

	// Visibility is each variant's chosen visibility (Mastodon channels).
	Visibility map[int64]network.Visibility
}

func (u *ui) displayTZ(user store.User, ws store.Workspace) string {
	if user.Timezone != "" {
		return user.Timezone
	}
	return ws.Timezone
}

func (u *ui) composeForm(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.Compose)
	if err != nil {
		return err
	}
	d, err := u.composeBase(r, ws, role)
	if err != nil {
		return err
	}
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		v, _, _, err := u.Posts.Get(r.Context(), currentUser(r), id)
		if err != nil {
			return err
		}
		if v.Post.WorkspaceID != ws.ID {
			return problem.NotFound
		}
		d.PostID, d.Version, d.Status, d.In = id, v.Post.Version, v.Post.Status, v.Input()
		if d.In.Timezone != "" {
			d.TZ = d.In.Timezone
		}
	} else if day := r.URL.Query().Get("at"); day != "" {
		d.In.ScheduledLocal = day
	}
	d.fill()
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Compose"), "compose"), composePage(u.loc(r), d))
}

func (u *ui) composeBase(r *http.Request, ws store.Workspace, role auth.Role) (composeData, error) {
	user := currentUser(r)
	chs, err := u.Channels.List(r.Context(), user, ws.ID)
	if err != nil {
		return composeData{}, err
	}
	ms, err := u.Media.List(r.Context(), user, ws.ID)
	if err != nil {
		return composeData{}, err
	}
	return composeData{WS: ws, Role: role, Channels: chs, Media: ms, TZ: u.displayTZ(user, ws), Script: u.assets.URL("compose.js")}, nil
}

// fill derives the shared text and per-channel overrides from the input.
func (d *composeData) fill() {
	d.Selected, d.Custom, d.Visibility = map[int64]bool{}, map[int64]string{}, map[int64]network.Visibility{}
	for i, v := range d.In.Variants {
		d.Selected[v.ChannelID] = true
		d.Visibility[v.ChannelID] = v.Visibility
		if i == 0 {
			d.Text = v.Text
		} else if v.Text != d.Text {
			d.Custom[v.ChannelID] = v.Text
		}
	}
}

// inputFromForm reads the composer form: one shared text, optional
// per-channel texts, a thread written as items separated by a line "---".
func inputFromForm(r *http.Request, tz string) (posts.Input, posts.Action, error) {
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return posts.Input{}, "", errBadForm.Wrap(err)
	}
	if r.MultipartForm != nil {
		// The composer sends no file, but a crafted one would stay in os.TempDir().
		_ = r.MultipartForm.RemoveAll()
	}
	if err := checkForm(r); err != nil {
		return posts.Input{}, "", err
	}
	f := r.Form
	text := f.Get("text")
	var thread []string
	for _, part := range strings.Split(strings.ReplaceAll(f.Get("thread"), "\r\n", "\n"), "\n---\n") {
		if strings.TrimSpace(part) != "" {
			thread = append(thread, strings.TrimSpace(part))
		}
	}
	var mediaIDs []int64
	for _, m := range f["media"] {
		if id, err := strconv.ParseInt(m, 10, 64); err == nil {
			mediaIDs = append(mediaIDs, id)
		}
	}
	in := posts.Input{Timezone: tz, ScheduledLocal: strings.TrimSpace(f.Get("scheduled_local")), ConfirmDuplicate: f.Get("confirm_duplicate") != ""}
	if len(in.ScheduledLocal) > 16 { // datetime-local may carry seconds
		in.ScheduledLocal = in.ScheduledLocal[:16]
	}
	if v := f.Get("version"); v != "" {
		in.Version, _ = strconv.ParseInt(v, 10, 64)
	}
	for _, t := range strings.Split(f.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			in.Tags = append(in.Tags, t)
		}
	}
	for _, c := range f["channel"] {
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			continue
		}
		vt := text
		if own := f.Get("text_" + c); strings.TrimSpace(own) != "" {
			vt = own
		}
		in.Variants = append(in.Variants, posts.VariantInput{ChannelID: id, Text: vt, Link: strings.TrimSpace(f.Get("link")),
			FirstComment: f.Get("first_comment"), Thread: thread, MediaIDs: mediaIDs, Visibility: network.Visibility(f.Get("visibility_" + c))})
	}
	return in, posts.Action(f.Get("action")), nil
}

func (u *ui) composeSave(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.Compose)
	if err != nil {
		return err
	}
	user := currentUser(r)
	var postID int64
	if r.PathValue("id") != "" {
		if postID, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	tz := u.displayTZ(user, ws)
	in, action, err := inputFromForm(r, tz)
	if err != nil {
		return err
	}
	if action == "" {
		action = posts.SaveDraft
	}
	v, err := u.Posts.Save(r.Context(), user, ws.ID, postID, in, action)
	if err != nil {
		var pe *problem.Error
		if errors.As(err, &pe) && pe.Status < 500 && pe.Status != http.StatusForbidden {
			// Show the form again with everything typed and what is wrong.
			d, berr := u.composeBase(r, ws, role)
			if berr != nil {
				return berr
			}
			d.PostID, d.In, d.Problem, d.Version = postID, in, pe, in.Version
			d.fill()
			if len(in.Variants) > 0 {
				d.Checks, _ = u.Posts.Check(r.Context(), user, ws.ID, in)
			}
			w.WriteHeader(pe.Status)
			return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Compose"), "compose"), composePage(u.loc(r), d))
		}
		return err
	}
	flash(w, u.loc(r).T("Saved")+" — "+u.loc(r).T(stateLabel(v.Post.Status)))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/posts/"+itoa(v.Post.ID))
}

// composeCheck answers the composer's live validation (htmx, on every keystroke).
func (u *ui) composeCheck(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Compose)
	if err != nil {
		return err
	}
	user := currentUser(r)
	in, _, err := inputFromForm(r, u.displayTZ(user, ws))
	if err != nil {
		return err
	}
	var checks []posts.VariantView
	if len(in.Variants) > 0 {
		if checks, err = u.Posts.Check(r.Context(), user, ws.ID, in); err != nil {
			return err
		}
	}
	var media []store.Media
	if len(firstVariant(in).MediaIDs) > 0 {
		if media, err = u.Media.List(r.Context(), user, ws.ID); err != nil {
			return err
		}
	}
	cards := previewsOf(checks, media)
	u.linkCards(ws.ID, cards)
	return fragment(w, r, composeLive(u.loc(r), ws.ID, checks, cards))
}

// ---- post page and actions

func (u *ui) postDetail(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	user := currentUser(r)
	v, _, _, err := u.Posts.Get(r.Context(), user, id)
	if err != nil {
		return err
	}
	if v.Post.WorkspaceID != ws.ID {
		return problem.NotFound
	}
	h, err := u.Posts.History(r.Context(), user, id)
	if err != nil {
		return err
	}
	when := ""
	if v.Post.ScheduledAt != nil {
		when = u.loc(r).Date(*v.Post.ScheduledAt, loadLoc(u.displayTZ(user, ws)), "long")
	}
	link := ""
	if c, err := r.Cookie("tribune_review_link"); err == nil {
		link = c.Value
		http.SetCookie(w, &http.Cookie{Name: "tribune_review_link", Path: "/", MaxAge: -1})
	}
	d := postPageData{WS: ws, Role: role, View: v, History: h, When: when, ReviewLink: link, Loc: loadLoc(u.displayTZ(user, ws))}
	if d.Media, err = u.postMedia(r, v); err != nil {
		return err
	}
	d.settle()
	if live := r.URL.Query().Get("live"); live != "" && isHTMX(r) {
		return liveAnswer(w, d, live)
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Post")+" #"+itoa(id), "posts"), postPage(u.loc(r), d))
}

type postPageData struct {
	WS         store.Workspace
	Role       auth.Role
	View       posts.View
	History    posts.History
	When       string
	ReviewLink string
	// Loc is the zone the page's times are shown in (the user's, else the workspace's).
	Loc *time.Location
	// Deleted: every variant that went out was deleted from its network.
	Deleted bool
	// CanPublishNow: the approval rule lets this member send the post out
	// now, and the post is in a state where that means something.
	CanPublishNow bool
	// Media are the library items the variants carry, by id.
	Media map[int64]store.Media
	// Live is the post's state as shown, set while it may change on its
	// own: the page polls with it and reloads when it differs.
	Live string
}

func loadLoc(tz string) *time.Location {
	l, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return l
}

func (u *ui) postAction(w http.ResponseWriter, r *http.Request) error {
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
	user, ctx := currentUser(r), r.Context()
	back := "/w/" + itoa(ws.ID) + "/posts/" + itoa(id)
	l := u.loc(r)
	switch r.PathValue("action") {
	case "approve":
		version, _ := strconv.ParseInt(r.FormValue("version"), 10, 64)
		if _, err = u.Posts.Approve(ctx, user, id, version, r.FormValue("note")); err == nil {
			flash(w, l.T("Approved"))
		}
	case "reject":
		if _, err = u.Posts.Reject(ctx, user, id, r.FormValue("reason")); err == nil {
			flash(w, l.T("Rejected"))
		}
	case "comment":
		_, err = u.Posts.Comment(ctx, user, id, r.FormValue("body"))
	case "unschedule":
		err = u.Posts.Unschedule(ctx, user, id)
	case "delete":
		if r.FormValue("confirm") != "1" {
			return u.confirmDelete(w, r, ws, id)
		}
		if err = u.Posts.Delete(ctx, user, id); err == nil {
			if _, _, _, gerr := u.Posts.Get(ctx, user, id); gerr != nil { // gone, not kept for its published variants
				back = "/w/" + itoa(ws.ID) + "/posts"
			}
			flash(w, l.T("Deleted"))
		}
	case "submit", "publish_now", "queue", "schedule":
		var v posts.View
		if v, _, _, err = u.Posts.Get(ctx, user, id); err == nil {
			in := v.Input()
			in.Version = v.Post.Version
			in.ConfirmDuplicate = r.FormValue("confirm_duplicate") != ""
			_, err = u.Posts.Save(ctx, user, ws.ID, id, in, posts.Action(r.PathValue("action")))
		}
	case "review-link":
		var tok string
		if tok, err = u.Posts.CreateReviewLink(ctx, user, id, r.FormValue("reviewer")); err == nil {
			http.SetCookie(w, &http.Cookie{Name: "tribune_review_link", Value: u.PublicURL + "/review/" + tok, Path: "/", MaxAge: 60, HttpOnly: true, Secure: u.Secure, SameSite: http.SameSiteStrictMode})
		}
	default:
		return problem.NotFound
	}
	if err != nil {
		return err
	}
	return redirect(w, r, back)
}

func (u *ui) retryVariant(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Schedule)
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
	post, err := u.Posts.PostOfVariant(r.Context(), currentUser(r), id)
	if err != nil {
		return problem.NotFound
	}
	if err := u.Posts.Retry(r.Context(), currentUser(r), id, r.FormValue("confirm_not_published") != ""); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Queued again"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/posts/"+itoa(post.ID))
}

// ---- reviewer link (no account)

func (u *ui) reviewPage(w http.ResponseWriter, r *http.Request) error {
	rv, err := u.Posts.ReviewByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	when := ""
	if rv.View.Post.ScheduledAt != nil {
		when = u.loc(r).Date(*rv.View.Post.ScheduledAt, loadLoc(rv.Workspace.Timezone), "long") + " (" + loadLoc(rv.Workspace.Timezone).String() + ")"
	}
	return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Review"), ""), reviewPage(u.loc(r), rv.Link, rv.View, rv.Workspace.Name, when, r.PathValue("token")))
}

func (u *ui) reviewDecide(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	approve := r.FormValue("decision") == "approve"
	if err := u.Posts.DecideByToken(r.Context(), r.PathValue("token"), approve, r.FormValue("reason")); err != nil {
		return err
	}
	return u.reviewPage(w, r)
}

var _ = json.Marshal
var _ = schedule.LocalLayout
