// Package analysis is the read side of listening (issue 15 §3): the
// dashboard of a topic (volume and sentiment over time, share of voice
// against the competitors, top authors, terms and hashtags, KPIs against the
// previous period) and the filtered list of mentions with its CSV export.
//
// Every figure of the dashboard is summed from the rollups the pipeline
// (internal/listen) keeps as mentions arrive: per topic and per term by
// UTC hour, day and month, per author by UTC day and month. A period reads
// its whole months from the monthly rows and only its ragged edges from the
// days and hours (cutPeriod). Nothing here scans mentions except the list, which
// reads one page at a time by keyset. The UI and the API call the same
// functions; each checks the member may view the workspace.
package analysis

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// Reading listening figures takes View, like every report.
const permRead = auth.View

// Bounds of a request: 13 months is the default retention, and a little
// more lets a user compare a year with the previous one's end. An hourly
// chart past a month has more points than a screen has pixels.
const (
	maxRange     = 800 * 24 * time.Hour
	maxHourRange = 31 * 24 * time.Hour
	topN         = 10
)

// Problems of the analysis.
var (
	errBadGranularity = problem.New(http.StatusUnprocessableEntity, "invalid_granularity", "Granularity is hour, day or week.")
	errBadRange       = problem.New(http.StatusUnprocessableEntity, "invalid_range", "The end of the period must come after its start, at most 800 days later.")
	errHourRange      = problem.New(http.StatusUnprocessableEntity, "hour_range_too_long", "An hourly chart covers at most 31 days: choose day or week.")
	errNoTopic        = problem.New(http.StatusNotFound, "topic_not_found", "This topic does not exist in this workspace.")
	errBadSentiment   = problem.New(http.StatusUnprocessableEntity, "invalid_sentiment", "Sentiment is positive, neutral or negative.")
	errBadCursor      = problem.New(http.StatusUnprocessableEntity, "invalid_cursor", "This page link is not valid any more: start from the first page.")
)

// Granularity is the width of a chart's buckets.
type Granularity string

// The granularities.
const (
	Hour Granularity = "hour"
	Day  Granularity = "day"
	Week Granularity = "week"
)

// Valid reports whether g is a known granularity.
func (g Granularity) Valid() bool { return g == Hour || g == Day || g == Week }

// Topic kinds the share of voice compares.
const (
	KindBrand      = "brand"
	KindCompetitor = "competitor"
)

// Service is the listening analysis use cases.
type Service struct {
	Store store.Store
	Auth  *auth.Service
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Topic is a listening topic as the analysis names it.
type Topic struct {
	ID   int64
	Name string
	Kind string
}

// Period is the time span of a dashboard: [Since, Until) in UTC, chosen as
// whole days in the workspace's time zone.
type Period struct {
	Since, Until time.Time
	Granularity  Granularity
	Location     *time.Location
}

// Query asks for a dashboard. Zero fields take defaults: the workspace's
// first brand topic, the last 30 days (From and To are days, To included,
// in the workspace's time zone), and a granularity that fits the span.
type Query struct {
	TopicID     int64
	From, To    time.Time
	Granularity Granularity
}

// Point is one bucket of the charts.
type Point struct {
	Start                       time.Time
	Mentions, Reach             int64
	Positive, Neutral, Negative int64
}

// Net is the net sentiment of the bucket: (positive − negative) per
// hundred mentions, from −100 to 100; 0 without mentions.
func (p Point) Net() float64 {
	if p.Mentions == 0 {
		return 0
	}
	return float64(p.Positive-p.Negative) * 100 / float64(p.Mentions)
}

// Totals are a topic's sums over a period.
type Totals struct {
	Mentions, Reach             int64
	Positive, Neutral, Negative int64
}

// NegativeShare is the share of negative mentions, 0 to 1.
func (t Totals) NegativeShare() float64 {
	if t.Mentions == 0 {
		return 0
	}
	return float64(t.Negative) / float64(t.Mentions)
}

// KPIs are the period's headline figures and the previous period of the
// same length, just before it.
type KPIs struct {
	Current, Previous Totals
}

// Change is the relative change from the previous period (0.25 for +25 %);
// ok is false when the previous period had nothing to compare with.
func Change(cur, prev int64) (change float64, ok bool) {
	if prev == 0 {
		return 0, false
	}
	return float64(cur-prev) / float64(prev), true
}

// MentionsChange is the change of the number of mentions.
func (k KPIs) MentionsChange() (float64, bool) {
	return Change(k.Current.Mentions, k.Previous.Mentions)
}

// ReachChange is the change of the reach.
func (k KPIs) ReachChange() (float64, bool) { return Change(k.Current.Reach, k.Previous.Reach) }

// NegativeShareChange is the change of the negative share in points (0.05
// for five points more); ok is false without mentions in the previous period.
func (k KPIs) NegativeShareChange() (float64, bool) {
	if k.Previous.Mentions == 0 {
		return 0, false
	}
	return k.Current.NegativeShare() - k.Previous.NegativeShare(), true
}

// Share is one topic's share of voice.
type Share struct {
	Topic
	Mentions int64
	// Share is the topic's part of the compared topics' mentions, 0 to 1.
	Share float64
}

// Author is one of the top authors.
type Author struct {
	Network, Author string
	Mentions        int64
	// Followers is the most the author had over the period; -1 unknown.
	Followers int64
	// Reach sums the followers over the author's mentions.
	Reach int64
}

// Term is a word or a hashtag with the number of mentions that carry it.
type Term struct {
	Term     string
	Mentions int64
}

// Dashboard is everything the listening dashboard shows for one topic.
type Dashboard struct {
	Workspace store.Workspace
	Topics    []Topic
	// Topic is the one shown; zero when the workspace has none yet.
	Topic  Topic
	Period Period
	Series []Point
	KPIs   KPIs
	// ShareOfVoice compares the topic with the workspace's brand and
	// competitor topics, largest first.
	ShareOfVoice      []Share
	TopAuthors        []Author
	TopAuthorsByReach []Author
	TopTerms          []Term
	TopHashtags       []Term
}

// location is the workspace's time zone (UTC when it names none known).
func location(ws store.Workspace) *time.Location {
	if loc, err := time.LoadLocation(ws.Timezone); err == nil && ws.Timezone != "" {
		return loc
	}
	return time.UTC
}

// period resolves a query's dates and granularity in loc.
func (s *Service) period(q Query, loc *time.Location) (Period, error) {
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	to := q.To
	if to.IsZero() {
		to = s.now()
	}
	until := day(to).AddDate(0, 0, 1)
	since := until.AddDate(0, 0, -30)
	if !q.From.IsZero() {
		since = day(q.From)
	}
	if !until.After(since) || until.Sub(since) > maxRange {
		return Period{}, errBadRange
	}
	g := q.Granularity
	switch {
	case g == "" && until.Sub(since) <= 3*24*time.Hour:
		g = Hour
	case g == "" && until.Sub(since) <= 92*24*time.Hour:
		g = Day
	case g == "":
		g = Week
	case !g.Valid():
		return Period{}, errBadGranularity
	}
	if g == Hour && until.Sub(since) > maxHourRange {
		return Period{}, errHourRange
	}
	return Period{Since: since.UTC(), Until: until.UTC(), Granularity: g, Location: loc}, nil
}

// bucket is the start of the bucket t falls in.
func (p Period) bucket(t time.Time) time.Time {
	t = t.In(p.Location)
	switch p.Granularity {
	case Hour:
		return t.Truncate(time.Hour)
	case Week:
		// Weeks start on Monday, as in France.
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, p.Location)
		return d.AddDate(0, 0, -(int(d.Weekday())+6)%7)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, p.Location)
}

// next is the start of the bucket after the one starting at b.
func (p Period) next(b time.Time) time.Time {
	switch p.Granularity {
	case Hour:
		return b.Add(time.Hour)
	case Week:
		return b.AddDate(0, 0, 7)
	}
	return b.AddDate(0, 0, 1)
}

// topics lists the workspace's topics and picks the one asked for (the
// first brand topic by default).
func (s *Service) topics(ctx context.Context, wsID, topicID int64) ([]Topic, Topic, error) {
	rows, err := s.Store.ListAnalysisTopics(ctx, wsID)
	if err != nil {
		return nil, Topic{}, err
	}
	out := make([]Topic, len(rows))
	var pick Topic
	for i, r := range rows {
		out[i] = Topic{ID: r.ID, Name: r.Name, Kind: r.Kind}
		if topicID == r.ID || topicID == 0 && pick.ID == 0 && r.Kind == KindBrand {
			pick = out[i]
		}
	}
	if topicID != 0 && pick.ID == 0 {
		return nil, Topic{}, errNoTopic
	}
	if pick.ID == 0 && len(out) > 0 {
		pick = out[0]
	}
	return out, pick, nil
}

// Dashboard computes a topic's dashboard.
func (s *Service) Dashboard(ctx context.Context, user store.User, workspaceID int64, q Query) (Dashboard, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return Dashboard{}, err
	}
	per, err := s.period(q, location(ws))
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Workspace: ws, Period: per}
	if d.Topics, d.Topic, err = s.topics(ctx, ws.ID, q.TopicID); err != nil || d.Topic.ID == 0 {
		return d, err
	}
	// The parts are independent reads: run them at once, each on its own
	// connection (SQLite's pool of readers, PostgreSQL's pool), so the page
	// waits for the slowest rather than for their sum.
	var cur, prev map[int64]Totals
	err = parallel(ctx,
		func(ctx context.Context) (err error) { d.Series, err = s.series(ctx, d.Topic.ID, per); return err },
		func(ctx context.Context) (err error) {
			cur, err = s.totals(ctx, ws.ID, per.Since, per.Until)
			return err
		},
		func(ctx context.Context) (err error) {
			prev, err = s.totals(ctx, ws.ID, per.Since.Add(-per.Until.Sub(per.Since)), per.Since)
			return err
		},
		func(ctx context.Context) (err error) {
			d.TopAuthors, d.TopAuthorsByReach, err = s.authors(ctx, d.Topic.ID, per)
			return err
		},
		func(ctx context.Context) (err error) {
			d.TopTerms, d.TopHashtags, err = s.terms(ctx, d.Topic.ID, per)
			return err
		},
	)
	if err != nil {
		return d, err
	}
	d.KPIs = KPIs{Current: cur[d.Topic.ID], Previous: prev[d.Topic.ID]}
	d.ShareOfVoice = shareOfVoice(d.Topics, d.Topic, cur)
	return d, nil
}

// parallel runs fns at once and returns the first error; the others are
// cancelled through ctx.
func parallel(ctx context.Context, fns ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(fns))
	for _, fn := range fns {
		go func() { errs <- fn(ctx) }()
	}
	var first error
	for range fns {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

// series sums the topic's rollups into the period's buckets, every bucket
// present (zero when nothing was said). Buckets of days or weeks that all
// start at a UTC midnight (a workspace in UTC, or any zone at offset zero
// over the period) are summed from the daily rows, 24 times fewer than the
// hourly ones; elsewhere a local day straddles two UTC days, and only the
// hourly rows can be cut at its bounds.
func (s *Service) series(ctx context.Context, topicID int64, per Period) ([]Point, error) {
	var out []Point
	index := map[int64]int{}
	utcDays := per.Granularity != Hour
	for b := per.bucket(per.Since); b.Before(per.Until); b = per.next(b) {
		index[b.Unix()] = len(out)
		out = append(out, Point{Start: b})
		utcDays = utcDays && b.UTC().Truncate(24*time.Hour).Equal(b)
	}
	utcDays = utcDays && per.Since.Truncate(24*time.Hour).Equal(per.Since) && per.Until.Truncate(24*time.Hour).Equal(per.Until)
	add := func(at time.Time, mentions, positive, neutral, negative, reach int64) {
		i, ok := index[per.bucket(at).Unix()]
		if !ok {
			return
		}
		p := &out[i]
		p.Mentions += mentions
		p.Positive += positive
		p.Neutral += neutral
		p.Negative += negative
		p.Reach += reach
	}
	if utcDays {
		rows, err := s.Store.ListAnalysisDays(ctx, store.ListAnalysisDaysParams{TopicID: topicID, Since: per.Since, Until: per.Until})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			add(r.StartAt, r.Mentions, r.Positive, r.Neutral, r.Negative, r.Reach)
		}
		return out, nil
	}
	rows, err := s.Store.ListAnalysisHours(ctx, store.ListAnalysisHoursParams{TopicID: topicID, Since: per.Since, Until: per.Until})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		add(r.Hour, r.Mentions, r.Positive, r.Neutral, r.Negative, r.Reach)
	}
	return out, nil
}

// totals sums every topic of the workspace over [since, until).
func (s *Service) totals(ctx context.Context, wsID int64, since, until time.Time) (map[int64]Totals, error) {
	c := cutPeriod(since, until)
	rows, err := s.Store.ListAnalysisTopicTotals(ctx, store.ListAnalysisTopicTotalsParams{WorkspaceID: wsID, Since: c.since, DaysSince: c.daysSince,
		MonthsSince: c.monthsSince, MonthsUntil: c.monthsUntil, DaysUntil: c.daysUntil, Until: c.until})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Totals, len(rows))
	for _, r := range rows {
		out[r.TopicID] = Totals{Mentions: r.Mentions, Reach: r.Reach, Positive: r.Positive, Neutral: r.Neutral, Negative: r.Negative}
	}
	return out, nil
}

// shareOfVoice compares the topic shown with the workspace's brand and
// competitor topics: each one's part of their mentions together.
func shareOfVoice(topics []Topic, shown Topic, totals map[int64]Totals) []Share {
	var out []Share
	var sum int64
	for _, t := range topics {
		if t.ID != shown.ID && t.Kind != KindBrand && t.Kind != KindCompetitor {
			continue
		}
		n := totals[t.ID].Mentions
		sum += n
		out = append(out, Share{Topic: t, Mentions: n})
	}
	for i := range out {
		if sum > 0 {
			out[i].Share = float64(out[i].Mentions) / float64(sum)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Mentions > out[j].Mentions })
	return out
}

// authors ranks the topic's authors by mentions and by reach (leaving out
// authors of unknown followers, who reach no one we can count), from one
// read. Author rollups are kept by UTC day and month: the period is widened
// to whole UTC days.
func (s *Service) authors(ctx context.Context, topicID int64, per Period) (byMentions, byReach []Author, err error) {
	c := cutPeriod(per.Since.Truncate(24*time.Hour), ceilDay(per.Until))
	rows, err := s.Store.ListAnalysisTopAuthors(ctx, store.ListAnalysisTopAuthorsParams{TopicID: topicID, DaysSince: c.daysSince,
		MonthsSince: c.monthsSince, MonthsUntil: c.monthsUntil, DaysUntil: c.daysUntil, MaxRows: topN})
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		a := Author{Network: r.Network, Author: r.Author, Mentions: r.Mentions, Followers: r.Followers, Reach: r.Reach}
		if r.ByReach != 0 {
			byReach = append(byReach, a)
		} else {
			byMentions = append(byMentions, a)
		}
	}
	return byMentions, byReach, nil
}

// cut is a period [since, until) in UTC cut for the coarsest rollups that
// cover it: hours in [since, daysSince) and [daysUntil, until), days in
// [daysSince, monthsSince) and [monthsUntil, daysUntil), whole months in
// [monthsSince, monthsUntil). Bounds are equal where a stretch is empty.
type cut struct {
	since, daysSince, monthsSince, monthsUntil, daysUntil, until time.Time
}

// cutPeriod cuts [since, until) at UTC midnights and UTC months, as the
// pipeline keeps the rollups (internal/listen.Rollups). A dashboard's days
// follow the workspace's time zone: where they do not start at a UTC
// midnight, their first and last hours come from the hourly rows, so every
// sum is the one the hourly rows alone would give.
func cutPeriod(since, until time.Time) cut {
	since, until = since.UTC(), until.UTC()
	c := cut{since: since, until: until}
	c.daysSince, c.daysUntil = ceilDay(since), until.Truncate(24*time.Hour)
	if !c.daysSince.Before(c.daysUntil) {
		// Not one whole UTC day: hours only.
		c.daysSince, c.monthsSince, c.monthsUntil, c.daysUntil = until, until, until, until
		return c
	}
	c.monthsSince, c.monthsUntil = ceilMonth(c.daysSince), floorMonth(c.daysUntil)
	if !c.monthsSince.Before(c.monthsUntil) {
		// Not one whole month: days only.
		c.monthsSince, c.monthsUntil = c.daysUntil, c.daysUntil
	}
	return c
}

func floorMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func ceilMonth(t time.Time) time.Time {
	m := floorMonth(t)
	if m.Equal(t) {
		return m
	}
	return m.AddDate(0, 1, 0)
}

func ceilDay(t time.Time) time.Time {
	d := t.Truncate(24 * time.Hour)
	if d.Equal(t) {
		return d
	}
	return d.Add(24 * time.Hour)
}

// terms ranks the topic's words and, apart, its hashtags.
func (s *Service) terms(ctx context.Context, topicID int64, per Period) (words, hashtags []Term, err error) {
	c := cutPeriod(per.Since, per.Until)
	rows, err := s.Store.ListAnalysisTermTotals(ctx, store.ListAnalysisTermTotalsParams{TopicID: topicID, Since: c.since, DaysSince: c.daysSince,
		MonthsSince: c.monthsSince, MonthsUntil: c.monthsUntil, DaysUntil: c.daysUntil, Until: c.until})
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		t := Term{Term: r.Term, Mentions: r.Mentions}
		switch {
		case strings.HasPrefix(r.Term, "#") && len(hashtags) < topN:
			hashtags = append(hashtags, t)
		case !strings.HasPrefix(r.Term, "#") && len(words) < topN:
			words = append(words, t)
		}
		if len(words) == topN && len(hashtags) == topN {
			break
		}
	}
	return words, hashtags, nil
}

// Topics lists the workspace's topics, for the filters of the list.
func (s *Service) Topics(ctx context.Context, user store.User, workspaceID int64) ([]Topic, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return nil, err
	}
	t, _, err := s.topics(ctx, ws.ID, 0)
	return t, err
}
