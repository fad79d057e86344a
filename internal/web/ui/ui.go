// Package ui is the browser interface: server-rendered pages (templ) with
// htmx, signed in by a session cookie and protected against cross-site
// requests by Go's CrossOriginProtection. The route table is routes(); each
// handler returns an error that render turns into a page.
package ui

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/calendar"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/idempotency"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/linkcard"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/listen/analysis"
	"github.com/tribune-social/tribune/internal/listen/signals"
	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/media"
	"github.com/tribune-social/tribune/internal/notify"
	"github.com/tribune-social/tribune/internal/ops"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/edge"
	"github.com/tribune-social/tribune/internal/web/i18n"
	"github.com/tribune-social/tribune/internal/web/layout"
	"github.com/tribune-social/tribune/internal/web/static"
	"github.com/tribune-social/tribune/internal/web/webctx"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// Deps are the use cases the UI needs.
type Deps struct {
	Auth      *auth.Service
	Posts     *posts.Service
	Channels  *channels.Service
	Media     *media.Service
	Calendar  *calendar.Service
	Importer  *calendar.Importer
	LinkCards *linkcard.Service
	Status    *ops.Status
	Log       *slog.Logger
	Now       func() time.Time
	PublicURL string
	// Secure marks cookies Secure (Tribune is served over HTTPS).
	Secure bool

	// Notifications lists and counts a user's in-app notifications.
	Notifications *notify.Notifier

	// Inbox is the community inbox.
	Inbox *inbox.Service
	// Idempotency keeps a refused reply's text and reason for the page
	// the member is sent to (inbox_reply_draft.go).
	Idempotency *idempotency.Records
	// Live streams workspace events and presence to open pages (nil: the
	// live routes answer 404). LiveHeartbeat is the stream's keep-alive
	// period (0: 15 s).
	Live          *live.Broker
	LiveHeartbeat time.Duration
	// Webhooks manages the workspace's outgoing webhooks.
	Webhooks *webhooks.Service
	// Contacts is one person across networks.
	Contacts *contacts.Service
	// Crisis is the crisis cell: incidents, playbooks, reports.
	Crisis *crisis.Service
	// Listen is listening: topics, queries, sources (issue 15).
	Listen *listen.Service
	// ListenAnalysis is the listening dashboard and mention list.
	ListenAnalysis *analysis.Service
	// Signals and Alerts are listening's weak signals and alert rules.
	Signals *signals.Service
	Alerts  *alerts.Service
}

// SessionCookie names the session cookie.
const SessionCookie = "tribune_session"

type ui struct {
	Deps
	i18n   *i18n.Bundle
	assets *static.Assets
}

// Static returns the handler of embedded assets.
func Static() http.Handler {
	a, err := static.New()
	if err != nil {
		panic(err) // the embedded files are part of the binary; failing here is a build bug
	}
	return a.Handler()
}

// New builds the UI handler.
func New(d Deps) (http.Handler, error) {
	b, err := i18n.New()
	if err != nil {
		return nil, err
	}
	a, err := static.New()
	if err != nil {
		return nil, err
	}
	u := &ui{Deps: d, i18n: b, assets: a}
	mux := http.NewServeMux()
	u.routes(mux)
	cop := http.NewCrossOriginProtection()
	return securityHeaders(cop.Handler(u.session(u.validText(mux)))), nil
}

// handler is a page action that can fail.
type handler func(w http.ResponseWriter, r *http.Request) error

// securityHeaders sets the CSP and friends on every page. Inline scripts are
// not allowed: page behaviour lives in /static/app.js.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self' http: https:")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// session attaches the signed-in user (if any) to the request.
func (u *ui) session(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			if user, err := u.Auth.SessionUser(r.Context(), c.Value); err == nil {
				r = r.WithContext(webctx.WithUser(r.Context(), user))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// page wraps a handler that needs a signed-in user.
func (u *ui) page(h handler) http.Handler {
	return u.public(func(w http.ResponseWriter, r *http.Request) error {
		if _, ok := webctx.User(r.Context()); !ok {
			if isHTMX(r) {
				// A script's request would follow a redirect and take the
				// sign-in page for its answer: say so instead (renderError).
				return problem.Unauthorized
			}
			http.Redirect(w, r, "/login?next="+urlEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return nil
		}
		return h(w, r)
	})
}

// public wraps a handler that renders its own errors.
func (u *ui) public(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			u.renderError(w, r, err)
		}
	})
}

func (u *ui) lang(r *http.Request) string {
	pref := ""
	if user, ok := webctx.User(r.Context()); ok {
		pref = user.Locale
	}
	if c, err := r.Cookie("tribune_lang"); err == nil && pref == "" {
		pref = c.Value
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"), pref)
}

func (u *ui) loc(r *http.Request) *i18n.Localizer { return u.i18n.Localizer(u.lang(r)) }

// renderError shows the safe message; htmx requests get a fragment.
func (u *ui) renderError(w http.ResponseWriter, r *http.Request, err error) {
	pe := problem.As(err)
	if pe.Status >= 500 {
		u.Log.Error("ui", "path", edge.RedactPath(r.URL.Path), "err", err)
	}
	if pe.Status == http.StatusUnauthorized {
		switch {
		case !isHTMX(r):
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		case r.Header.Get("HX-Boosted") == "true":
			// A boosted form is a navigation: go to the sign-in page.
			_ = redirect(w, r, "/login")
			return
		}
		// A request made while the page is in use (the composer's live
		// check, its upload, a post page following the publisher) keeps
		// the page and what was typed, and says why it failed.
	}
	lang := u.lang(r)
	msg := pe.Localized(lang)
	var details []string
	for _, d := range pe.Details {
		details = append(details, fieldLabel(lang, d.Location)+" — "+d.Localized(lang))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Retarget", "#flash")
		w.Header().Set("HX-Reswap", "innerHTML")
		// The page stays: a boosted form would otherwise put the address
		// it posted to (a POST-only route) in the address bar and history.
		w.Header().Set("HX-Push-Url", "false")
		w.WriteHeader(pe.Status)
		_ = errorFragment(msg, details).Render(r.Context(), w)
		return
	}
	// A success left by an earlier page is stale once something failed: it
	// is neither shown above the error nor kept for the next page.
	clearFlash(w, r)
	w.WriteHeader(pe.Status)
	pd := u.pageData(r, nil, u.loc(r).T("Error"), "")
	pd.Flash = ""
	_ = layout.Page(pd, errorFragment(msg, details)).Render(r.Context(), w)
}

// render writes a full page.
func (u *ui) render(w http.ResponseWriter, r *http.Request, pd layout.PageData, body templ.Component) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if pd.Flash != "" && !pd.FlashError {
		// The page shows the flash: it is spent, the next page does not repeat it.
		clearFlash(w, r)
	}
	return layout.Page(pd, body).Render(r.Context(), w)
}

// fragment writes an htmx fragment.
func fragment(w http.ResponseWriter, r *http.Request, c templ.Component) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return c.Render(r.Context(), w)
}

// pageData fills the layout's data for a signed-in page.
func (u *ui) pageData(r *http.Request, ws *store.Workspace, title, nav string) layout.PageData {
	pd := layout.PageData{Title: title, Localizer: u.loc(r), Assets: u.assets, Nav: nav}
	user, ok := webctx.User(r.Context())
	if !ok {
		return pd
	}
	pd.User = layout.User{Name: user.Name}
	if refs, err := u.Auth.Workspaces(r.Context(), user); err == nil {
		for _, w := range refs {
			pd.Workspaces = append(pd.Workspaces, layout.WorkspaceLink{ID: w.ID, Name: w.Name})
		}
	}
	if ws != nil {
		pd.CurrentWorkspace = layout.WorkspaceLink{ID: ws.ID, Name: ws.Name}
		pd.Paused = ws.PausedAt != nil
		if u.Crisis != nil {
			if inc, err := u.Crisis.Current(r.Context(), user, ws.ID); err == nil {
				pd.Crisis, pd.CrisisURL = inc.Title, incidentURL(ws.ID, inc.ID)
			}
		}
	}
	if n, err := u.Notifications.Unread(r.Context(), user); err == nil {
		pd.Unread = int(n)
	}
	if c, err := r.Cookie(flashCookie); err == nil {
		pd.Flash, _ = url.QueryUnescape(c.Value)
	}
	return pd
}

// flashCookie carries a one-shot message from an action to the page it
// redirects to.
const flashCookie = "tribune_flash"

// flash leaves a one-shot message for the next page (render spends it).
func flash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(cookieSafe(msg)), Path: "/", MaxAge: 5, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// clearFlash expires the flash cookie the request carried, if any, so a
// message is shown on one page only.
func clearFlash(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(flashCookie); err != nil {
		return
	}
	for _, c := range w.Header().Values("Set-Cookie") {
		if strings.HasPrefix(c, flashCookie+"=") {
			return // this response leaves a new message: keep it
		}
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// cookieSafe keeps the characters a cookie value may hold.
func cookieSafe(s string) string {
	out := make([]rune, 0, len(s))
	for _, c := range s {
		if c >= 0x20 && c < 0x7f && c != '"' && c != ';' && c != '\\' && c != ',' {
			out = append(out, c)
		} else if c >= 0x80 {
			out = append(out, c)
		}
	}
	if len(out) > 300 {
		out = out[:300]
	}
	return string(out)
}

func currentUser(r *http.Request) store.User {
	u, _ := webctx.User(r.Context())
	return u
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.NotFound
	}
	return id, nil
}

// workspace loads the {ws} of the path with permission p.
func (u *ui) workspace(r *http.Request, p auth.Permission) (store.Workspace, auth.Role, error) {
	id, err := pathID(r, "ws")
	if err != nil {
		return store.Workspace{}, "", err
	}
	return u.Auth.Authorize(r.Context(), currentUser(r), id, p)
}

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// redirect sends the browser on, also from an htmx request.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

var errBadForm = problem.New(http.StatusBadRequest, "bad_form", "The form could not be read.")

func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errBadForm.Wrap(err)
	}
	return checkForm(r)
}

// checkForm refuses form values that are not valid UTF-8 or hold a NUL
// character (see validText), multipart fields included.
func checkForm(r *http.Request) error {
	if r.MultipartForm != nil {
		if err := edge.CheckValues("form", r.MultipartForm.Value); err != nil {
			return err
		}
	}
	return edge.CheckValues("form", r.Form)
}

// validText refuses, with the same 422 on SQLite and PostgreSQL (which
// would fail with a 500), a path, query string or URL-encoded form that is
// not valid UTF-8 or holds a NUL character. Multipart forms are checked by
// the handlers that parse them (checkForm).
func (u *ui) validText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := edge.CheckURL(r.URL)
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && ct == "application/x-www-form-urlencoded" {
			err = parseForm(r)
		}
		if err != nil {
			u.renderError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

var _ = errors.New
var _ = context.Background
