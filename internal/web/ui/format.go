package ui

import "strconv"

func itoa[T ~int | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// commonTimezones feed the time-zone pickers (any IANA name is accepted).
var commonTimezones = []string{"Europe/Paris", "Europe/Brussels", "Europe/Zurich", "Europe/London", "Europe/Berlin", "Europe/Madrid",
	"America/Montreal", "America/New_York", "America/Chicago", "America/Los_Angeles", "Africa/Casablanca", "Africa/Dakar",
	"Africa/Abidjan", "Indian/Reunion", "America/Martinique", "Pacific/Noumea", "UTC"}

// stateLabel is the message id of a post status or a variant state.
func stateLabel(s string) string {
	switch s {
	case "draft":
		return "Draft"
	case "needs_approval":
		return "Needs approval"
	case "approved":
		return "Approved"
	case "scheduled":
		return "Scheduled"
	case "publishing":
		return "Publishing"
	case "published":
		return "Published"
	case "failed":
		return "Failed"
	case "unknown":
		return "Outcome unknown — check before re-posting"
	case "held":
		return "Held"
	case "queued":
		return "Queued"
	case "pending":
		return "Not scheduled"
	case "deleted":
		return "Deleted"
	}
	return s
}
