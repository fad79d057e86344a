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
// items, and the contact's audit.
type Export struct {
	ExportedAt   time.Time                   `json:"exported_at"`
	Contact      ExportContact               `json:"contact"`
	Accounts     []store.InboxAuthor         `json:"accounts"`
	Items        []store.InboxItem           `json:"items"`
	ContactNotes []store.ListContactNotesRow `json:"contact_notes"`
	ItemNotes    []store.InboxNote           `json:"item_notes"`
	Actions      []store.InboxAction         `json:"actions"`
	Audit        []store.ListContactAuditRow `json:"audit"`
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

// Export gathers one person's data and records who exported it.
func (s *Service) Export(ctx context.Context, user store.User, id int64) (Export, error) {
	c, err := s.contact(ctx, user, id, permGDPR)
	if err != nil {
		return Export{}, err
	}
	e := Export{ExportedAt: s.now(), Accounts: c.Authors, Contact: ExportContact{ID: c.ID, VIP: c.Vip, Ambassador: c.Ambassador,
		Influencer: c.Influencer, ErasedAt: c.ErasedAt, CreatedAt: c.CreatedAt}}
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
		if e.Items, err = tx.ListContactItems(ctx, store.ListContactItemsParams{ContactID: id, MaxRows: maxExportItems}); err != nil {
			return err
		}
		if e.ContactNotes, err = tx.ListContactNotes(ctx, id); err != nil {
			return err
		}
		if e.ItemNotes, err = tx.ListContactItemNotes(ctx, id); err != nil {
			return err
		}
		if e.Actions, err = tx.ListContactItemActions(ctx, id); err != nil {
			return err
		}
		e.Audit, err = tx.ListContactAudit(ctx, &id)
		return err
	})
	if err != nil {
		return Export{}, err
	}
	return e, nil
}

// Erase removes one person's personal data, as the GDPR's right to erasure
// asks: their accounts' network ids, handles, names, avatars and links;
// the text of every item they wrote and its link; the team's notes about
// them and their items; their tags and flags. What stays is anonymous: the
// item rows (network, channel, kind, dates, sentiment, status), so every
// report still counts them, and the audit, which records who erased.
// Erasing twice is harmless.
func (s *Service) Erase(ctx context.Context, user store.User, id int64) error {
	c, err := s.contact(ctx, user, id, permGDPR)
	if err != nil {
		return err
	}
	now := s.now()
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		steps := []func() error{
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
