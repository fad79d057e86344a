package contacts

import (
	"context"
	"fmt"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// Export is everything Tribune holds about one person, as the GDPR's right
// of access asks: the contact, their accounts, every item they wrote, the
// team's notes about them and their items, the actions taken on their
// items, and the contact's audit. Field names are the API's (snake_case),
// so the file reads the same as the rest of Tribune's JSON.
type Export struct {
	ExportedAt   time.Time       `json:"exported_at"`
	Contact      ExportContact   `json:"contact"`
	Accounts     []ExportAccount `json:"accounts"`
	Items        []ExportItem    `json:"items"`
	ContactNotes []ExportNote    `json:"contact_notes"`
	ItemNotes    []ExportNote    `json:"item_notes"`
	Actions      []ExportAction  `json:"actions"`
	Audit        []ExportAction  `json:"audit"`
}

// ExportContact is the contact's own row in an export.
type ExportContact struct {
	ID         int64      `json:"id"`
	VIP        bool       `json:"vip"`
	Ambassador bool       `json:"ambassador"`
	Influencer bool       `json:"influencer"`
	Tags       []string   `json:"tags"`
	ErasedAt   *time.Time `json:"erased_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// ExportAccount is one of the person's network accounts.
type ExportAccount struct {
	ID          int64     `json:"id"`
	Network     string    `json:"network"`
	ExternalID  string    `json:"external_id"`
	Handle      string    `json:"handle"`
	DisplayName string    `json:"display_name"`
	AvatarURL   string    `json:"avatar_url"`
	URL         string    `json:"url"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ExportItem is one thing the person wrote.
type ExportItem struct {
	ID             int64      `json:"id"`
	AccountID      int64      `json:"account_id"`
	ChannelID      int64      `json:"channel_id"`
	Network        string     `json:"network"`
	ExternalID     string     `json:"external_id"`
	Kind           string     `json:"kind"`
	URL            string     `json:"url"`
	Text           string     `json:"text"`
	Lang           string     `json:"lang"`
	Sentiment      string     `json:"sentiment"`
	SentimentScore float64    `json:"sentiment_score"`
	Rating         int64      `json:"rating"`
	Status         string     `json:"status"`
	WrittenAt      time.Time  `json:"written_at"`
	EditedAt       *time.Time `json:"edited_at,omitempty"`
	DeletedAt      *time.Time `json:"deleted_at,omitempty"`
	ReceivedAt     time.Time  `json:"received_at"`
}

// ExportNote is a note a member wrote about the person or one of their items.
type ExportNote struct {
	ID        int64     `json:"id"`
	ItemID    int64     `json:"item_id,omitempty"`
	UserID    int64     `json:"user_id"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// ExportAction is something done to one of the person's items, or to the
// contact (the audit).
type ExportAction struct {
	ItemID    int64     `json:"item_id,omitempty"`
	UserID    *int64    `json:"user_id,omitempty"`
	Action    string    `json:"action"`
	Detail    string    `json:"detail,omitempty"`
	Result    string    `json:"result,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Export gathers one person's data and records who exported it.
func (s *Service) Export(ctx context.Context, user store.User, id int64) (Export, error) {
	c, err := s.contact(ctx, user, id, permGDPR)
	if err != nil {
		return Export{}, err
	}
	e := Export{ExportedAt: s.now(), Contact: ExportContact{ID: c.ID, VIP: c.Vip, Ambassador: c.Ambassador,
		Influencer: c.Influencer, ErasedAt: c.ErasedAt, CreatedAt: c.CreatedAt},
		// Empty lists, not nulls: the file says "nothing" plainly.
		Accounts: []ExportAccount{}, Items: []ExportItem{}, ContactNotes: []ExportNote{}, ItemNotes: []ExportNote{}, Actions: []ExportAction{}, Audit: []ExportAction{}}
	for _, a := range c.Authors {
		e.Accounts = append(e.Accounts, ExportAccount{ID: a.ID, Network: a.Network, ExternalID: a.ExternalID, Handle: a.Handle,
			DisplayName: a.DisplayName, AvatarURL: a.AvatarURL, URL: a.URL, UpdatedAt: a.UpdatedAt})
	}
	// Record the export first, in the same transaction as the reads, so the
	// audit the person receives lists this export too.
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		if err := s.audit(ctx, tx, user, c.WorkspaceID, id, ActExport, ""); err != nil {
			return err
		}
		var err error
		if e.Contact.Tags, err = tx.ListContactTags(ctx, id); err != nil {
			return err
		}
		items, err := tx.ListContactItems(ctx, store.ListContactItemsParams{ContactID: id, MaxRows: maxExportItems})
		if err != nil {
			return err
		}
		for _, it := range items {
			e.Items = append(e.Items, ExportItem{ID: it.ID, AccountID: it.AuthorID, ChannelID: it.ChannelID, Network: it.Network,
				ExternalID: it.ExternalID, Kind: it.Kind, URL: it.RefURL, Text: it.Text, Lang: it.Lang, Sentiment: it.Sentiment,
				SentimentScore: it.SentimentScore, Rating: it.Rating, Status: it.Status, WrittenAt: it.NetworkCreatedAt, EditedAt: it.EditedAt,
				DeletedAt: it.DeletedAt, ReceivedAt: it.CreatedAt})
		}
		cnotes, err := tx.ListContactNotes(ctx, id)
		if err != nil {
			return err
		}
		for _, n := range cnotes {
			e.ContactNotes = append(e.ContactNotes, ExportNote{ID: n.ID, UserID: n.UserID, Body: n.Body, CreatedAt: n.CreatedAt})
		}
		inotes, err := tx.ListContactItemNotes(ctx, id)
		if err != nil {
			return err
		}
		for _, n := range inotes {
			e.ItemNotes = append(e.ItemNotes, ExportNote{ID: n.ID, ItemID: n.ItemID, UserID: n.UserID, Body: n.Body, CreatedAt: n.CreatedAt})
		}
		acts, err := tx.ListContactItemActions(ctx, id)
		if err != nil {
			return err
		}
		for _, a := range acts {
			e.Actions = append(e.Actions, ExportAction{ItemID: a.ItemID, UserID: a.UserID, Action: a.Action, Detail: a.Detail, Result: a.Result, CreatedAt: a.CreatedAt})
		}
		audit, err := tx.ListContactAudit(ctx, &id)
		if err != nil {
			return err
		}
		for _, a := range audit {
			e.Audit = append(e.Audit, ExportAction{UserID: a.UserID, Action: a.Action, Detail: a.Detail, CreatedAt: a.CreatedAt})
		}
		return nil
	})
	if err != nil {
		return Export{}, err
	}
	return e, nil
}

// ReplyErased is the error of a reply to an erased person that had not gone
// out yet: it is never sent (its text is erased too), and the conversation
// says why (a catalogue key: the page shows it in the reader's language).
const ReplyErased = "Not sent: the person it answers was erased (GDPR) before it went out."

// Erase removes one person's personal data, as the GDPR's right to erasure
// asks: their accounts' network ids, handles, names, avatars and links;
// the text of every item they wrote and its link; the team's notes about
// them and their items; their tags and flags; and the copies of their words
// and names elsewhere: the team's replies to their items (which name them),
// the inbox notifications quoting an item or a reply to it, the webhook
// events about their items (and the receivers' logged answers), and the
// audit details of their items that can quote words (auto-replies, reply
// approvals). What stays is anonymous: the item, reply, notification,
// delivery and audit rows (network, channel, kind, dates, sentiment,
// status, who acted), so every report still counts them, with "[erased]"
// where words were, and the contact's audit, which records who erased.
// Erasing twice is harmless.
func (s *Service) Erase(ctx context.Context, user store.User, id int64) error {
	c, err := s.contact(ctx, user, id, permGDPR)
	if err != nil {
		return err
	}
	now := s.now()
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		// The copies go first: the notifications are found by the text
		// they quote, which the items, replies and audit still hold.
		steps := []func() error{
			func() error { return tx.EraseContactNotifications(ctx, id) },
			func() error { return tx.EraseContactWebhookEvents(ctx, id) },
			func() error {
				return tx.EraseContactReplies(ctx, store.EraseContactRepliesParams{ContactID: id, UnsentError: ReplyErased, UpdatedAt: now})
			},
			func() error { return tx.EraseContactItemActions(ctx, id) },
			func() error { return tx.DeleteContactItemNotes(ctx, id) },
			func() error {
				return tx.EraseContactItems(ctx, store.EraseContactItemsParams{ContactID: id, UpdatedAt: now})
			},
			func() error {
				return tx.EraseContactAuthors(ctx, store.EraseContactAuthorsParams{ContactID: id, UpdatedAt: now})
			},
			func() error { return tx.DeleteContactNotes(ctx, id) },
			func() error { return tx.DeleteContactTags(ctx, id) },
			func() error { return tx.EraseContact(ctx, store.EraseContactParams{ID: id, ErasedAt: &now}) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, user, c.WorkspaceID, id, ActErase, fmt.Sprintf("%d accounts, %d items", len(c.Authors), c.ItemCount))
	})
}
