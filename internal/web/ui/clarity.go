package ui

import (
	"time"

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
