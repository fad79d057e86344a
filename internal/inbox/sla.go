package inbox

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox/sla"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// The SLA's settings are workspace settings (ManageTeam); its report is read
// by whoever reads the inbox, analysts included.
const permSLA = auth.ManageTeam

// Problems of the SLA.
var (
	errBadSLATarget = problem.New(http.StatusUnprocessableEntity, "invalid_sla_target", "The target is between 1 minute and 30 days.")
	errBadSLADays   = problem.New(http.StatusUnprocessableEntity, "invalid_sla_days", "Choose at least one open day.")
	errBadSLAHours  = problem.New(http.StatusUnprocessableEntity, "invalid_sla_hours", "The opening time must be before the closing time.")
	errBadRange     = problem.New(http.StatusUnprocessableEntity, "invalid_range", "The report covers 1 to 366 days, the first before the last.")
)

// ActionResponded is the audit action of a member marking an item answered
// (they answered it outside Tribune, or the network's answer is not an
// inbox action).
const ActionResponded = "responded"

// Responds says whether a member's successful audited action is a first
// response to the item. The rule, until replies are sent from the inbox:
//
//   - a reply sent from Tribune (action "reply", for when that path lands);
//   - an explicit "responded" mark (MarkResponded);
//   - a status change to pending or done — the team moved the item on,
//     which it does after answering.
//
// Moving an item to "open", assigning, tagging or noting is looking at it,
// not answering. Automatic actions (no user) never count. The audit rows
// the store hands here are already limited to successful actions by a
// member whose action is status, responded or reply. ListInboxOverdue
// says the same in SQL: change both together.
func Responds(action, detail string) bool {
	switch action {
	case "reply", ActionResponded:
		return true
	case "status":
		return detail == string(StatusPending) || detail == string(StatusDone)
	}
	return false
}

// SLASettings are a workspace's first-response target and business hours.
type SLASettings struct {
	// Enabled is false when the workspace has no target: nothing is late,
	// and the report counts time round the clock.
	Enabled bool
	Target  time.Duration
	// Days are the open days by time.Weekday (0 Sunday).
	Days           [7]bool
	Open, Close    int // minutes after local midnight
	FrenchHolidays bool
	// Timezone is the workspace's (read only here: it is set with the
	// workspace and moves the hours with it).
	Timezone string
}

// DefaultSLASettings are what the settings page offers first: 2 h, Monday
// to Friday, 9:00–18:00, French holidays closed.
func DefaultSLASettings(tz string) SLASettings {
	return SLASettings{Target: 2 * time.Hour, Days: [7]bool{false, true, true, true, true, true, false},
		Open: 9 * 60, Close: 18 * 60, FrenchHolidays: true, Timezone: tz}
}

// Hours are the business hours of the settings, in loc.
func (c SLASettings) Hours(loc *time.Location) sla.Hours {
	if !c.Enabled {
		return sla.Hours{Loc: loc, Days: [7]bool{true, true, true, true, true, true, true}, Open: 0, Close: 24 * 60}
	}
	return sla.Hours{Loc: loc, Days: c.Days, Open: c.Open, Close: c.Close, FrenchHolidays: c.FrenchHolidays}
}

func location(tz string) *time.Location {
	if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
		return loc
	}
	return time.UTC
}

// SLA reads a workspace's settings (the defaults, disabled, when none).
func (s *Service) SLA(ctx context.Context, user store.User, workspaceID int64) (SLASettings, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return SLASettings{}, err
	}
	return s.slaOf(ctx, ws)
}

func (s *Service) slaOf(ctx context.Context, ws store.Workspace) (SLASettings, error) {
	row, err := s.Store.GetInboxSLA(ctx, ws.ID)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultSLASettings(ws.Timezone), nil
	}
	if err != nil {
		return SLASettings{}, err
	}
	c := SLASettings{Enabled: true, Target: time.Duration(row.TargetMinutes) * time.Minute, Open: int(row.OpenMinute),
		Close: int(row.CloseMinute), FrenchHolidays: row.FrenchHolidays, Timezone: ws.Timezone}
	for d := range 7 {
		c.Days[d] = row.Days&(1<<d) != 0
	}
	return c, nil
}

// SetSLA stores a workspace's settings; disabled settings remove the target.
func (s *Service) SetSLA(ctx context.Context, user store.User, workspaceID int64, c SLASettings) error {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permSLA)
	if err != nil {
		return err
	}
	if !c.Enabled {
		return s.Store.DeleteInboxSLA(ctx, ws.ID)
	}
	if c.Target < time.Minute || c.Target > 30*24*time.Hour || c.Target%time.Minute != 0 {
		return errBadSLATarget
	}
	switch c.Hours(time.UTC).Validate() {
	case nil:
	case sla.ErrNoDay:
		return errBadSLADays
	default:
		return errBadSLAHours
	}
	var days int64
	for d, open := range c.Days {
		if open {
			days |= 1 << d
		}
	}
	return s.Store.UpsertInboxSLA(ctx, store.UpsertInboxSLAParams{WorkspaceID: ws.ID, TargetMinutes: int64(c.Target / time.Minute),
		Days: days, OpenMinute: int64(c.Open), CloseMinute: int64(c.Close), FrenchHolidays: c.FrenchHolidays, UpdatedAt: s.Now().UTC()})
}

// MarkResponded records that a member answered an item (outside Tribune):
// its first response, if it had none.
func (s *Service) MarkResponded(ctx context.Context, user store.User, itemID int64) error {
	it, err := s.item(ctx, user, itemID, permTriage)
	if err != nil {
		return err
	}
	err = s.Store.AddInboxAction(ctx, store.AddInboxActionParams{WorkspaceID: it.WorkspaceID, ItemID: it.ID, UserID: &user.ID,
		Action: ActionResponded, Result: ResultOK, CreatedAt: s.Now().UTC()})
	if err == nil {
		s.changed(ctx, it.WorkspaceID, it) // the others' pages stop counting it as waiting
	}
	return err
}

// firstResponse is who answered an item first, and when.
type firstResponse struct {
	UserID   int64
	UserName string
	At       time.Time
}

// firstResponses reads the first response of each item, by the Responds
// rule, in chunks that stay under SQLite's bound on parameters.
func (s *Service) firstResponses(ctx context.Context, ids []int64) (map[int64]firstResponse, error) {
	out := make(map[int64]firstResponse)
	for chunk := range slices.Chunk(ids, 500) {
		rows, err := s.Store.ListInboxResponseCandidates(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if _, seen := out[r.ItemID]; seen || r.UserID == nil || !Responds(r.Action, r.Detail) {
				continue
			}
			out[r.ItemID] = firstResponse{UserID: *r.UserID, UserName: r.UserName, At: r.CreatedAt}
		}
	}
	return out, nil
}

// Overdue is the workspace's items waiting past the target.
type Overdue struct {
	// Enabled is false when the workspace has no target.
	Enabled bool
	Target  time.Duration
	// IDs are the items past the target, newest first.
	IDs []int64
	set map[int64]bool
}

// Has reports whether item id is past the target.
func (o Overdue) Has(id int64) bool { return o.set[id] }

// Overdue lists the items still waiting (new or open, never answered, not
// deleted) whose business time since they arrived is past the target.
func (s *Service) Overdue(ctx context.Context, user store.User, workspaceID int64) (Overdue, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return Overdue{}, err
	}
	c, err := s.slaOf(ctx, ws)
	if err != nil || !c.Enabled {
		return Overdue{}, err
	}
	o := Overdue{Enabled: true, Target: c.Target, set: make(map[int64]bool)}
	// One indexed query whatever the backlog: the business hours give the
	// latest arrival past the target, and the database lists the waiting
	// items that arrived by then.
	cutoff, ok := c.Hours(location(ws.Timezone)).LatestPast(s.Now(), c.Target)
	if !ok {
		return o, nil
	}
	if o.IDs, err = s.Store.ListInboxOverdue(ctx, store.ListInboxOverdueParams{WorkspaceID: ws.ID, Cutoff: cutoff.UTC()}); err != nil {
		return Overdue{}, err
	}
	for _, id := range o.IDs {
		o.set[id] = true
	}
	return o, nil
}

// ReportRow is the response times of one member, one channel or everyone.
type ReportRow struct {
	ID   int64
	Name string
	// Handled counts the items first answered (by this member, or on this
	// channel), and PerDay spreads them over the report's days.
	Handled int
	PerDay  float64
	// Median and P90 are business time from arrival to first response
	// (nearest rank: each is one measured time).
	Median, P90 time.Duration
	// Late counts the answers that came past the target.
	Late int
}

// Report is the response-time report over the items that arrived in
// [Since, Until) — whole days in the workspace's time zone.
type Report struct {
	Since, Until time.Time
	Days         int
	SLA          SLASettings
	Members      []ReportRow
	Channels     []ReportRow
	Total        ReportRow
	// Unanswered counts the items of the period with no response yet.
	Unanswered int
}

// MaxReportDays bounds a report's range.
const MaxReportDays = 366

// ResponseReport computes the report for the days from first to last
// (inclusive, dates in the workspace's time zone; only their year, month and
// day are read). A zero last is today, a zero first 29 days before last.
func (s *Service) ResponseReport(ctx context.Context, user store.User, workspaceID int64, first, last time.Time) (Report, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return Report{}, err
	}
	loc := location(ws.Timezone)
	if last.IsZero() {
		last = s.Now().In(loc)
	}
	if first.IsZero() {
		first = last.AddDate(0, 0, -29)
	}
	since := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc)
	until := time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc)
	days := 0
	for d := since; d.Before(until); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		days++
		if days > MaxReportDays {
			return Report{}, errBadRange
		}
	}
	if days == 0 {
		return Report{}, errBadRange
	}
	c, err := s.slaOf(ctx, ws)
	if err != nil {
		return Report{}, err
	}
	rows, err := s.Store.ListInboxArrivals(ctx, store.ListInboxArrivalsParams{WorkspaceID: ws.ID, Since: since.UTC(), Until: until.UTC()})
	if err != nil {
		return Report{}, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	answered, err := s.firstResponses(ctx, ids)
	if err != nil {
		return Report{}, err
	}
	channels, err := s.Store.ListChannels(ctx, ws.ID)
	if err != nil {
		return Report{}, err
	}
	channelName := make(map[int64]string, len(channels))
	for _, ch := range channels {
		channelName[ch.ID] = ch.Name
	}
	h := c.Hours(loc)
	type acc struct {
		row   ReportRow
		times []time.Duration
	}
	members, chans := map[int64]*acc{}, map[int64]*acc{}
	var total acc
	add := func(m map[int64]*acc, id int64, name string, d time.Duration, late bool) {
		a, ok := m[id]
		if !ok {
			a = &acc{row: ReportRow{ID: id, Name: name}}
			m[id] = a
		}
		a.times = append(a.times, d)
		if late {
			a.row.Late++
		}
	}
	rep := Report{Since: since, Until: until, Days: days, SLA: c}
	for _, r := range rows {
		fr, ok := answered[r.ID]
		if !ok {
			rep.Unanswered++
			continue
		}
		d := h.Elapsed(r.NetworkCreatedAt, fr.At)
		late := c.Enabled && d > c.Target
		add(members, fr.UserID, fr.UserName, d, late)
		add(chans, r.ChannelID, channelName[r.ChannelID], d, late)
		total.times = append(total.times, d)
		if late {
			total.row.Late++
		}
	}
	finish := func(a *acc) ReportRow {
		row := a.row
		row.Handled = len(a.times)
		row.PerDay = float64(row.Handled) / float64(days)
		row.Median = sla.Median(a.times)
		row.P90 = sla.Percentile(a.times, 90)
		return row
	}
	sorted := func(m map[int64]*acc) []ReportRow {
		out := make([]ReportRow, 0, len(m))
		for _, a := range m {
			out = append(out, finish(a))
		}
		// Busiest first; the name settles ties so the order is stable.
		slices.SortFunc(out, func(a, b ReportRow) int {
			if a.Handled != b.Handled {
				return b.Handled - a.Handled
			}
			if a.Name != b.Name {
				if a.Name < b.Name {
					return -1
				}
				return 1
			}
			return int(a.ID - b.ID)
		})
		return out
	}
	rep.Members, rep.Channels = sorted(members), sorted(chans)
	rep.Total = finish(&total)
	return rep, nil
}

// OverdueItems are the newest items past the target (one page of them),
// with the set they come from.
func (s *Service) OverdueItems(ctx context.Context, user store.User, workspaceID int64) ([]Item, Overdue, error) {
	o, err := s.Overdue(ctx, user, workspaceID)
	if err != nil || len(o.IDs) == 0 {
		return nil, o, err
	}
	rows, err := s.Store.ListInboxItemsByIDs(ctx, o.IDs[:min(len(o.IDs), PageSize)])
	if err != nil {
		return nil, o, err
	}
	slices.Reverse(rows) // by id, oldest first: the list is newest first
	items, err := s.decorate(ctx, rows)
	return items, o, err
}
