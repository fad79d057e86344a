package listen

import (
	"context"
	"time"

	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
)

// RollupMention is one new mention of one topic, as the rollups see it.
type RollupMention struct {
	Topic     int64
	At        time.Time
	Sentiment sentiment.Label
	// Followers of the author; 0 or less is unknown and reaches no one.
	Followers       int64
	Network, Author string
	// Terms are the mention's words and #hashtags (Terms of its text).
	Terms []string
}

// Rollups gathers what new mentions add to every rollup of a workspace,
// then writes it in a handful of statements: per topic by UTC hour, day and
// month (volume, sentiment, reach); per term by hour, day and month; per
// author by day and month. The dashboard reads a period's whole months from
// the monthly rows and only its ragged edges from days and hours (issue 15
// §3: 13 months of a busy topic read a few thousand rows, not a million), so
// every grain must move with every mention: the pipeline and the seeding of
// the tests both go through here.
type Rollups struct {
	workspaceID int64

	hours      map[hourKey]*rollup
	hourOrder  []hourKey
	spans      map[spanKey]*rollup
	spanOrder  []spanKey
	terms      map[termKey]int64
	termOrder  []termKey
	termSpans  map[termSpanKey]int64
	tspanOrder []termSpanKey
	authors    [2]map[authorKey]*authorRollup // by day, by month
	authOrder  [2][]authorKey
}

type hourKey struct {
	topic int64
	hour  time.Time
}

type spanKey struct {
	topic int64
	grain string
	start time.Time
}

type termKey struct {
	hourKey
	term string
}

type termSpanKey struct {
	spanKey
	term string
}

type authorKey struct {
	topic           int64
	day             time.Time
	network, author string
}

type rollup struct{ mentions, pos, neu, neg, reach int64 }

type authorRollup struct{ mentions, followers, reach int64 }

// NewRollups starts the rollups of a batch of the workspace's mentions.
func NewRollups(workspaceID int64) *Rollups {
	return &Rollups{workspaceID: workspaceID, hours: map[hourKey]*rollup{}, spans: map[spanKey]*rollup{},
		terms: map[termKey]int64{}, termSpans: map[termSpanKey]int64{},
		authors: [2]map[authorKey]*authorRollup{{}, {}}}
}

// UTC day and month starts: every rollup is cut in UTC, whatever the
// workspace's time zone (the dashboard reads hours where a day of the
// workspace does not start at a UTC midnight).
func dayOf(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// Add counts one mention of one topic.
func (r *Rollups) Add(m RollupMention) {
	at := m.At.UTC()
	hour, day, month := at.Truncate(time.Hour), dayOf(at), monthOf(at)
	hk := hourKey{m.Topic, hour}
	add := func(x *rollup) {
		x.mentions++
		switch m.Sentiment {
		case sentiment.Positive:
			x.pos++
		case sentiment.Negative:
			x.neg++
		default:
			x.neu++
		}
		if m.Followers > 0 {
			x.reach += m.Followers
		}
	}
	x := r.hours[hk]
	if x == nil {
		x = &rollup{}
		r.hours[hk] = x
		r.hourOrder = append(r.hourOrder, hk)
	}
	add(x)
	spans := [2]spanKey{{m.Topic, store.GrainDay, day}, {m.Topic, store.GrainMonth, month}}
	for _, sk := range spans {
		x := r.spans[sk]
		if x == nil {
			x = &rollup{}
			r.spans[sk] = x
			r.spanOrder = append(r.spanOrder, sk)
		}
		add(x)
	}
	for _, w := range m.Terms {
		tk := termKey{hk, w}
		if _, ok := r.terms[tk]; !ok {
			r.termOrder = append(r.termOrder, tk)
		}
		r.terms[tk]++
		for _, sk := range spans {
			k := termSpanKey{sk, w}
			if _, ok := r.termSpans[k]; !ok {
				r.tspanOrder = append(r.tspanOrder, k)
			}
			r.termSpans[k]++
		}
	}
	if m.Author == "" {
		return
	}
	for i, start := range [2]time.Time{day, month} {
		ak := authorKey{m.Topic, start, m.Network, m.Author}
		a := r.authors[i][ak]
		if a == nil {
			a = &authorRollup{followers: -1}
			r.authors[i][ak] = a
			r.authOrder[i] = append(r.authOrder[i], ak)
		}
		a.mentions++
		a.followers = max(a.followers, m.Followers)
		if m.Followers > 0 {
			a.reach += m.Followers
		}
	}
}

// Write adds the gathered counts to the rollups through q (the batch's
// transaction). Rows go in a fixed order (first seen), so two batches of a
// workspace lock the same rows in the same order on PostgreSQL.
func (r *Rollups) Write(ctx context.Context, q store.Queries) error {
	if len(r.hourOrder) == 0 {
		return nil
	}
	ws := r.workspaceID
	hr := make([]store.MentionRollupRow, len(r.hourOrder))
	for i, k := range r.hourOrder {
		x := r.hours[k]
		hr[i] = store.MentionRollupRow{WorkspaceID: ws, TopicID: k.topic, Hour: store.RowTime(k.hour), Mentions: x.mentions,
			Positive: x.pos, Neutral: x.neu, Negative: x.neg, Reach: x.reach}
	}
	if err := q.AddMentionRollups(ctx, store.Rows(hr)); err != nil {
		return err
	}
	sr := make([]store.RollupSpanRow, len(r.spanOrder))
	for i, k := range r.spanOrder {
		x := r.spans[k]
		sr[i] = store.RollupSpanRow{WorkspaceID: ws, TopicID: k.topic, Grain: k.grain, StartAt: store.RowTime(k.start), Mentions: x.mentions,
			Positive: x.pos, Neutral: x.neu, Negative: x.neg, Reach: x.reach}
	}
	if err := q.AddMentionRollupSpans(ctx, store.Rows(sr)); err != nil {
		return err
	}
	if len(r.termOrder) > 0 {
		tr := make([]store.TermRollupRow, len(r.termOrder))
		for i, k := range r.termOrder {
			tr[i] = store.TermRollupRow{WorkspaceID: ws, TopicID: k.topic, Hour: store.RowTime(k.hour), Term: k.term, Mentions: r.terms[k]}
		}
		if err := q.AddMentionTermRollups(ctx, store.Rows(tr)); err != nil {
			return err
		}
		ts := make([]store.TermSpanRow, len(r.tspanOrder))
		for i, k := range r.tspanOrder {
			ts[i] = store.TermSpanRow{WorkspaceID: ws, TopicID: k.topic, Grain: k.grain, StartAt: store.RowTime(k.start), Term: k.term, Mentions: r.termSpans[k]}
		}
		if err := q.AddMentionTermSpans(ctx, store.Rows(ts)); err != nil {
			return err
		}
	}
	for i, write := range [2]func(context.Context, string) error{q.AddMentionAuthorRollups, q.AddMentionAuthorMonths} {
		if len(r.authOrder[i]) == 0 {
			continue
		}
		ar := make([]store.AuthorRollupRow, len(r.authOrder[i]))
		for j, k := range r.authOrder[i] {
			a := r.authors[i][k]
			ar[j] = store.AuthorRollupRow{WorkspaceID: ws, TopicID: k.topic, Day: store.RowTime(k.day), Network: k.network, Author: k.author,
				Mentions: a.mentions, Followers: a.followers, Reach: a.reach}
		}
		if err := write(ctx, store.Rows(ar)); err != nil {
			return err
		}
	}
	return nil
}
