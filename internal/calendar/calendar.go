// Package calendar is the editorial calendar: posts in a time range with
// filters (month, week and list views), the secret iCal feed, and bulk CSV
// import and export.
package calendar

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/bulk"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

// MaxRange bounds one query (a list view of a quarter is plenty).
const MaxRange = 190 * 24 * time.Hour

// MaxEntries bounds one answer.
const MaxEntries = 5000

// Service reads the calendar.
type Service struct {
	Store     store.Store
	Auth      *auth.Service
	PublicURL string
	Now       func() time.Time
}

// Filter narrows a range; nil fields do not filter.
type Filter struct {
	ChannelID *int64
	Status    *string
	AuthorID  *int64
	Tag       *string
}

// Entry is one post on the calendar.
type Entry struct {
	Post     store.Post
	Variants []store.PostVariant
	Channels []store.Channel
}

// Title is the first line of the first variant, shortened.
func (e Entry) Title() string {
	t := ""
	if len(e.Variants) > 0 {
		t = e.Variants[0].Text
	}
	if i := strings.IndexByte(t, '\n'); i >= 0 {
		t = t[:i]
	}
	if r := []rune(t); len(r) > 80 {
		t = string(r[:79]) + "…"
	}
	return t
}

// Range returns the posts of a workspace between from and to.
func (s *Service) Range(ctx context.Context, user store.User, workspaceID int64, from, to time.Time, f Filter) ([]Entry, store.Workspace, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View)
	if err != nil {
		return nil, ws, err
	}
	if !to.After(from) || to.Sub(from) > MaxRange {
		return nil, ws, problem.Invalidf("range", "bad_range", "Choose a range of at most six months.", "Choisissez une période de six mois au plus.")
	}
	entries, err := s.rangeOf(ctx, ws.ID, from, to, f)
	return entries, ws, err
}

func (s *Service) rangeOf(ctx context.Context, workspaceID int64, from, to time.Time, f Filter) ([]Entry, error) {
	from, to = from.UTC(), to.UTC()
	ps, err := s.Store.ListPostsInRange(ctx, store.ListPostsInRangeParams{WorkspaceID: workspaceID, RangeFrom: &from, RangeTo: &to,
		Status: f.Status, AuthorID: f.AuthorID, Tag: f.Tag, ChannelID: f.ChannelID, MaxRows: MaxEntries})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	vs, err := s.Store.ListVariantsByPosts(ctx, ids)
	if err != nil {
		return nil, err
	}
	chs, err := s.Store.ListChannels(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]store.Channel{}
	for _, c := range chs {
		byID[c.ID] = c
	}
	byPost := map[int64][]store.PostVariant{}
	for _, v := range vs {
		byPost[v.PostID] = append(byPost[v.PostID], v)
	}
	out := make([]Entry, len(ps))
	for i, p := range ps {
		e := Entry{Post: p, Variants: byPost[p.ID]}
		for _, v := range e.Variants {
			e.Channels = append(e.Channels, byID[v.ChannelID])
		}
		out[i] = e
	}
	return out, nil
}

// ICal writes the read-only feed of the workspace whose secret token is given:
// 30 days back to 180 days ahead.
func (s *Service) ICal(ctx context.Context, token string, w io.Writer) error {
	ws, err := s.Store.GetWorkspaceByICalToken(ctx, token)
	if err != nil || token == "" {
		return problem.NotFound
	}
	now := s.Now().UTC()
	entries, err := s.rangeOf(ctx, ws.ID, now.Add(-30*24*time.Hour), now.Add(180*24*time.Hour), Filter{})
	if err != nil {
		return err
	}
	events := make([]bulk.Event, 0, len(entries))
	for _, e := range entries {
		var names []string
		for _, c := range e.Channels {
			names = append(names, c.Name)
		}
		desc := ""
		if len(e.Variants) > 0 {
			desc = e.Variants[0].Text
		}
		events = append(events, bulk.Event{UID: fmt.Sprintf("post-%d@tribune", e.Post.ID), Start: *e.Post.ScheduledAt,
			Summary: "[" + e.Post.Status + "] " + e.Title() + " (" + strings.Join(names, ", ") + ")", Description: desc,
			URL: fmt.Sprintf("%s/w/%d/posts/%d", s.PublicURL, ws.ID, e.Post.ID), Status: e.Post.Status})
	}
	return bulk.ICal(w, "Tribune · "+ws.Name, events)
}

// Export writes a workspace's posts in [from, to) as CSV.
func (s *Service) Export(ctx context.Context, user store.User, workspaceID int64, from, to time.Time, w io.Writer) error {
	entries, ws, err := s.Range(ctx, user, workspaceID, from, to, Filter{})
	if err != nil {
		return err
	}
	var rows []bulk.ExportPost
	for _, e := range entries {
		for i, v := range e.Variants {
			local := e.Post.ScheduledLocal
			tz := e.Post.Timezone
			if local == "" && e.Post.ScheduledAt != nil {
				tz = ws.Timezone
				local, _ = schedule.Wall(*e.Post.ScheduledAt, tz)
			}
			var tags []string
			_ = jsonUnmarshal(e.Post.Tags, &tags)
			rows = append(rows, bulk.ExportPost{Local: local, TZ: tz, Status: v.State, Channel: e.Channels[i].Name, Network: e.Channels[i].Network,
				Text: v.Text, Link: v.Link, FirstComment: v.FirstComment, Tags: tags, URL: v.ExternalURL})
		}
	}
	return bulk.Export(w, rows)
}
