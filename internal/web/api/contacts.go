package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/network"
)

// Contacts: one person across networks. Reading takes View; notes, tags,
// flags, merge and split take Compose; the GDPR export and erasure take
// ManageTeam (owners and admins). The contacts service checks.
func (s *server) contactRoutes(a huma.API) {
	huma.Register(a, op("list-contacts", http.MethodGet, "/v1/workspaces/{ws}/contacts", "Contacts (one person across networks), newest first, with search and a flag filter", "contacts"), s.listContacts)
	huma.Register(a, op("contact-suggestions", http.MethodGet, "/v1/workspaces/{ws}/contacts/suggestions", "Contacts that may be one person: the same display name, or the same handle local part, on two networks", "contacts"), s.contactSuggestions)
	huma.Register(a, op("get-contact", http.MethodGet, "/v1/contacts/{id}", "A contact: accounts, history across networks (newest first), notes, tags, flags, audit", "contacts"), s.getContact)
	huma.Register(a, op("update-contact", http.MethodPatch, "/v1/contacts/{id}", "Change a contact's flags and tags", "contacts"), s.updateContact)
	huma.Register(a, created(op("add-contact-note", http.MethodPost, "/v1/contacts/{id}/notes", "Add an internal note about the person", "contacts")), s.addContactNote)
	huma.Register(a, op("merge-contact", http.MethodPost, "/v1/contacts/{id}/merge", "Merge another contact into this one (accounts, notes, tags, flags)", "contacts"), s.mergeContact)
	huma.Register(a, created(op("split-contact", http.MethodPost, "/v1/contacts/{id}/split", "Take one account out of a contact into a new contact", "contacts")), s.splitContact)
	huma.Register(a, op("export-contact", http.MethodGet, "/v1/contacts/{id}/gdpr-export", "GDPR access: everything held about the person, as JSON (owners and admins; audited)", "contacts"), s.exportContact)
	huma.Register(a, noContent(op("erase-contact", http.MethodPost, "/v1/contacts/{id}/erase", "GDPR erasure: remove the person's handles, names, avatars, links, texts and notes; anonymous counts stay (owners and admins; audited)", "contacts")), s.eraseContact)
}

// ContactAccountOut is one of a contact's accounts on a network.
type ContactAccountOut struct {
	ID          int64  `json:"id" doc:"The inbox author's id"`
	Network     string `json:"network"`
	Handle      string `json:"handle"`
	DisplayName string `json:"display_name,omitempty"`
	URL         string `json:"url,omitempty"`
	AvatarURL   string `json:"avatar_url,omitempty"`
}

// ContactOut is a contact as listed.
type ContactOut struct {
	ID         int64               `json:"id"`
	Name       string              `json:"name" doc:"The first account's display name, else its handle; empty once erased"`
	Accounts   []ContactAccountOut `json:"accounts"`
	VIP        bool                `json:"vip"`
	Ambassador bool                `json:"ambassador"`
	Influencer bool                `json:"influencer"`
	Items      int64               `json:"items" doc:"How many inbox items the person wrote"`
	ErasedAt   *time.Time          `json:"erased_at,omitempty"`
	CreatedAt  time.Time           `json:"created_at"`
}

func toContact(c contacts.Contact) ContactOut {
	out := ContactOut{ID: c.ID, Name: c.Name(), Accounts: []ContactAccountOut{}, VIP: c.Vip, Ambassador: c.Ambassador, Influencer: c.Influencer,
		Items: c.ItemCount, ErasedAt: c.ErasedAt, CreatedAt: c.CreatedAt}
	for _, a := range c.Authors {
		out.Accounts = append(out.Accounts, ContactAccountOut{ID: a.ID, Network: a.Network, Handle: a.Handle, DisplayName: a.DisplayName, URL: network.WebURL(a.URL), AvatarURL: network.WebURL(a.AvatarURL)})
	}
	return out
}

type listContactsIn struct {
	WS     int64  `path:"ws" doc:"Workspace id"`
	Q      string `query:"q" maxLength:"200" doc:"Found in a handle or a display name"`
	Flag   string `query:"flag" enum:"vip,ambassador,influencer,"`
	Before int64  `query:"before" doc:"The next_before of the previous page"`
}

// ContactPageOut is one page of contacts.
type ContactPageOut struct {
	Contacts   []ContactOut `json:"contacts"`
	NextBefore int64        `json:"next_before,omitempty"`
}

func (s *server) listContacts(ctx context.Context, in *listContactsIn) (*body[ContactPageOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	p, err := s.Contacts.List(ctx, u, in.WS, contacts.Filter{Query: in.Q, Flag: contacts.Flag(in.Flag), Before: in.Before})
	if err != nil {
		return nil, s.fail(err)
	}
	out := ContactPageOut{Contacts: []ContactOut{}, NextBefore: p.Next}
	for _, c := range p.Contacts {
		out.Contacts = append(out.Contacts, toContact(c))
	}
	return &body[ContactPageOut]{out}, nil
}

// ContactSuggestionOut is two contacts that may be one person.
type ContactSuggestionOut struct {
	A      ContactOut `json:"a"`
	B      ContactOut `json:"b"`
	Reason string     `json:"reason" enum:"same_name,same_handle"`
}

func toSuggestions(sg []contacts.Suggestion) []ContactSuggestionOut {
	out := []ContactSuggestionOut{}
	for _, x := range sg {
		out = append(out, ContactSuggestionOut{A: toContact(x.A), B: toContact(x.B), Reason: x.Reason})
	}
	return out
}

// ContactSuggestionPageOut is one page of suggested merges.
type ContactSuggestionPageOut struct {
	Suggestions []ContactSuggestionOut `json:"suggestions"`
	// NextAfter is the cursor of the next page, absent on the last one.
	NextAfter string `json:"next_after,omitempty"`
}

type contactSuggestionsIn struct {
	WS    int64  `path:"ws"`
	After string `query:"after" doc:"The next_after cursor of the previous page; empty for the first page"`
}

func (s *server) contactSuggestions(ctx context.Context, in *contactSuggestionsIn) (*body[ContactSuggestionPageOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	p, err := s.Contacts.SuggestionsAfter(ctx, u, in.WS, in.After)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[ContactSuggestionPageOut]{ContactSuggestionPageOut{Suggestions: toSuggestions(p.Suggestions), NextAfter: p.Next}}, nil
}

// ContactNoteOut is a note about a person.
type ContactNoteOut struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	UserName  string    `json:"user_name,omitempty"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// ContactAuditOut is one line of a contact's audit.
type ContactAuditOut struct {
	UserID    *int64    `json:"user_id,omitempty"`
	UserName  string    `json:"user_name,omitempty"`
	Action    string    `json:"action" enum:"merge,split,export,erase"`
	Detail    string    `json:"detail,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// ContactHistoryItemOut is one of the person's inbox items.
type ContactHistoryItemOut struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	ChannelID      int64     `json:"channel_id"`
	Network        string    `json:"network"`
	Kind           string    `json:"kind"`
	Text           string    `json:"text"`
	Sentiment      string    `json:"sentiment"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at" doc:"When it was written on the network"`
}

// ContactDetailOut is a contact's page.
type ContactDetailOut struct {
	ContactOut
	Tags        []string                `json:"tags"`
	History     []ContactHistoryItemOut `json:"history" doc:"The person's inbox items on every network, newest first (the latest 200)"`
	Notes       []ContactNoteOut        `json:"notes"`
	Audit       []ContactAuditOut       `json:"audit"`
	Suggestions []ContactSuggestionOut  `json:"suggestions"`
}

func (s *server) getContact(ctx context.Context, in *idPath) (*body[ContactDetailOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	d, err := s.Contacts.Get(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	out := ContactDetailOut{ContactOut: toContact(d.Contact), Tags: append([]string{}, d.Tags...), History: []ContactHistoryItemOut{},
		Notes: []ContactNoteOut{}, Audit: []ContactAuditOut{}, Suggestions: toSuggestions(d.Suggestions)}
	for _, it := range d.Items {
		out.History = append(out.History, ContactHistoryItemOut{ID: it.ID, ConversationID: it.ConversationID, ChannelID: it.ChannelID, Network: it.Network,
			Kind: it.Kind, Text: it.Text, Sentiment: it.Sentiment, Status: it.Status, CreatedAt: it.NetworkCreatedAt})
	}
	for _, n := range d.Notes {
		out.Notes = append(out.Notes, ContactNoteOut{ID: n.ID, UserID: n.UserID, UserName: n.UserName, Body: n.Body, CreatedAt: n.CreatedAt})
	}
	for _, a := range d.Audit {
		out.Audit = append(out.Audit, ContactAuditOut{UserID: a.UserID, UserName: a.UserName, Action: a.Action, Detail: a.Detail, CreatedAt: a.CreatedAt})
	}
	return &body[ContactDetailOut]{out}, nil
}

// ContactChange changes flags and tags; absent fields stay.
type ContactChange struct {
	VIP        *bool    `json:"vip,omitempty"`
	Ambassador *bool    `json:"ambassador,omitempty"`
	Influencer *bool    `json:"influencer,omitempty"`
	AddTags    []string `json:"add_tags,omitempty" maxItems:"20"`
	RemoveTags []string `json:"remove_tags,omitempty" maxItems:"20"`
}

type updateContactIn struct {
	ID   int64 `path:"id"`
	Body ContactChange
}

func (s *server) updateContact(ctx context.Context, in *updateContactIn) (*body[ContactDetailOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	c := in.Body
	if err := s.Contacts.Update(ctx, u, in.ID, contacts.Change{VIP: c.VIP, Ambassador: c.Ambassador, Influencer: c.Influencer,
		AddTags: c.AddTags, RemoveTags: c.RemoveTags}); err != nil {
		return nil, s.fail(err)
	}
	return s.getContact(ctx, &idPath{in.ID})
}

type addContactNoteIn struct {
	ID   int64 `path:"id"`
	Body struct {
		Body string `json:"body" minLength:"1" maxLength:"5000"`
	}
}

func (s *server) addContactNote(ctx context.Context, in *addContactNoteIn) (*body[ContactDetailOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	if err := s.Contacts.AddNote(ctx, u, in.ID, in.Body.Body); err != nil {
		return nil, s.fail(err)
	}
	return s.getContact(ctx, &idPath{in.ID})
}

type mergeContactIn struct {
	ID   int64 `path:"id"`
	Body struct {
		ContactID int64 `json:"contact_id" doc:"The contact merged into this one (it is deleted)"`
	}
}

func (s *server) mergeContact(ctx context.Context, in *mergeContactIn) (*body[ContactDetailOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	if err := s.Contacts.Merge(ctx, u, in.ID, in.Body.ContactID); err != nil {
		return nil, s.fail(err)
	}
	return s.getContact(ctx, &idPath{in.ID})
}

type splitContactIn struct {
	ID   int64 `path:"id"`
	Body struct {
		AccountID int64 `json:"account_id" doc:"The account (inbox author id) to take out"`
	}
}

func (s *server) splitContact(ctx context.Context, in *splitContactIn) (*body[ContactDetailOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	id, err := s.Contacts.Split(ctx, u, in.ID, in.Body.AccountID)
	if err != nil {
		return nil, s.fail(err)
	}
	return s.getContact(ctx, &idPath{id})
}

func (s *server) exportContact(ctx context.Context, in *idPath) (*body[contacts.Export], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	e, err := s.Contacts.Export(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[contacts.Export]{e}, nil
}

func (s *server) eraseContact(ctx context.Context, in *idPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	if err := s.Contacts.Erase(ctx, u, in.ID); err != nil {
		return nil, s.fail(err)
	}
	return &struct{}{}, nil
}
