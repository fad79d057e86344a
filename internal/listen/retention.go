package listen

import (
	"context"
	"time"

	"github.com/tribune-social/tribune/internal/problem"
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

// The retention a workspace may choose, in months: a month at least (the
// dashboard's shortest range), ten years at most.
const (
	MinRetentionMonths = 1
	MaxRetentionMonths = 120
)

// Settings are a workspace's listening settings.
type Settings struct {
	// RetentionMonths is how long mentions and their rollups are kept.
	RetentionMonths int `json:"retention_months" doc:"How many months mentions and their counts are kept (1 to 120, 13 by default)"`
}

var errRetention = problem.Invalidf("retention_months", "invalid_retention", "Mentions are kept from 1 to 120 months.")

// Settings returns the workspace's listening settings.
func (s *Service) Settings(ctx context.Context, user store.User, workspaceID int64) (Settings, error) {
	if err := s.authorize(ctx, user, workspaceID, permRead); err != nil {
		return Settings{}, err
	}
	months, err := s.Store.GetListenRetention(ctx, workspaceID)
	if err != nil {
		return Settings{}, err
	}
	return Settings{RetentionMonths: int(months)}, nil
}

// SaveSettings saves the workspace's listening settings. A shorter
// retention deletes the older mentions at the next retention job, not at
// once: the page says so.
func (s *Service) SaveSettings(ctx context.Context, user store.User, workspaceID int64, in Settings) (Settings, error) {
	if err := s.authorize(ctx, user, workspaceID, permSources); err != nil {
		return Settings{}, err
	}
	if in.RetentionMonths < MinRetentionMonths || in.RetentionMonths > MaxRetentionMonths {
		return Settings{}, errRetention
	}
	if err := s.Store.SetListenRetention(ctx, store.SetListenRetentionParams{WorkspaceID: workspaceID, RetentionMonths: int64(in.RetentionMonths)}); err != nil {
		return Settings{}, err
	}
	return s.Settings(ctx, user, workspaceID)
}
