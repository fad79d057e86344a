package ui

import (
	"net/http"

	"github.com/a-h/templ"

	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/i18n"
)

// visibilityLabel names a Mastodon visibility for people.
func visibilityLabel(l *i18n.Localizer, v network.Visibility) string {
	switch v {
	case network.VisibilityPublic:
		return l.T("Public")
	case network.VisibilityUnlisted:
		return l.T("Unlisted (not in public timelines)")
	case network.VisibilityPrivate:
		return l.T("Followers only")
	case network.VisibilityDirect:
		return l.T("Direct (mentioned accounts only)")
	}
	return string(v)
}

// countingLabel says how the channel's server counts a link.
func countingLabel(l *i18n.Localizer, c store.Channel) string {
	if channels.Limits(c).Counting == rules.CountCharacters {
		return l.T("every character, links included")
	}
	return l.T("a link counts") + " " + itoa(int(c.URLLength))
}

// networkHref is an address a network gave (a post's, an inbox item's, its
// author's profile, our reply's), as a link target: only an absolute
// http(s) address becomes one (never javascript: and the like); anything
// else is shown as text or not at all.
func networkHref(raw string) templ.SafeURL {
	return templ.SafeURL(network.WebURL(raw))
}

// visibilityOf is the visibility the composer preselects for channel c:
// the variant's, else the channel's default.
func (d composeData) visibilityOf(c store.Channel) network.Visibility {
	if v, ok := d.Visibility[c.ID]; ok && v != "" {
		return v
	}
	v, _ := channels.Visibility(c, "")
	return v
}

func hasVisibilities(chs []store.Channel) bool {
	for _, c := range chs {
		if channels.HasVisibility(c.Network) {
			return true
		}
	}
	return false
}

// refreshChannel reads a Mastodon channel's server again.
func (u *ui) refreshChannel(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := u.channelFromPath(r)
	if err != nil {
		return err
	}
	if _, err := u.Channels.RefreshMastodon(r.Context(), currentUser(r), id); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Server read again"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/channels")
}

// saveVisibility sets a Mastodon channel's default visibility.
func (u *ui) saveVisibility(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := u.channelFromPath(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if _, err := u.Channels.SetDefaultVisibility(r.Context(), currentUser(r), id, network.Visibility(r.FormValue("default_visibility"))); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Default visibility saved"))
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/channels")
}
