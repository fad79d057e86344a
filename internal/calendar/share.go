package calendar

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/calendar/keydates"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
)

// SharePath is where a calendar share link points; the segment after it is
// the secret (logs redact it: edge.RedactPath).
const SharePath = "/shared/"

// The first page of a shared calendar reaches from a week ago to three
// months ahead, in days of the workspace's zone; each page before or after
// it spans as many days (ShareBackDays+ShareAheadDays), so pages tile.
const (
	ShareBackDays  = 7
	ShareAheadDays = 90
)

// ErrSharePage refuses a page of a shared calendar beyond its bounds: as far
// ahead as the workspace schedules (its horizon) and as far back. The bound
// keeps one link from reading the workspace's whole history, and an
// absurd page number from overflowing a date.
var ErrSharePage = problem.New(http.StatusNotFound, "share_page", "This page is beyond what the shared calendar shows.")

// ShareState is what members see of their workspace's share link: whether
// one works and whether it shows drafts (never the link itself, which is
// shown once when made).
type ShareState struct {
	Active     bool
	ShowDrafts bool
	Since      time.Time
}

// Share returns the workspace's share link state, to anyone who may view it.
func (s *Service) Share(ctx context.Context, user store.User, workspaceID int64) (ShareState, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View); err != nil {
		return ShareState{}, err
	}
	sh, err := s.Store.GetCalendarShare(ctx, workspaceID)
	if errors.Is(err, store.ErrNotFound) {
		return ShareState{}, nil
	}
	if err != nil {
		return ShareState{}, err
	}
	return ShareState{Active: true, ShowDrafts: sh.ShowDrafts, Since: sh.CreatedAt}, nil
}

// RotateShare makes a new read-only share link of the workspace's calendar
// for a client and returns its URL, shown this once: only its SHA-256 is
// kept, and the previous link stops working. It takes the same permission
// as the iCal secret (managing the workspace). showDrafts lets the link
// show drafts too.
func (s *Service) RotateShare(ctx context.Context, user store.User, workspaceID int64, showDrafts bool) (string, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageTeam)
	if err != nil {
		return "", err
	}
	tok := secret.NewToken("")
	if err := s.Store.UpsertCalendarShare(ctx, store.UpsertCalendarShareParams{WorkspaceID: ws.ID, TokenHash: secret.HashToken(tok), ShowDrafts: showDrafts,
		CreatedBy: user.ID, CreatedAt: s.Now().UTC()}); err != nil {
		return "", err
	}
	return s.PublicURL + SharePath + tok, nil
}

// RevokeShare ends the workspace's share link.
func (s *Service) RevokeShare(ctx context.Context, user store.User, workspaceID int64) error {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageTeam)
	if err != nil {
		return err
	}
	return s.Store.DeleteCalendarShare(ctx, ws.ID)
}

// SharedPost is a post as a share link shows it: no ids to act on, no
// member but the author's display name.
type SharedPost struct {
	At       time.Time
	Status   posts.Status
	Title    string
	Channels []string
	Author   string
}

// SharedDay is one day of a shared calendar: its key dates and posts.
type SharedDay struct {
	Day      time.Time // midnight in the workspace's zone
	KeyDates []keydates.Date
	Posts    []SharedPost
}

// SharedCalendar is what a share link shows: the workspace's name and zone
// and the days of one page that hold something (page 0: from a week ago to
// three months ahead; -1 the span before, 1 the one after).
type SharedCalendar struct {
	Workspace string
	Timezone  string
	Days      []SharedDay
	Truncated bool
	// Page is the page shown; From and To its first and last day (midnight
	// in the workspace's zone).
	Page     int
	From, To time.Time
	// HasPrev and HasNext say whether the pages around it are within bounds.
	HasPrev, HasNext bool
}

// sharePages is the range of pages a workspace's share link may show: the
// earliest and the latest, the first of them ending after today minus
// horizon days and the last starting before today plus horizon days.
func sharePages(ws store.Workspace) (first, last int) {
	h := int(posts.HorizonDays(ws))
	span := ShareBackDays + ShareAheadDays
	// Page p covers days [p*span-ShareBackDays, p*span+ShareAheadDays) from
	// today: the last has p*span-ShareBackDays < h, the first
	// p*span+ShareAheadDays > -h.
	last = (h + ShareBackDays - 1) / span
	first = -((h + ShareAheadDays - 1) / span)
	return first, last
}

// Shared reads one page of the calendar behind a share link's secret; an
// unknown or revoked secret is not found, and so is a page beyond the
// bounds (ErrSharePage). Drafts are left out unless the link was made to
// show them.
func (s *Service) Shared(ctx context.Context, token string, page int) (SharedCalendar, error) {
	if token == "" {
		return SharedCalendar{}, problem.NotFound
	}
	sh, err := s.Store.GetCalendarShareByTokenHash(ctx, secret.HashToken(token))
	if err != nil {
		return SharedCalendar{}, problem.NotFound
	}
	ws, err := s.Store.GetWorkspace(ctx, sh.WorkspaceID)
	if err != nil {
		return SharedCalendar{}, problem.NotFound
	}
	loc, err := time.LoadLocation(ws.Timezone)
	if err != nil {
		loc = time.UTC
	}
	first, last := sharePages(ws)
	if page < first || page > last {
		return SharedCalendar{}, ErrSharePage
	}
	now := s.Now().In(loc)
	// Days, not hours: a page from midnight to midnight in the zone, through
	// any daylight-saving change.
	start := page*(ShareBackDays+ShareAheadDays) - ShareBackDays
	from := time.Date(now.Year(), now.Month(), now.Day()+start, 0, 0, 0, 0, loc)
	to := time.Date(now.Year(), now.Month(), now.Day()+start+ShareBackDays+ShareAheadDays, 0, 0, 0, 0, loc)
	out := SharedCalendar{Workspace: ws.Name, Timezone: ws.Timezone, Page: page, From: from, To: to.AddDate(0, 0, -1),
		HasPrev: page > first, HasNext: page < last}
	ps, next, err := s.posts(ctx, ws.ID, from, to, 0, Filter{})
	if err != nil {
		return out, err
	}
	out.Truncated = next.ID != 0
	entries, err := s.entries(ctx, ws.ID, ps)
	if err != nil {
		return out, err
	}
	authors := map[int64]string{}
	byDay := map[string]*SharedDay{}
	var order []string
	dayOf := func(t time.Time) *SharedDay {
		t = t.In(loc)
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		k := d.Format(time.DateOnly)
		if byDay[k] == nil {
			byDay[k] = &SharedDay{Day: d}
			order = append(order, k)
		}
		return byDay[k]
	}
	for _, kd := range keydates.Between(time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC), time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)) {
		d := dayOf(time.Date(kd.Day.Year(), kd.Day.Month(), kd.Day.Day(), 12, 0, 0, 0, loc))
		d.KeyDates = append(d.KeyDates, kd)
	}
	for _, e := range entries {
		if posts.Status(e.Post.Status) == posts.Draft && !sh.ShowDrafts {
			continue
		}
		name, ok := authors[e.Post.AuthorID]
		if !ok {
			if u, err := s.Store.GetUser(ctx, e.Post.AuthorID); err == nil {
				name = u.Name
			}
			authors[e.Post.AuthorID] = name
		}
		p := SharedPost{At: e.Post.ScheduledAt.In(loc), Status: posts.Status(e.Post.Status), Title: e.Title(), Author: name}
		for _, c := range e.Channels {
			p.Channels = append(p.Channels, c.Name)
		}
		d := dayOf(*e.Post.ScheduledAt)
		d.Posts = append(d.Posts, p)
	}
	sort.Strings(order) // YYYY-MM-DD keys sort by day
	for _, k := range order {
		out.Days = append(out.Days, *byDay[k])
	}
	return out, nil
}
