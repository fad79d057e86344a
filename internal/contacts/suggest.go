package contacts

import (
	"context"
	"sort"
	"strings"

	"github.com/tribune-social/tribune/internal/store"
)

// Suggestion is two contacts that may be one person, and why.
type Suggestion struct {
	A, B Contact
	// Reason is ReasonSameName or ReasonSameHandle.
	Reason string
}

// Why two contacts are suggested as one person.
const (
	// ReasonSameName: accounts on two different networks show the same
	// display name (compared without case or surrounding spaces).
	ReasonSameName = "same_name"
	// ReasonSameHandle: accounts on two different networks have the same
	// handle local part — "@alice@mastodon.social" and "alice.bsky.social"
	// both give "alice".
	ReasonSameHandle = "same_handle"
)

// minLocal keeps very short local parts ("jo", "a") from matching everyone.
const minLocal = 3

// handleLocal is a handle's first label: without a leading @, up to the
// next @ (Mastodon's user@server) or . (a Bluesky domain handle).
func handleLocal(h string) string {
	h = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
	if i := strings.IndexAny(h, "@."); i >= 0 {
		h = h[:i]
	}
	return h
}

// Suggestions lists the workspace's contacts that may be one person.
// The rule is deliberately simple and explainable: two accounts on
// different networks, in different contacts, with the same display name or
// the same handle local part. Accounts on the same network are never
// suggested (one person rarely has two, and namesakes are common). A link
// in a profile's bio would be a stronger sign, but the inbox does not
// store bios (network.Author has none), so it is not used.
func (s *Service) Suggestions(ctx context.Context, user store.User, workspaceID int64) ([]Suggestion, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return nil, err
	}
	if err := s.ensure(ctx, ws.ID); err != nil {
		return nil, err
	}
	return s.suggestions(ctx, ws.ID)
}

func (s *Service) suggestions(ctx context.Context, workspaceID int64) ([]Suggestion, error) {
	rows, err := s.Store.ListWorkspaceContactAuthors(ctx, store.ListWorkspaceContactAuthorsParams{WorkspaceID: workspaceID, MaxRows: maxSuggestAuthors})
	if err != nil {
		return nil, err
	}
	type acct struct {
		contact int64
		network string
	}
	byKey := map[string][]acct{}
	contacts := map[int64]*Contact{}
	for _, r := range rows {
		c := contacts[r.ContactID]
		if c == nil {
			c = &Contact{Contact: store.Contact{ID: r.ContactID, WorkspaceID: workspaceID}}
			contacts[r.ContactID] = c
		}
		c.Authors = append(c.Authors, store.InboxAuthor{ID: r.ID, WorkspaceID: r.WorkspaceID, Network: r.Network, ExternalID: r.ExternalID,
			Handle: r.Handle, DisplayName: r.DisplayName, AvatarURL: r.AvatarURL, URL: r.URL, UpdatedAt: r.UpdatedAt})
		if n := strings.ToLower(strings.TrimSpace(r.DisplayName)); n != "" {
			byKey[ReasonSameName+"\x00"+n] = append(byKey[ReasonSameName+"\x00"+n], acct{r.ContactID, r.Network})
		}
		if l := handleLocal(r.Handle); len(l) >= minLocal {
			byKey[ReasonSameHandle+"\x00"+l] = append(byKey[ReasonSameHandle+"\x00"+l], acct{r.ContactID, r.Network})
		}
	}
	type pair struct{ a, b int64 }
	seen := map[pair]bool{}
	var out []Suggestion
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	// Same name first, then same handle; a pair found by both is listed once.
	sort.Strings(keys)
	sort.SliceStable(keys, func(i, j int) bool {
		return strings.HasPrefix(keys[i], ReasonSameName) && !strings.HasPrefix(keys[j], ReasonSameName)
	})
	for _, k := range keys {
		as := byKey[k]
		for i := range as {
			for j := i + 1; j < len(as); j++ {
				x, y := as[i], as[j]
				if x.contact == y.contact || x.network == y.network {
					continue
				}
				p := pair{min(x.contact, y.contact), max(x.contact, y.contact)}
				if seen[p] {
					continue
				}
				seen[p] = true
				out = append(out, Suggestion{A: *contacts[p.a], B: *contacts[p.b], Reason: k[:strings.IndexByte(k, 0)]})
			}
		}
	}
	return out, nil
}
