package ui

import (
	"net/http"
	"time"

	"github.com/tribune-social/tribune/internal/problem"

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
