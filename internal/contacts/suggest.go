package contacts

import (
	"context"
	"net/http"
	"sort"
	"strings"

	"github.com/tribune-social/tribune/internal/problem"
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

// suggestPage is how many suggestions a page holds at least (a page ends
// with the last pair of a key, so it may hold a few more); suggestKeys is
// how many keys one query reads.
const (
	suggestPage = 50
	suggestKeys = 100
)

var errBadCursor = problem.New(http.StatusUnprocessableEntity, "invalid_cursor", "This page of suggestions does not exist: start again from the first page.")

// nameKey is what display names are compared on. The database computes
// the same as inbox_authors.name_key (migration 00029); this is its
// specification, which the tests hold the column to.
func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// handleLocal is a handle's first label: without a leading @, up to the
// next @ (Mastodon's user@server) or . (a Bluesky domain handle); "" when
// shorter than minLocal bytes. The database computes the same as
// inbox_authors.handle_key (migration 00029).
func handleLocal(h string) string {
	h = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
	if i := strings.IndexAny(h, "@."); i >= 0 {
		h = h[:i]
	}
	if len(h) < minLocal {
		return ""
	}
	return h
}

// SuggestionPage is one page of suggested merges; Next is the cursor of
// the following page ("" when this is the last).
type SuggestionPage struct {
	Suggestions []Suggestion
	Next        string
}

// SuggestionsAfter lists one page of the workspace's contacts that may be
// one person, after the cursor of the previous page ("" for the first).
// The rule is deliberately simple and explainable: two accounts on
// different networks, in different contacts, with the same display name or
// the same handle local part. Accounts on the same network are never
// suggested (one person rarely has two, and namesakes are common). A link
// in a profile's bio would be a stronger sign, but the inbox does not
// store bios (network.Author has none), so it is not used.
//
// Pairs by name come first, then by handle, each in the byte order of the
// key; a pair found by several keys is listed once, under its first. The
// keys are indexed columns the database keeps (migration 00029), so a page
// reads a page of keys and the contacts that carry them, however many
// accounts the workspace has.
func (s *Service) SuggestionsAfter(ctx context.Context, user store.User, workspaceID int64, after string) (SuggestionPage, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return SuggestionPage{}, err
	}
	reason, key := ReasonSameName, ""
	if after != "" {
		var ok bool
		if reason, key, ok = strings.Cut(after, ":"); !ok || (reason != ReasonSameName && reason != ReasonSameHandle) {
			return SuggestionPage{}, errBadCursor
		}
	}
	var page SuggestionPage
	for {
		var keys []string
		p := store.ListSuggestNameKeysParams{WorkspaceID: ws.ID, After: key, MaxRows: suggestKeys}
		if reason == ReasonSameName {
			keys, err = s.Store.ListSuggestNameKeys(ctx, p)
		} else {
			keys, err = s.Store.ListSuggestHandleKeys(ctx, store.ListSuggestHandleKeysParams(p))
		}
		if err != nil {
			return SuggestionPage{}, err
		}
		if len(keys) > 0 {
			sg, err := s.pairsOf(ctx, ws.ID, reason, keys)
			if err != nil {
				return SuggestionPage{}, err
			}
			for _, k := range keys {
				page.Suggestions = append(page.Suggestions, sg[k]...)
				if len(page.Suggestions) >= suggestPage {
					page.Next = reason + ":" + k
					return page, nil
				}
			}
		}
		if len(keys) == suggestKeys {
			key = keys[len(keys)-1]
			continue
		}
		if reason == ReasonSameHandle {
			return page, nil
		}
		reason, key = ReasonSameHandle, ""
	}
}

// suggestionsFor lists the suggested merges that involve contact c (the
// contact's page), each once, by name first.
func (s *Service) suggestionsFor(ctx context.Context, c Contact) ([]Suggestion, error) {
	var out []Suggestion
	for _, reason := range []string{ReasonSameName, ReasonSameHandle} {
		seen := map[string]bool{}
		var keys []string
		for _, a := range c.Authors {
			if k := keyOf(a, reason); k != "" && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			continue
		}
		sg, err := s.pairsOf(ctx, c.WorkspaceID, reason, keys)
		if err != nil {
			return nil, err
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, x := range sg[k] {
				if x.A.ID == c.ID || x.B.ID == c.ID {
					out = append(out, x)
				}
			}
		}
	}
	return out, nil
}

func keyOf(a store.InboxAuthor, reason string) string {
	if reason == ReasonSameName {
		return a.NameKey
	}
	return a.HandleKey
}

// pairsOf gives, for each of keys (all of one reason), the pairs of
// contacts first suggested under it: two accounts with that key on two
// networks in two contacts, unless the same two contacts already meet
// under an earlier key (a name before any handle, a smaller key before a
// larger) — there they are listed, and only there, which is what lets a
// page be computed without the pages before it.
func (s *Service) pairsOf(ctx context.Context, workspaceID int64, reason string, keys []string) (map[string][]Suggestion, error) {
	var ids []int64
	var err error
	if reason == ReasonSameName {
		ids, err = s.Store.ListContactIDsByNameKeys(ctx, store.ListContactIDsByNameKeysParams{WorkspaceID: workspaceID, Keys: keys})
	} else {
		ids, err = s.Store.ListContactIDsByHandleKeys(ctx, store.ListContactIDsByHandleKeysParams{WorkspaceID: workspaceID, Keys: keys})
	}
	if err != nil {
		return nil, err
	}
	authors, err := s.authorsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	type acct struct {
		contact, author int64
		network         string
	}
	wanted := map[string]bool{}
	for _, k := range keys {
		wanted[k] = true
	}
	byKey := map[string][]acct{}
	for cid, as := range authors {
		for _, a := range as {
			if k := keyOf(a, reason); wanted[k] {
				byKey[k] = append(byKey[k], acct{cid, a.ID, a.Network})
			}
		}
	}
	contact := func(id int64) Contact {
		return Contact{Contact: store.Contact{ID: id, WorkspaceID: workspaceID}, Authors: authors[id]}
	}
	out := map[string][]Suggestion{}
	for k, as := range byKey {
		// Accounts in the order they were first seen, as the pairs were
		// always listed.
		sort.Slice(as, func(i, j int) bool { return as[i].author < as[j].author })
		seen := map[[2]int64]bool{}
		for i := range as {
			for j := i + 1; j < len(as); j++ {
				x, y := as[i], as[j]
				if x.contact == y.contact || x.network == y.network {
					continue
				}
				p := [2]int64{min(x.contact, y.contact), max(x.contact, y.contact)}
				if seen[p] {
					continue
				}
				seen[p] = true
				if fr, fk := firstKey(authors[p[0]], authors[p[1]]); fr != reason || fk != k {
					continue
				}
				out[k] = append(out[k], Suggestion{A: contact(p[0]), B: contact(p[1]), Reason: reason})
			}
		}
	}
	return out, nil
}

// firstKey is the reason and key two contacts are first suggested under:
// the smallest name key two of their accounts on different networks
// share, else the smallest handle key.
func firstKey(a, b []store.InboxAuthor) (reason, key string) {
	for _, r := range []string{ReasonSameName, ReasonSameHandle} {
		for _, x := range a {
			for _, y := range b {
				k := keyOf(x, r)
				if k == "" || k != keyOf(y, r) || x.Network == y.Network {
					continue
				}
				if key == "" || k < key {
					key = k
				}
			}
		}
		if key != "" {
			return r, key
		}
	}
	return "", ""
}
