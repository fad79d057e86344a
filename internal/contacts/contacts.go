// Package contacts is one person across networks: a contact groups the
// inbox authors (one per network account) members recognise as the same
// person, with the person's interaction history (their inbox items on every
// network, newest first), notes, tags and VIP / ambassador / influencer
// flags; members merge two contacts and split an author back out, helped
// by suggested merges; and owners and admins answer GDPR requests: export
// one person's data as JSON, or erase it (what names the person is gone,
// the anonymous counts stay), both audited with who did it.
//
// It is a package of its own beside internal/inbox rather than new files in
// it: contacts read the inbox's rows but add their own tables and rules,
// and the inbox's ingestion does not need to know they exist. Every author
// has its contact from the moment it is stored: the database gives a new
// author a contact of its own as the row is inserted (migration 00032), so
// no page has to look for authors without one first.
package contacts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// Who may do what: reading takes View, like the inbox; notes, tags, flags,
// merge and split take Compose, like inbox triage; a GDPR export or
// erasure takes ManageTeam (owners and admins): both hand over or destroy
// a person's data, which the workspace's administrators answer for.
const (
	permRead  = auth.View
	permEdit  = auth.Compose
	permGDPR  = auth.ManageTeam
	pageSize  = 50
	maxTagLen = 40
	// maxTagsPerChange is the API's maxItems on add_tags and remove_tags.
	maxTagsPerChange = 20
	maxNote          = 5000
	// maxHistory bounds the items a contact page shows; the export has them all.
	maxHistory     = 200
	maxExportItems = 1 << 30
)

// Problems of contacts.
var (
	errBadFlag = problem.New(http.StatusUnprocessableEntity, "invalid_flag", "A flag is vip, ambassador or influencer.")
	errBadTag  = problem.New(http.StatusUnprocessableEntity, "invalid_tag", "A tag is 1 to 40 characters.")
	// errTooManyTags bounds one change as the API's schema does, for every
	// caller.
	errTooManyTags  = problem.New(http.StatusUnprocessableEntity, "too_many_tags", "A change adds or removes at most 20 tags.")
	errBadNote      = problem.New(http.StatusUnprocessableEntity, "invalid_note", "A note is 1 to 5,000 characters.")
	errSelfMerge    = problem.New(http.StatusUnprocessableEntity, "merge_self", "A contact cannot be merged with itself.")
	errLastAuthor   = problem.New(http.StatusUnprocessableEntity, "split_last_author", "A contact keeps at least one account: only a contact with several accounts can be split.")
	errNotInContact = problem.New(http.StatusUnprocessableEntity, "split_not_member", "This account is not part of the contact.")
	errErased       = problem.New(http.StatusConflict, "contact_erased", "This contact's data was erased.")
)

// Flag marks a contact the team treats apart.
type Flag string

// The flags.
const (
	FlagVIP        Flag = "vip"
	FlagAmbassador Flag = "ambassador"
	FlagInfluencer Flag = "influencer"
)

// Flags lists every flag in the order the UI shows them.
var Flags = []Flag{FlagVIP, FlagAmbassador, FlagInfluencer}

// Valid reports whether f is a known flag.
func (f Flag) Valid() bool { return f == FlagVIP || f == FlagAmbassador || f == FlagInfluencer }

// Audited actions.
const (
	ActMerge  = "merge"
	ActSplit  = "split"
	ActExport = "export"
	ActErase  = "erase"
)

// Service is the contacts use cases.
type Service struct {
	Store store.Store
	Auth  *auth.Service
	Now   func() time.Time
}

// Contact is a person with their accounts on each network.
type Contact struct {
	store.Contact
	Authors   []store.InboxAuthor
	ItemCount int64
}

// Name is how the UI names the contact: the first account's display name,
// else its handle; empty for an erased contact.
func (c Contact) Name() string {
	for _, a := range c.Authors {
		if a.DisplayName != "" {
			return a.DisplayName
		}
	}
	for _, a := range c.Authors {
		if a.Handle != "" {
			return a.Handle
		}
	}
	return ""
}

// Has reports whether the contact carries flag f.
func (c Contact) Has(f Flag) bool {
	switch f {
	case FlagVIP:
		return c.Vip
	case FlagAmbassador:
		return c.Ambassador
	case FlagInfluencer:
		return c.Influencer
	}
	return false
}

// Erased reports whether the contact's personal data was erased.
func (c Contact) Erased() bool { return c.ErasedAt != nil }

// Filter narrows the list; zero fields do not filter.
type Filter struct {
	// Query is found in a handle or a display name, whatever the case and
	// the accents of either (searchFold).
	Query  string
	Flag   Flag
	Before int64
}

// Page is one page of contacts, newest first; Next is the Before of the
// following page (0 when this is the last).
type Page struct {
	Contacts []Contact
	Next     int64
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// List returns one page of the workspace's contacts.
func (s *Service) List(ctx context.Context, user store.User, workspaceID int64, f Filter) (Page, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return Page{}, err
	}
	if f.Flag != "" && !f.Flag.Valid() {
		return Page{}, errBadFlag
	}
	p := store.ListContactsParams{WorkspaceID: ws.ID, BeforeID: 1<<62 - 1, Flag: string(f.Flag), MaxRows: pageSize + 1}
	if f.Before > 0 {
		p.BeforeID = f.Before
	}
	if q := searchFold(strings.TrimSpace(f.Query)); q != "" {
		p.Query = q
	}
	rows, err := s.Store.ListContacts(ctx, p)
	if err != nil {
		return Page{}, err
	}
	var page Page
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		page.Next = rows[len(rows)-1].ID
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
		page.Contacts = append(page.Contacts, Contact{Contact: store.Contact{ID: r.ID, WorkspaceID: r.WorkspaceID, Vip: r.Vip,
			Ambassador: r.Ambassador, Influencer: r.Influencer, ErasedAt: r.ErasedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt},
			ItemCount: r.ItemCount})
	}
	authors, err := s.authorsOf(ctx, ids)
	if err != nil {
		return Page{}, err
	}
	for i := range page.Contacts {
		page.Contacts[i].Authors = authors[page.Contacts[i].ID]
	}
	return page, nil
}

func (s *Service) authorsOf(ctx context.Context, contactIDs []int64) (map[int64][]store.InboxAuthor, error) {
	out := map[int64][]store.InboxAuthor{}
	if len(contactIDs) == 0 {
		return out, nil
	}
	rows, err := s.Store.ListContactAuthors(ctx, contactIDs)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ContactID] = append(out[r.ContactID], store.InboxAuthor{ID: r.ID, WorkspaceID: r.WorkspaceID, Network: r.Network,
			ExternalID: r.ExternalID, Handle: r.Handle, DisplayName: r.DisplayName, AvatarURL: r.AvatarURL, URL: r.URL, UpdatedAt: r.UpdatedAt,
			NameKey: r.NameKey, HandleKey: r.HandleKey})
	}
	return out, nil
}

// contact loads a contact the user may read, then checks permission p: a
// contact of a workspace the user cannot see is "not found", not "forbidden".
func (s *Service) contact(ctx context.Context, user store.User, id int64, p auth.Permission) (Contact, error) {
	c, err := s.Store.GetContact(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Contact{}, problem.NotFound
	}
	if err != nil {
		return Contact{}, err
	}
	if _, _, err := s.Auth.Authorize(ctx, user, c.WorkspaceID, permRead); err != nil {
		return Contact{}, problem.NotFound
	}
	if _, _, err := s.Auth.Authorize(ctx, user, c.WorkspaceID, p); err != nil {
		return Contact{}, err
	}
	authors, err := s.authorsOf(ctx, []int64{id})
	if err != nil {
		return Contact{}, err
	}
	n, err := s.Store.CountContactItems(ctx, id)
	if err != nil {
		return Contact{}, err
	}
	return Contact{Contact: c, Authors: authors[id], ItemCount: n}, nil
}

// ForAuthor returns the contact an inbox author belongs to (the inbox links
// an item's author here).
func (s *Service) ForAuthor(ctx context.Context, user store.User, authorID int64) (int64, error) {
	a, err := s.Store.GetInboxAuthor(ctx, authorID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, problem.NotFound
	}
	if err != nil {
		return 0, err
	}
	if _, _, err := s.Auth.Authorize(ctx, user, a.WorkspaceID, permRead); err != nil {
		return 0, problem.NotFound
	}
	c, err := s.Store.GetContactByAuthor(ctx, authorID)
	if err != nil {
		// Not "not found": the author exists, and every author has a
		// contact (migration 00032), so a missing one is a broken invariant.
		return 0, fmt.Errorf("contacts: contact of inbox author %d: %w", authorID, err)
	}
	return c.ID, nil
}

// Detail is a contact's page: the person, their history, notes, tags, the
// audit, and merges suggested for them.
type Detail struct {
	Contact     Contact
	Items       []store.InboxItem
	Tags        []string
	Notes       []store.ListContactNotesRow
	Audit       []store.ListContactAuditRow
	Suggestions []Suggestion
}

// Get returns a contact's page.
func (s *Service) Get(ctx context.Context, user store.User, id int64) (Detail, error) {
	c, err := s.contact(ctx, user, id, permRead)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Contact: c}
	if d.Items, err = s.Store.ListContactItems(ctx, store.ListContactItemsParams{ContactID: id, MaxRows: maxHistory}); err != nil {
		return Detail{}, err
	}
	if d.Tags, err = s.Store.ListContactTags(ctx, id); err != nil {
		return Detail{}, err
	}
	if d.Notes, err = s.Store.ListContactNotes(ctx, id); err != nil {
		return Detail{}, err
	}
	if d.Audit, err = s.Store.ListContactAudit(ctx, &id); err != nil {
		return Detail{}, err
	}
	if d.Suggestions, err = s.suggestionsFor(ctx, c); err != nil {
		return Detail{}, err
	}
	return d, nil
}

// Change is what a member changes on a contact; nil fields stay.
type Change struct {
	VIP, Ambassador, Influencer *bool
	AddTags, RemoveTags         []string
}

// Update changes a contact's flags and tags.
func (s *Service) Update(ctx context.Context, user store.User, id int64, ch Change) error {
	c, err := s.contact(ctx, user, id, permEdit)
	if err != nil {
		return err
	}
	if c.Erased() {
		return errErased
	}
	if len(ch.AddTags) > maxTagsPerChange || len(ch.RemoveTags) > maxTagsPerChange {
		return errTooManyTags
	}
	for _, t := range append(append([]string(nil), ch.AddTags...), ch.RemoveTags...) {
		if n := utf8.RuneCountInString(strings.TrimSpace(t)); n == 0 || n > maxTagLen {
			return errBadTag
		}
	}
	set := func(p *bool, v bool) bool {
		if p != nil {
			return *p
		}
		return v
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.SetContactFlags(ctx, store.SetContactFlagsParams{ID: id, Vip: set(ch.VIP, c.Vip), Ambassador: set(ch.Ambassador, c.Ambassador),
			Influencer: set(ch.Influencer, c.Influencer), UpdatedAt: s.now()}); err != nil {
			return err
		}
		for _, t := range ch.AddTags {
			if err := tx.AddContactTag(ctx, store.AddContactTagParams{ContactID: id, Tag: strings.TrimSpace(t)}); err != nil {
				return err
			}
		}
		for _, t := range ch.RemoveTags {
			if err := tx.RemoveContactTag(ctx, store.RemoveContactTagParams{ContactID: id, Tag: strings.TrimSpace(t)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddNote adds an internal note about the person.
func (s *Service) AddNote(ctx context.Context, user store.User, id int64, body string) error {
	c, err := s.contact(ctx, user, id, permEdit)
	if err != nil {
		return err
	}
	if c.Erased() {
		return errErased
	}
	body = strings.TrimSpace(body)
	if n := utf8.RuneCountInString(body); n == 0 || n > maxNote {
		return errBadNote
	}
	_, err = s.Store.AddContactNote(ctx, store.AddContactNoteParams{ContactID: id, UserID: user.ID, Body: body, CreatedAt: s.now()})
	return err
}

// Merge moves everything of contact fromID into contact intoID (accounts,
// notes, tags; a flag on either stays) and deletes fromID. The items are
// untouched: they belong to authors, and the authors moved.
func (s *Service) Merge(ctx context.Context, user store.User, intoID, fromID int64) error {
	// Access first: an outsider learns nothing, not even that the ids match.
	into, err := s.contact(ctx, user, intoID, permEdit)
	if err != nil {
		return err
	}
	if intoID == fromID {
		return errSelfMerge
	}
	from, err := s.contact(ctx, user, fromID, permEdit)
	if err != nil {
		return err
	}
	if from.WorkspaceID != into.WorkspaceID {
		return problem.NotFound
	}
	if into.Erased() || from.Erased() {
		return errErased
	}
	now := s.now()
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		mv := func(f func(context.Context, store.MoveContactAuthorsParams) error) error {
			return f(ctx, store.MoveContactAuthorsParams{IntoID: intoID, FromID: fromID})
		}
		if err := mv(tx.MoveContactAuthors); err != nil {
			return err
		}
		if err := tx.CopyContactTags(ctx, store.CopyContactTagsParams{IntoID: intoID, FromID: fromID}); err != nil {
			return err
		}
		if err := tx.MoveContactNotes(ctx, store.MoveContactNotesParams{IntoID: intoID, FromID: fromID}); err != nil {
			return err
		}
		if err := tx.SetContactFlags(ctx, store.SetContactFlagsParams{ID: intoID, Vip: into.Vip || from.Vip,
			Ambassador: into.Ambassador || from.Ambassador, Influencer: into.Influencer || from.Influencer, UpdatedAt: now}); err != nil {
			return err
		}
		if err := tx.DeleteContact(ctx, fromID); err != nil {
			return err
		}
		return s.audit(ctx, tx, user, into.WorkspaceID, intoID, ActMerge, fmt.Sprintf("contact %d (%s)", fromID, accounts(from.Authors)))
	})
}

// Split takes one account out of a contact into a contact of its own and
// returns the new contact's id. Notes, tags and flags stay with the
// original contact: they were written about the person, not the account.
func (s *Service) Split(ctx context.Context, user store.User, id, authorID int64) (int64, error) {
	c, err := s.contact(ctx, user, id, permEdit)
	if err != nil {
		return 0, err
	}
	if c.Erased() {
		return 0, errErased
	}
	var author *store.InboxAuthor
	for i := range c.Authors {
		if c.Authors[i].ID == authorID {
			author = &c.Authors[i]
		}
	}
	if author == nil {
		return 0, errNotInContact
	}
	if len(c.Authors) < 2 {
		return 0, errLastAuthor
	}
	var newID int64
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		n, err := tx.CreateContact(ctx, store.CreateContactParams{WorkspaceID: c.WorkspaceID, CreatedAt: s.now()})
		if err != nil {
			return err
		}
		newID = n.ID
		if err := tx.LinkContactAuthor(ctx, store.LinkContactAuthorParams{AuthorID: authorID, ContactID: n.ID}); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s into contact %d", accounts([]store.InboxAuthor{*author}), n.ID)
		if err := s.audit(ctx, tx, user, c.WorkspaceID, id, ActSplit, detail); err != nil {
			return err
		}
		return s.audit(ctx, tx, user, c.WorkspaceID, n.ID, ActSplit, fmt.Sprintf("from contact %d", id))
	})
	return newID, err
}

// accounts names accounts in the audit by network and row id, never by
// handle: the audit outlives an erasure and must not keep the person's name.
func accounts(as []store.InboxAuthor) string {
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%s account %d", a.Network, a.ID))
	}
	return strings.Join(out, ", ")
}

func (s *Service) audit(ctx context.Context, q store.Queries, user store.User, workspaceID, contactID int64, action, detail string) error {
	return q.AddContactAudit(ctx, store.AddContactAuditParams{WorkspaceID: workspaceID, ContactID: &contactID, UserID: &user.ID,
		Action: action, Detail: detail, CreatedAt: s.now()})
}

// Contact returns one contact with its accounts, for a member who may read it.
func (s *Service) Contact(ctx context.Context, user store.User, id int64) (Contact, error) {
	return s.contact(ctx, user, id, permRead)
}

// CanGDPR reports whether role r may export or erase a person's data (the
// UI offers the buttons only then; the service checks on every call).
func CanGDPR(r auth.Role) bool { return r.Can(permGDPR) }

// CanEdit reports whether role r may change notes, tags, flags, merge and split.
func CanEdit(r auth.Role) bool { return r.Can(permEdit) }
