package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/web/layout"
	"github.com/tribune-social/tribune/internal/web/webctx"
)

func urlEscape(s string) string { return url.QueryEscape(s) }

func (u *ui) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: u.Secure,
		SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(auth.SessionLifetime)})
}

// home sends people where they belong: setup on an empty installation,
// sign-in, or their first workspace's calendar.
func (u *ui) home(w http.ResponseWriter, r *http.Request) error {
	installed, err := u.Auth.Installed(r.Context())
	if err != nil {
		return err
	}
	if !installed {
		return redirect(w, r, "/setup")
	}
	user, ok := webctx.User(r.Context())
	if !ok {
		return redirect(w, r, "/login")
	}
	refs, err := u.Auth.Workspaces(r.Context(), user)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Workspaces"), ""), noWorkspace(u.loc(r)))
	}
	return redirect(w, r, "/w/"+itoa(refs[0].ID)+"/calendar")
}

func (u *ui) setupForm(w http.ResponseWriter, r *http.Request) error {
	installed, err := u.Auth.Installed(r.Context())
	if err != nil {
		return err
	}
	if installed {
		return redirect(w, r, "/login")
	}
	pd := u.pageData(r, nil, u.loc(r).T("Set up Tribune"), "")
	return u.render(w, r, pd, setupPage(u.loc(r), auth.SignUpInput{Timezone: "Europe/Paris", Locale: u.lang(r)}, nil))
}

func (u *ui) setup(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	in := auth.SignUpInput{Organization: r.FormValue("organization"), Workspace: r.FormValue("workspace"), Timezone: r.FormValue("timezone"),
		Name: r.FormValue("name"), Email: r.FormValue("email"), Password: r.FormValue("password"), Locale: u.lang(r)}
	if _, _, err := u.Auth.SignUpOwner(r.Context(), in); err != nil {
		var pe *problem.Error
		if errors.As(err, &pe) && pe.Status == http.StatusUnprocessableEntity {
			w.WriteHeader(pe.Status)
			in.Password = ""
			return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Set up Tribune"), ""), setupPage(u.loc(r), in, pe))
		}
		return err
	}
	tok, _, err := u.Auth.Login(r.Context(), in.Email, in.Password)
	if err != nil {
		return err
	}
	u.setSession(w, tok)
	return redirect(w, r, "/")
}

func (u *ui) loginForm(w http.ResponseWriter, r *http.Request) error {
	if installed, err := u.Auth.Installed(r.Context()); err == nil && !installed {
		return redirect(w, r, "/setup")
	}
	return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Sign in"), ""), loginPage(u.loc(r), r.URL.Query().Get("next"), "", ""))
}

func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}

func (u *ui) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	email := r.FormValue("email")
	tok, _, err := u.Auth.Login(r.Context(), email, r.FormValue("password"))
	if err != nil {
		var pe *problem.Error
		var te *auth.ThrottledError
		if errors.As(err, &te) {
			w.Header().Set("Retry-After", strconv.Itoa(te.Seconds()))
		}
		if errors.As(err, &pe) && (pe.Code == auth.ErrBadCredentials.Code || pe.Code == auth.ErrThrottled.Code) {
			w.WriteHeader(pe.Status)
			return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Sign in"), ""), loginPage(u.loc(r), r.FormValue("next"), email, pe.Localized(u.lang(r))))
		}
		return err
	}
	u.setSession(w, tok)
	return redirect(w, r, safeNext(r.FormValue("next")))
}

func (u *ui) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		_ = u.Auth.Logout(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1})
	return redirect(w, r, "/login")
}

func (u *ui) inviteForm(w http.ResponseWriter, r *http.Request) error {
	return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Join the team"), ""), invitePage(u.loc(r), r.PathValue("token"), nil))
}

func (u *ui) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	user, err := u.Auth.AcceptInvitation(r.Context(), r.PathValue("token"), r.FormValue("name"), r.FormValue("password"), u.lang(r))
	if err != nil {
		var pe *problem.Error
		if errors.As(err, &pe) && pe.Status < 500 {
			w.WriteHeader(pe.Status)
			return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Join the team"), ""), invitePage(u.loc(r), r.PathValue("token"), pe))
		}
		return err
	}
	tok, _, err := u.Auth.Login(r.Context(), user.Email, r.FormValue("password"))
	if err != nil {
		return err
	}
	u.setSession(w, tok)
	return redirect(w, r, "/")
}

// setLanguage stores the choice on the account (or in a cookie before sign-in).
func (u *ui) setLanguage(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	lang := r.FormValue("lang")
	if lang != "fr" {
		lang = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: "tribune_lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	if user, ok := webctx.User(r.Context()); ok {
		if _, err := u.Auth.SetPreferences(r.Context(), user, auth.Preferences{Name: user.Name, Locale: lang, Timezone: user.Timezone}); err != nil {
			return err
		}
	}
	back := r.Header.Get("Referer")
	if ref, err := url.Parse(back); err == nil && ref.Path != "" {
		return redirect(w, r, safeNext(ref.RequestURI()))
	}
	return redirect(w, r, "/")
}

func (u *ui) notifications(w http.ResponseWriter, r *http.Request) error {
	user := currentUser(r)
	list, err := u.Notifications.List(r.Context(), user)
	if err != nil {
		return err
	}
	if err := u.Notifications.MarkRead(r.Context(), user); err != nil {
		return err
	}
	return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Notifications"), "notifications"), notificationsPage(u.loc(r), list, userLoc(user.Timezone)))
}

func (u *ui) status(w http.ResponseWriter, r *http.Request) error {
	rep, err := u.Status.Read(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Status"), "status"), statusPage(u.loc(r), rep, userLoc(currentUser(r).Timezone)))
}

func (u *ui) workspaceHome(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/calendar")
}

var _ layout.PageData
