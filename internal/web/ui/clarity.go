package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	catalog "github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/notify"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/i18n"
)

// zonedTime writes t in loc as the language writes dates, followed by the
// zone's name, so that nobody has to guess which clock a time is on.
func zonedTime(l *i18n.Localizer, t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return l.Date(t, loc, "short") + " (" + loc.String() + ")"
}

// userLoc is the signed-in user's time zone, UTC when none is set.
func userLoc(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	return loadLoc(tz)
}

// notFound answers an address no route claims with a real page (in the
// layout, in the user's language, status 404) instead of the bare text of
// http.NotFound.
func (u *ui) notFound(w http.ResponseWriter, r *http.Request) error {
	return errPageNotFound
}

var errPageNotFound = problem.New(http.StatusNotFound, "page_not_found", "This page does not exist. Check the address, or go back to the calendar.")

// favicon sends browsers that ask for /favicon.ico on their own to the
// hashed SVG icon the pages link to.
func (u *ui) favicon(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, u.assets.URL("favicon.svg"), http.StatusMovedPermanently)
	return nil
}

// confirmDelete asks before deleting a post; a post that went out is also
// deleted from the networks, which the question says.
func (u *ui) confirmDelete(w http.ResponseWriter, r *http.Request, ws store.Workspace, id int64) error {
	v, _, _, err := u.Posts.Get(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	if v.Post.WorkspaceID != ws.ID {
		return problem.NotFound
	}
	l := u.loc(r)
	detail := l.T("The post and its history are deleted. This cannot be undone.")
	for _, vv := range v.Variants {
		if publish.VariantState(vv.State) == publish.VariantPublished {
			detail = l.T("The post is also deleted from the networks it went out on. This cannot be undone.")
			break
		}
	}
	back := "/w/" + itoa(ws.ID) + "/posts/" + itoa(id)
	return u.render(w, r, u.pageData(r, &ws, l.T("Delete"), "posts"), confirmPage(l, l.T("Delete post #%s?", itoa(id)), detail, r.URL.Path, l.T("Delete"), back))
}

// settle works out what the post page may offer: a post deleted from the
// networks offers neither "Publish now" nor "View on the network", and
// "Publish now" is offered only to a member whom the approval rule lets
// release the post (posts.MayPublishNow), so nobody is shown a button the
// use case would turn into something else.
func (d *postPageData) settle() {
	deleted := 0
	for _, v := range d.View.Variants {
		if publish.VariantState(v.State) == publish.VariantDeleted {
			deleted++
		}
	}
	d.Deleted = deleted > 0 && deleted == len(d.View.Variants)
	st := posts.Status(d.View.Post.Status)
	if st == posts.Scheduled || st == posts.Publishing {
		d.Live = d.liveState()
	}
	d.CanPublishNow = !d.Deleted && st != posts.Publishing && st != posts.Published && posts.MayPublishNow(d.WS, d.Role)
}

// liveState sums up what the post page shows that the publisher changes:
// the post's status and version and each variant's state.
func (d *postPageData) liveState() string {
	var b strings.Builder
	b.WriteString(d.View.Post.Status + "." + itoa(d.View.Post.Version))
	for _, v := range d.View.Variants {
		b.WriteString("." + itoa(v.ID) + "-" + v.State)
	}
	return b.String()
}

// liveAnswer answers the post page's poll: nothing while the post is as
// shown (the poll goes on), a full reload once it changed (and the new page
// stops polling when the post has settled).
func liveAnswer(w http.ResponseWriter, d postPageData, shown string) error {
	if d.liveState() != shown {
		w.Header().Set("HX-Refresh", "true")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// The publish log is stored as the publisher wrote it (English codes and
// Tribune's own sentences, the network's words verbatim) and translated
// when shown: steps and outcomes are closed sets, Tribune's sentences are
// catalogue keys, matched whole or by their fixed prefix. What a network
// answered stays in the network's words.
var (
	logSteps = map[string]string{
		string(publish.KindPost): "Post", string(publish.KindThread): "Thread", string(publish.KindComment): "First comment",
		"media": "Media", "hold": "Hold", "check_live": "Visibility check", "delete": "Deletion",
		publish.StepRateLimit: "Rate limit",
	}
	logOutcomes = map[string]string{
		string(publish.OutcomeOK): "OK", string(publish.OutcomeRetry): "Will retry", string(publish.OutcomeFailed): "Failed",
		string(publish.OutcomeUnknown): "Unknown", string(publish.OutcomeRecovered): "Recovered", string(publish.OutcomeHeld): "Held",
	}
	logSentences = []string{
		"publishing is paused for this workspace", "visible on the network", "the network still does not show the post",
		"deleted from the network", "not on the network: sending again",
		"holding statement of the open crisis: published although publishing is paused",
	}
	// logPrefixes are sentences followed by a value (a key, an id, a duration).
	logPrefixes = []string{"attempt ", "recover ", "uploaded as ", "another run is sending this message; looking again in ",
		"waiting for the network's rate limit (no call made) until "}
)

// logText translates one stored log text as described above.
func logText(l *i18n.Localizer, s string) string {
	for _, k := range logSentences {
		if s == k {
			return l.T(k)
		}
	}
	for _, p := range logPrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return l.T(strings.TrimSpace(p)) + " " + rest
		}
	}
	return s
}

// logLabel translates a step or an outcome code; an unknown code is shown as is.
func logLabel(l *i18n.Localizer, labels map[string]string, code string) string {
	if k, ok := labels[code]; ok {
		return l.T(k)
	}
	return code
}

// storedText shows a text Tribune stored in English for people to read
// later (a notification, a comment an approval wrote) in l's language.
func storedText(l *i18n.Localizer, s string) string { return notify.Text(l.Lang(), s) }

// postMedia loads the media the post's variants carry, to show each with
// the alt text it goes out with. An item since removed from the library is
// left out (the variant card says so).
func (u *ui) postMedia(r *http.Request, v posts.View) (map[int64]store.Media, error) {
	out := map[int64]store.Media{}
	for _, vv := range v.Variants {
		for _, id := range vv.MediaIDs {
			if _, ok := out[id]; ok {
				continue
			}
			m, err := u.Media.Get(r.Context(), currentUser(r), id)
			if err != nil {
				if problem.As(err).Status == http.StatusForbidden || problem.As(err).Status == http.StatusNotFound {
					continue
				}
				return nil, err
			}
			out[id] = m
		}
	}
	return out, nil
}

// fieldLabels name, as the forms label them, the fields a problem's
// details point at (by the last part of the location, list indexes left
// out: "variants[1].text" is the Text field).
var fieldLabels = map[string]string{
	"name": "Name", "file": "File", "variants": "Channels", "channel": "Channel", "body": "Comment", "visibility": "Visibility",
	"timezone": "Time zone", "role": "Role", "password": "Password", "current_password": "Current password", "email": "E-mail",
	"text": "Text", "first_comment": "First comment", "link": "Link", "thread": "Thread", "media": "Media", "reason": "Reason",
	"reviewer": "Client reviewer's name", "handle": "Handle", "scheduled_local": "When", "time": "Time", "times": "Time",
	"slots": "Queue", "post": "Post", "schedule_horizon_days": "Posts may be scheduled up to (days ahead)",
	"duplicate_window_hours": "Flag duplicates scheduled within (hours)", "expires_at": "Expires",
}

// fieldLabel is the translated name of the field at location; a location
// without a label is shown as it is.
func fieldLabel(lang, location string) string {
	last := location
	if i := strings.LastIndex(last, "."); i >= 0 {
		last = last[i+1:]
	}
	if i := strings.Index(last, "["); i >= 0 {
		last = last[:i]
	}
	if k, ok := fieldLabels[last]; ok {
		return catalog.T(lang, k)
	}
	return location
}

// jobStates label River's job states (rivertype.JobState) on the status page.
var jobStates = map[string]string{
	"available": "Waiting to run", "cancelled": "Cancelled", "completed": "Completed", "discarded": "Discarded",
	"pending": "Pending", "retryable": "Will retry", "running": "Running", "scheduled": "Scheduled",
}

// sizeLabel writes a file size as people read it, in the language's units.
func sizeLabel(l *i18n.Localizer, n int64) string {
	switch {
	case n >= 1<<20:
		mb := strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
		if l.Lang() == "fr" {
			mb = strings.Replace(mb, ".", ",", 1) // the French decimal comma
		}
		return l.T("%s MB", mb)
	case n >= 1<<10:
		return l.T("%s KB", itoa(n/(1<<10)))
	}
	return l.T("%s bytes", itoa(n))
}
