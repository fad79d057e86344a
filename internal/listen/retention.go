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
// before its retention and the rollups of the hours, days and months before
// it; the month it cuts is trimmed to the days it keeps.
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
			if err := tx.DeleteMentionAuthorRollupsBefore(ctx, store.DeleteMentionAuthorRollupsBeforeParams{WorkspaceID: r.WorkspaceID, Before: before}); err != nil {
				return err
			}
			return trimCoarseRollups(ctx, tx, r.WorkspaceID, before)
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// trimCoarseRollups deletes the daily and monthly rollups before the cut
// (a UTC midnight) and rebuilds the month it falls in from the days that
// stay: the dashboard reads a month whole, so its row must count exactly
// the days the retention kept, no more.
func trimCoarseRollups(ctx context.Context, tx store.Tx, wsID int64, before time.Time) error {
	if err := tx.DeleteMentionRollupSpansBefore(ctx, store.DeleteMentionRollupSpansBeforeParams{WorkspaceID: wsID, Before: before}); err != nil {
		return err
	}
	if err := tx.DeleteMentionTermSpansBefore(ctx, store.DeleteMentionTermSpansBeforeParams{WorkspaceID: wsID, Before: before}); err != nil {
		return err
	}
	if err := tx.DeleteMentionAuthorMonthsBefore(ctx, store.DeleteMentionAuthorMonthsBeforeParams{WorkspaceID: wsID, Before: before}); err != nil {
		return err
	}
	month := monthOf(before)
	if month.Equal(before) {
		return nil // the cut is a month's start: no month straddles it
	}
	end := month.AddDate(0, 1, 0)
	if err := tx.TrimMentionRollupMonth(ctx, store.TrimMentionRollupMonthParams{WorkspaceID: wsID, Month: month, Before: before, MonthEnd: end}); err != nil {
		return err
	}
	if err := tx.TrimMentionTermMonth(ctx, store.TrimMentionTermMonthParams{WorkspaceID: wsID, Month: month, Before: before, MonthEnd: end}); err != nil {
		return err
	}
	return tx.TrimMentionAuthorMonth(ctx, store.TrimMentionAuthorMonthParams{WorkspaceID: wsID, Month: month, Before: before, MonthEnd: end})
}
