package posts

import (
	"context"

	"strings"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

// MaxDuplicateWindowHours bounds how far apart two identical posts on one
// channel still count as duplicates: 30 days.
const MaxDuplicateWindowHours = 720

// WorkspaceSettings are the publishing settings of a workspace; a nil field
// keeps its value. The web UI and the API both change them through
// UpdateWorkspace, so both answer the same rules.
type WorkspaceSettings struct {
	Name                 *string
	Timezone             *string
	RequireApproval      *bool
	DuplicateWindowHours *int64
	ScheduleHorizonDays  *int64
}

// UpdateWorkspace changes a workspace's settings; it takes the
// team-management permission. Every field is checked before anything is
// written, and all are written in one transaction. It returns the workspace
// as saved and the user's role in it.
func (s *Service) UpdateWorkspace(ctx context.Context, user store.User, workspaceID int64, in WorkspaceSettings) (store.Workspace, auth.Role, error) {
	ws, role, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageTeam)
	if err != nil {
		return ws, role, err
	}
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" {
			return ws, role, problem.Invalidf("name", "required", "Name the workspace.")
		}
		ws.Name = name
	}
	if in.Timezone != nil {
		tz := strings.TrimSpace(*in.Timezone)
		if err := schedule.CheckZone(tz); err != nil {
			return ws, role, auth.ErrBadTimezone
		}
		ws.Timezone = tz
	}
	if in.DuplicateWindowHours != nil {
		hours := *in.DuplicateWindowHours
		if hours < 0 || hours > MaxDuplicateWindowHours {
			return ws, role, problem.Invalidf("duplicate_window_hours", "bad_number", "Enter a number of hours between 0 and 720.")
		}
		ws.DuplicateWindowHours = hours
	}
	if in.ScheduleHorizonDays != nil {
		days := *in.ScheduleHorizonDays
		if days < 1 || days > MaxHorizonDays {
			return ws, role, problem.Invalid.With(problem.Detail{Location: "schedule_horizon_days", Code: "bad_number", Message: "Enter a number of days between 1 and %d.", Args: []any{MaxHorizonDays}})
		}
		ws.ScheduleHorizonDays = days
	}
	if in.RequireApproval != nil {
		ws.RequireApproval = *in.RequireApproval
	}
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		if in.ScheduleHorizonDays != nil {
			if err := tx.SetWorkspaceScheduleHorizon(ctx, store.SetWorkspaceScheduleHorizonParams{ScheduleHorizonDays: ws.ScheduleHorizonDays, ID: ws.ID}); err != nil {
				return err
			}
		}
		return tx.UpdateWorkspaceSettings(ctx, store.UpdateWorkspaceSettingsParams{Name: ws.Name, Timezone: ws.Timezone, RequireApproval: ws.RequireApproval,
			DuplicateWindowHours: ws.DuplicateWindowHours, ID: ws.ID})
	})
	return ws, role, err
}
