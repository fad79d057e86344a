package ui

import (
	"strconv"

	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
)

func itoa[T ~int | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// commonTimezones feed the time-zone pickers (any IANA name is accepted).
var commonTimezones = []string{"Europe/Paris", "Europe/Brussels", "Europe/Zurich", "Europe/London", "Europe/Berlin", "Europe/Madrid",
	"America/Montreal", "America/New_York", "America/Chicago", "America/Los_Angeles", "Africa/Casablanca", "Africa/Dakar",
	"Africa/Abidjan", "Indian/Reunion", "America/Martinique", "Pacific/Noumea", "UTC"}

// stateLabel is the message id of a post status or a variant state (the two
// share publishing, published and failed, listed once).
func stateLabel(s string) string {
	switch s {
	case string(posts.Draft):
		return "Draft"
	case string(posts.NeedsApproval):
		return "Needs approval"
	case string(posts.Approved):
		return "Approved"
	case string(posts.Scheduled):
		return "Scheduled"
	case string(posts.Publishing): // publish.VariantPublishing
		return "Publishing"
	case string(posts.Published): // publish.VariantPublished
		return "Published"
	case string(posts.Failed): // publish.VariantFailed
		return "Failed"
	case string(publish.VariantUnknown):
		return "Outcome unknown — check before re-posting"
	case string(publish.VariantHeld):
		return "Held"
	case string(publish.VariantQueued):
		return "Queued"
	case string(publish.VariantPending):
		return "Not scheduled"
	case string(publish.VariantDeleted):
		return "Deleted"
	}
	return s
}
