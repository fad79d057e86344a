package network

// Visibility is who may see a post on networks that let the author choose
// (Mastodon and the servers speaking its API). The values are Mastodon's own
// (docs.joinmastodon.org/entities/Status/#visibility).
type Visibility string

// The visibilities, from the widest to the narrowest.
const (
	// VisibilityPublic: everyone, shown in public timelines.
	VisibilityPublic Visibility = "public"
	// VisibilityUnlisted: everyone, but left out of public timelines and search.
	VisibilityUnlisted Visibility = "unlisted"
	// VisibilityPrivate: followers only.
	VisibilityPrivate Visibility = "private"
	// VisibilityDirect: only the accounts the post mentions.
	VisibilityDirect Visibility = "direct"
)

// Visibilities lists every visibility, widest first (the order a picker shows).
var Visibilities = []Visibility{VisibilityPublic, VisibilityUnlisted, VisibilityPrivate, VisibilityDirect}

// Valid reports whether v is one of the visibilities.
func (v Visibility) Valid() bool {
	for _, x := range Visibilities {
		if v == x {
			return true
		}
	}
	return false
}
