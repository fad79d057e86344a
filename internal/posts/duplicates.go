package posts

import (
	"context"
	"errors"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// ContentHash is the key under which two variants count as the same content
// (text normalised for case and spacing, link, media), the key the
// duplicate check compares.
func ContentHash(v VariantInput) string { return contentHash(v) }

// DuplicateWindow is how close in time the same content on the same channel
// counts as a duplicate in ws; 0 turns the check off.
func DuplicateWindow(ws store.Workspace) time.Duration {
	return time.Duration(ws.DuplicateWindowHours) * time.Hour
}

// FindDuplicate returns the id of a stored post (scheduled, waiting for
// approval or published) with the same content as one of in's variants on
// its channel, within the workspace's window around when: the check
// scheduleTx makes, for callers that report instead of refusing (a CSV
// import). 0 when there is none.
func (s *Service) FindDuplicate(ctx context.Context, q store.Queries, ws store.Workspace, in Input, when time.Time) (int64, error) {
	window := DuplicateWindow(ws)
	if window <= 0 {
		return 0, nil
	}
	from, to := when.Add(-window), when.Add(window)
	for _, v := range in.Variants {
		dup, err := q.FindDuplicateVariant(ctx, store.FindDuplicateVariantParams{ChannelID: v.ChannelID, ContentHash: contentHash(v), PostID: 0, WindowFrom: &from, WindowTo: &to})
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		return dup, err
	}
	return 0, nil
}

// CheckHorizon refuses when further ahead than ws allows (ErrBeyondHorizon),
// for callers that report per item (a CSV import) before saving.
func (s *Service) CheckHorizon(ws store.Workspace, when time.Time) error {
	return s.checkHorizon(ws, when)
}
