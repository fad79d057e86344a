package crisis

import (
	"context"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// Point is one hour of the report's curves: mentions of every topic of the
// workspace, by tonality.
type Point struct {
	Hour     time.Time `json:"hour"`
	Mentions int64     `json:"mentions"`
	Positive int64     `json:"positive"`
	Neutral  int64     `json:"neutral"`
	Negative int64     `json:"negative"`
}

// Report is the post-incident report: the incident, its timeline, and the
// volume and sentiment curves from a little before it opened to its end.
type Report struct {
	Incident  Incident
	Workspace store.Workspace
	From, To  time.Time
	Points    []Point
	// Peak is the highest hourly volume (the curves' scale).
	Peak int64
}

// Lead is how far before the opening the curves start: the rise that led
// to the incident belongs in its report.
const Lead = 12 * time.Hour

// MaxReportHours bounds the curves of a very long incident.
const MaxReportHours = 24 * 31

// Report builds the post-incident report (for an open incident, up to now).
func (s *Service) Report(ctx context.Context, user store.User, workspaceID, id int64) (Report, error) {
	inc, err := s.Get(ctx, user, workspaceID, id)
	if err != nil {
		return Report{}, err
	}
	ws, err := s.Store.GetWorkspace(ctx, workspaceID)
	if err != nil {
		return Report{}, err
	}
	end := s.now()
	if inc.ClosedAt != nil {
		end = inc.ClosedAt.UTC()
	}
	from := inc.OpenedAt.UTC().Add(-Lead).Truncate(time.Hour)
	to := end.Truncate(time.Hour)
	if to.Sub(from) > MaxReportHours*time.Hour {
		from = to.Add(-MaxReportHours * time.Hour)
	}
	rows, err := s.Store.CrisisRollups(ctx, store.CrisisRollupsParams{WorkspaceID: workspaceID, FromHour: from, ToHour: to})
	if err != nil {
		return Report{}, err
	}
	byHour := map[int64]store.CrisisRollupsRow{}
	for _, r := range rows {
		byHour[r.Hour.UTC().Unix()] = r
	}
	rep := Report{Incident: inc, Workspace: ws, From: from, To: to}
	// Every hour has its point, zero when nothing was said: a flat line is
	// information too.
	for h := from; !h.After(to); h = h.Add(time.Hour) {
		r := byHour[h.Unix()]
		rep.Points = append(rep.Points, Point{Hour: h, Mentions: r.Mentions, Positive: r.Positive, Neutral: r.Neutral, Negative: r.Negative})
		rep.Peak = max(rep.Peak, r.Mentions)
	}
	return rep, nil
}
