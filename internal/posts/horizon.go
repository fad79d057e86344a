package posts

import (
	"context"
	"net/http"
	"time"

	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// The bounds of a workspace's schedule horizon, in days. The default is the
// column default of migration 00008: two years.
const (
	DefaultHorizonDays = 730
	MaxHorizonDays     = 3650
)

// ErrBeyondHorizon refuses a schedule further ahead than the workspace allows
// (a year typed wrong, or a flood of far-future posts that would sit in the
// queue for ever). Its detail names the limit.
var ErrBeyondHorizon = problem.New(http.StatusUnprocessableEntity, "beyond_horizon",
	"This date is further ahead than this workspace schedules.")

// HorizonDays is the workspace's horizon, the default for a row read before
// the column existed.
func HorizonDays(ws store.Workspace) int64 {
	if ws.ScheduleHorizonDays <= 0 {
		return DefaultHorizonDays
	}
	return ws.ScheduleHorizonDays
}

// checkHorizon refuses when later than the workspace's horizon from now. It
// runs wherever a post gets a time (scheduleTx, Move), so every route (the
// composer, the API, CSV imports, the calendar, the queue, approvals)
// answers the same.
func (s *Service) checkHorizon(ws store.Workspace, when time.Time) error {
	days := HorizonDays(ws)
	limit := s.now().Add(time.Duration(days) * 24 * time.Hour)
	if !when.After(limit) {
		return nil
	}
	return ErrBeyondHorizon.With(problem.Detail{Location: "scheduled_local", Code: "beyond_horizon",
		Message: "Pick a date at most %d days ahead (until %s UTC).", Args: []any{days, utcDate(limit)}})
}

// utcDate is a time written as each language writes dates.
type utcDate time.Time

// Localized writes the date in lang.
func (d utcDate) Localized(lang string) string {
	if lang == "fr" {
		return time.Time(d).UTC().Format("02/01/2006 15:04")
	}
	return time.Time(d).UTC().Format("2006-01-02 15:04")
}

// SetScheduleHorizon sets how many days ahead a workspace may schedule
// (between 1 and MaxHorizonDays); it takes the team-management permission,
// like the workspace's other settings. Posts already scheduled stay.
func (s *Service) SetScheduleHorizon(ctx context.Context, user store.User, workspaceID, days int64) (store.Workspace, error) {
	ws, _, err := s.UpdateWorkspace(ctx, user, workspaceID, WorkspaceSettings{ScheduleHorizonDays: &days})
	return ws, err
}
