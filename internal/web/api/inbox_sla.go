package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/problem"
)

// The inbox's first-response target, the items past it, and the
// response-time report (issue 14 §2). Settings take ManageTeam; reading
// takes View (the inbox service checks).
func (s *server) inboxSLARoutes(a huma.API) {
	huma.Register(a, op("get-inbox-sla", http.MethodGet, "/v1/workspaces/{ws}/inbox/sla", "The first-response target and the business hours it is counted in", "inbox"), s.getInboxSLA)
	huma.Register(a, op("set-inbox-sla", http.MethodPut, "/v1/workspaces/{ws}/inbox/sla", "Set or switch off the first-response target and business hours", "inbox"), s.setInboxSLA)
	huma.Register(a, op("inbox-overdue", http.MethodGet, "/v1/workspaces/{ws}/inbox/overdue", "Items still waiting past the first-response target", "inbox"), s.inboxOverdue)
	huma.Register(a, op("mark-inbox-item-responded", http.MethodPost, "/v1/inbox/items/{id}/responded", "Record that a member answered the item (outside Tribune): its first response if it had none", "inbox"), s.markInboxResponded)
	huma.Register(a, op("inbox-response-report", http.MethodGet, "/v1/workspaces/{ws}/inbox/response-report", "First-response times per member and per channel (median, p90, business time) and items handled per day", "inbox"), s.inboxResponseReport)
	huma.Register(a, op("inbox-response-report-csv", http.MethodGet, "/v1/workspaces/{ws}/inbox/response-report.csv", "The response-time report as CSV (business minutes)", "inbox"), s.inboxResponseReportCSV)
}

// InboxSLA is a workspace's first-response target.
type InboxSLA struct {
	Enabled        bool   `json:"enabled" doc:"false: no target, nothing is late"`
	TargetMinutes  int64  `json:"target_minutes,omitempty" minimum:"0" maximum:"43200" doc:"Business minutes an item may wait for its first response"`
	Days           []int  `json:"days,omitempty" maxItems:"7" doc:"Open days, 0 Sunday … 6 Saturday"`
	Open           string `json:"open,omitempty" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" doc:"Opening time, HH:MM in the workspace's time zone"`
	Close          string `json:"close,omitempty" pattern:"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$" doc:"Closing time, HH:MM (24:00 for midnight)"`
	FrenchHolidays bool   `json:"french_holidays" doc:"Closed on French public holidays"`
	Timezone       string `json:"timezone,omitempty" readOnly:"true" doc:"The workspace's time zone (set with the workspace)"`
}

var errBadDay = problem.New(http.StatusUnprocessableEntity, "invalid_sla_days", "Days are 0 (Sunday) to 6 (Saturday).")

func toInboxSLA(c inbox.SLASettings) InboxSLA {
	out := InboxSLA{Enabled: c.Enabled, TargetMinutes: int64(c.Target / time.Minute), Open: hhmm(c.Open), Close: hhmm(c.Close),
		FrenchHolidays: c.FrenchHolidays, Timezone: c.Timezone, Days: []int{}}
	for d, open := range c.Days {
		if open {
			out.Days = append(out.Days, d)
		}
	}
	return out
}

// hhmm formats minutes after midnight as HH:MM (24:00 for the end of the day).
func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// minutesOf reads HH:MM (the pattern checked it); 24:00 is midnight at the end.
func minutesOf(hhmm string) int {
	if hhmm == "24:00" {
		return 24 * 60
	}
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return -1
	}
	return t.Hour()*60 + t.Minute()
}

func (s *server) getInboxSLA(ctx context.Context, in *wsPath) (*body[InboxSLA], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	c, err := s.Inbox.SLA(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxSLA]{toInboxSLA(c)}, nil
}

type setInboxSLAIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body InboxSLA
}

func (s *server) setInboxSLA(ctx context.Context, in *setInboxSLAIn) (*body[InboxSLA], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	c := inbox.SLASettings{Enabled: in.Body.Enabled, Target: time.Duration(in.Body.TargetMinutes) * time.Minute,
		Open: minutesOf(in.Body.Open), Close: minutesOf(in.Body.Close), FrenchHolidays: in.Body.FrenchHolidays}
	for _, d := range in.Body.Days {
		if d < 0 || d > 6 {
			return nil, s.fail(errBadDay)
		}
		c.Days[d] = true
	}
	if err := s.Inbox.SetSLA(ctx, u, in.WS, c); err != nil {
		return nil, s.fail(err)
	}
	got, err := s.Inbox.SLA(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxSLA]{toInboxSLA(got)}, nil
}

// InboxOverdueOut lists the items waiting past the target.
type InboxOverdueOut struct {
	Enabled       bool    `json:"enabled" doc:"false: the workspace has no target"`
	TargetMinutes int64   `json:"target_minutes"`
	Count         int     `json:"count"`
	IDs           []int64 `json:"ids" doc:"Newest first"`
}

func (s *server) inboxOverdue(ctx context.Context, in *wsPath) (*body[InboxOverdueOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	o, err := s.Inbox.Overdue(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	ids := o.IDs
	if ids == nil {
		ids = []int64{}
	}
	return &body[InboxOverdueOut]{InboxOverdueOut{Enabled: o.Enabled, TargetMinutes: int64(o.Target / time.Minute), Count: len(ids), IDs: ids}}, nil
}

func (s *server) markInboxResponded(ctx context.Context, in *idPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	if err := s.Inbox.MarkResponded(ctx, u, in.ID); err != nil {
		return nil, s.fail(err)
	}
	return nil, nil
}

type reportIn struct {
	WS   int64  `path:"ws" doc:"Workspace id"`
	From string `query:"from" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" doc:"First day (YYYY-MM-DD, the workspace's time zone); 30 days before to by default"`
	To   string `query:"to" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" doc:"Last day, included; today by default"`
}

var errBadDate = problem.New(http.StatusUnprocessableEntity, "invalid_range", "Dates are YYYY-MM-DD.")

func (s *server) report(ctx context.Context, in *reportIn) (inbox.Report, error) {
	u, err := user(ctx)
	if err != nil {
		return inbox.Report{}, err
	}
	// Zero dates: the service picks the last 30 days in the workspace's zone.
	var first, last time.Time
	if in.To != "" {
		if last, err = time.Parse(time.DateOnly, in.To); err != nil {
			return inbox.Report{}, errBadDate
		}
	}
	if in.From != "" {
		if first, err = time.Parse(time.DateOnly, in.From); err != nil {
			return inbox.Report{}, errBadDate
		}
	}
	return s.Inbox.ResponseReport(ctx, u, in.WS, first, last)
}

// InboxReportRow is one member's, one channel's or everyone's response times.
type InboxReportRow struct {
	ID            int64   `json:"id,omitempty"`
	Name          string  `json:"name,omitempty"`
	Handled       int     `json:"handled" doc:"Items first answered"`
	HandledPerDay float64 `json:"handled_per_day"`
	MedianMinutes float64 `json:"median_minutes" doc:"Business minutes from arrival to first response (nearest rank)"`
	P90Minutes    float64 `json:"p90_minutes"`
	Late          int     `json:"late" doc:"Answered past the target"`
}

// InboxReportOut is the response-time report.
type InboxReportOut struct {
	From       string           `json:"from"`
	To         string           `json:"to"`
	Days       int              `json:"days"`
	SLA        InboxSLA         `json:"sla"`
	Members    []InboxReportRow `json:"members"`
	Channels   []InboxReportRow `json:"channels"`
	Total      InboxReportRow   `json:"total"`
	Unanswered int              `json:"unanswered" doc:"Items of the period not answered yet"`
}

func toReportRow(r inbox.ReportRow) InboxReportRow {
	return InboxReportRow{ID: r.ID, Name: r.Name, Handled: r.Handled, HandledPerDay: r.PerDay, MedianMinutes: r.Median.Minutes(), P90Minutes: r.P90.Minutes(), Late: r.Late}
}

func (s *server) inboxResponseReport(ctx context.Context, in *reportIn) (*body[InboxReportOut], error) {
	rep, err := s.report(ctx, in)
	if err != nil {
		return nil, s.fail(err)
	}
	out := InboxReportOut{From: rep.Since.Format(time.DateOnly), To: rep.Until.AddDate(0, 0, -1).Format(time.DateOnly), Days: rep.Days,
		SLA: toInboxSLA(rep.SLA), Members: []InboxReportRow{}, Channels: []InboxReportRow{}, Total: toReportRow(rep.Total), Unanswered: rep.Unanswered}
	for _, r := range rep.Members {
		out.Members = append(out.Members, toReportRow(r))
	}
	for _, r := range rep.Channels {
		out.Channels = append(out.Channels, toReportRow(r))
	}
	return &body[InboxReportOut]{out}, nil
}

func (s *server) inboxResponseReportCSV(ctx context.Context, in *reportIn) (*csvOut, error) {
	rep, err := s.report(ctx, in)
	if err != nil {
		return nil, s.fail(err)
	}
	var buf bytes.Buffer
	if err := inbox.WriteReportCSV(&buf, rep); err != nil {
		return nil, s.fail(err)
	}
	return &csvOut{"text/csv; charset=utf-8", `attachment; filename="tribune-response-times.csv"`, buf.Bytes()}, nil
}
