package ui

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
)

// tokensData reads the account settings page's token list.
func (u *ui) tokensPageData(r *http.Request) (tokensData, error) {
	list, err := u.Auth.ListAPITokens(r.Context(), currentUser(r))
	return tokensData{List: list, Now: u.Now(), Loc: userLoc(currentUser(r).Timezone)}, err
}

func (u *ui) renderTokens(w http.ResponseWriter, r *http.Request, d tokensData) error {
	return u.render(w, r, u.pageData(r, nil, u.loc(r).T("API tokens"), "tokens"), tokensPage(u.loc(r), d))
}

func (u *ui) tokens(w http.ResponseWriter, r *http.Request) error {
	d, err := u.tokensPageData(r)
	if err != nil {
		return err
	}
	d.PwDone = r.URL.Query().Get("password") == "changed"
	return u.renderTokens(w, r, d)
}

func (u *ui) createToken(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	var expires *time.Time
	if days := r.FormValue("expires_days"); days != "" {
		n, err := strconv.Atoi(days)
		// The upper bound is the service's (auth.MaxTokenDays); here only
		// what is not a number of days at all. A count past the bound is
		// capped before AddDate so it cannot overflow into the past.
		if err != nil || n <= 0 {
			return problem.Invalidf("expires_days", "bad_expiry", "Choose an expiry between 1 and 3,650 days.")
		}
		t := u.Now().UTC().AddDate(0, 0, min(n, auth.MaxTokenDays+1))
		expires = &t
	}
	tok, _, err := u.Auth.CreateAPIToken(r.Context(), currentUser(r), r.FormValue("name"), expires)
	if err != nil {
		return err
	}
	d, err := u.tokensPageData(r)
	if err != nil {
		return err
	}
	d.Fresh = tok
	return u.renderTokens(w, r, d)
}

func (u *ui) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := u.Auth.RevokeAPIToken(r.Context(), currentUser(r), id); err != nil {
		return err
	}
	return redirect(w, r, "/settings/tokens")
}

func (u *ui) changePassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	keep := ""
	if c, err := r.Cookie(SessionCookie); err == nil {
		keep = c.Value
	}
	err := u.Auth.ChangePassword(r.Context(), currentUser(r), r.FormValue("current_password"), r.FormValue("new_password"), keep)
	var pe *problem.Error
	if errors.As(err, &pe) && pe.Status == http.StatusUnprocessableEntity {
		d, derr := u.tokensPageData(r)
		if derr != nil {
			return derr
		}
		d.PwError = pe
		w.WriteHeader(pe.Status)
		return u.renderTokens(w, r, d)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/settings/tokens?password=changed#password")
}

func (u *ui) forgotForm(w http.ResponseWriter, r *http.Request) error {
	return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Forgot your password?"), ""), forgotPage(u.loc(r), false, ""))
}

func (u *ui) forgot(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	err := u.Auth.RequestPasswordReset(r.Context(), r.FormValue("email"))
	if errors.Is(err, auth.ErrNoMail) {
		w.WriteHeader(auth.ErrNoMail.Status)
		return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Forgot your password?"), ""), forgotPage(u.loc(r), false, auth.ErrNoMail.Localized(u.lang(r))))
	}
	if err != nil {
		return err
	}
	return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Forgot your password?"), ""), forgotPage(u.loc(r), true, ""))
}

func (u *ui) resetForm(w http.ResponseWriter, r *http.Request) error {
	return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Choose a new password"), ""), resetPage(u.loc(r), r.PathValue("token"), nil))
}

func (u *ui) reset(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	err := u.Auth.ResetPassword(r.Context(), r.PathValue("token"), r.FormValue("password"))
	var pe *problem.Error
	if errors.As(err, &pe) && pe.Status < 500 {
		w.WriteHeader(pe.Status)
		return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Choose a new password"), ""), resetPage(u.loc(r), r.PathValue("token"), pe))
	}
	if err != nil {
		return err
	}
	return u.render(w, r, u.pageData(r, nil, u.loc(r).T("Choose a new password"), ""), resetDonePage(u.loc(r)))
}
