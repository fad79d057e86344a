package listen

import (
	"context"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// DefaultRetentionMonths is how long mentions are kept when the workspace
// did not say (issue 15 §3).
const DefaultRetentionMonths = 13

// Retain deletes, in every workspace with listening, the mentions posted
// before its retention and the rollups of the hours (and days) before it.
// It returns how many mentions it deleted.
func (s *Service) Retain(ctx context.Context) (int64, error) {
	rows, err := s.Store.ListListenRetention(ctx)
	if err != nil {
		return 0, err
	}
	var total int64
	now := s.now()
	for _, r := range rows {
		months := r.RetentionMonths
		if months <= 0 {
			months = DefaultRetentionMonths
		}
		before := now.AddDate(0, -int(months), 0).Truncate(24 * time.Hour)
		err := s.Store.InTx(ctx, func(tx store.Tx) error {
			n, err := tx.DeleteMentionsBefore(ctx, store.DeleteMentionsBeforeParams{WorkspaceID: r.WorkspaceID, Before: before})
			if err != nil {
				return err
			}
			total += n
			if err := tx.DeleteMentionRollupsBefore(ctx, store.DeleteMentionRollupsBeforeParams{WorkspaceID: r.WorkspaceID, Before: before}); err != nil {
				return err
			}
			if err := tx.DeleteMentionTermRollupsBefore(ctx, store.DeleteMentionTermRollupsBeforeParams{WorkspaceID: r.WorkspaceID, Before: before}); err != nil {
				return err
			}
			return tx.DeleteMentionAuthorRollupsBefore(ctx, store.DeleteMentionAuthorRollupsBeforeParams{WorkspaceID: r.WorkspaceID, Before: before})
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
