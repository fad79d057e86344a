// Package signals finds weak signals (issue 15 §4): terms and hashtags whose
// count in the last window is far above their own history, read from the
// hourly term rollups (never the mentions) so that a detection costs
// candidate terms × hours. The method and its parameters are described in
// docs/listening.md, section « Signaux faibles ».
package signals

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/query"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// Params tune the detection; DefaultParams are what the page and the alert
// rules use.
type Params struct {
	// Window is the length of the "now" window: 1 h or 6 h.
	Window time.Duration
	// Days is how many previous days give the baseline: the same window,
	// same clock time, on each of them.
	Days int
	// Prior is the smoothing pseudo-count added to both the window's count
	// and the baseline's mean: a term never seen before (mean 0) needs
	// (MinRatio-1)×Prior mentions to reach MinRatio, and its deviation is
	// never taken as 0.
	Prior float64
	// MinCount is the fewest mentions in the window a rising term has.
	MinCount int64
	// MinRatio is the smallest (count+Prior)/(mean+Prior).
	MinRatio float64
	// MinZ is the smallest (count-mean)/sqrt(variance+mean+Prior).
	MinZ float64
}

// DefaultParams are the parameters for a window of w (1 h when w is 0).
func DefaultParams(w time.Duration) Params {
	if w <= 0 {
		w = time.Hour
	}
	return Params{Window: w, Days: 7, Prior: 2, MinCount: 5, MinRatio: 3, MinZ: 3}
}

// Windows a member may choose.
var Windows = []time.Duration{time.Hour, 6 * time.Hour}

// Rising is a term whose window count stands out from its history.
type Rising struct {
	Term string `json:"term"`
	// Count is the term's mentions in the window.
	Count int64 `json:"count"`
	// Mean and Deviation are over the same window of the previous days.
	Mean      float64 `json:"baseline_mean"`
	Deviation float64 `json:"baseline_deviation"`
	// Ratio is the smoothed rate against the baseline.
	Ratio float64 `json:"ratio"`
	// Z is how many (smoothed) deviations above the mean the count is.
	Z float64 `json:"z"`
}

// Score rates count against its history (one count per previous day).
func Score(term string, count int64, history []int64, p Params) Rising {
	var mean, variance float64
	if len(history) > 0 {
		for _, x := range history {
			mean += float64(x)
		}
		mean /= float64(len(history))
		for _, x := range history {
			d := float64(x) - mean
			variance += d * d
		}
		variance /= float64(len(history))
	}
	c := float64(count)
	return Rising{Term: term, Count: count, Mean: mean, Deviation: math.Sqrt(variance),
		Ratio: (c + p.Prior) / (mean + p.Prior),
		// The Poisson part (mean) and the prior keep a steady, rare term
		// from looking surprising when its deviation happens to be 0.
		Z: (c - mean) / math.Sqrt(variance+mean+p.Prior)}
}

// IsRising says whether r passes p's thresholds.
func (r Rising) IsRising(p Params) bool {
	return r.Count >= p.MinCount && r.Ratio >= p.MinRatio && r.Z >= p.MinZ
}

// Counts are hourly term counts: term → hour (UTC, truncated) → mentions.
type Counts map[string]map[time.Time]int64

// Add counts n mentions of term in the hour holding at.
func (c Counts) Add(term string, at time.Time, n int64) {
	m := c[term]
	if m == nil {
		m = map[time.Time]int64{}
		c[term] = m
	}
	m[at.UTC().Truncate(time.Hour)] += n
}

func (c Counts) sum(term string, from, to time.Time) int64 {
	var n int64
	for h := from; h.Before(to); h = h.Add(time.Hour) {
		n += c[term][h]
	}
	return n
}

// End is the end of the window holding now: the next hour boundary, so the
// current (partial) hour counts.
func End(now time.Time) time.Time { return now.UTC().Truncate(time.Hour).Add(time.Hour) }

// Detect lists the rising terms of c in the window ending at End(now),
// strongest first.
func Detect(c Counts, now time.Time, p Params) []Rising {
	end := End(now)
	var out []Rising
	hist := make([]int64, p.Days)
	for term := range c {
		n := c.sum(term, end.Add(-p.Window), end)
		if n < p.MinCount {
			continue
		}
		for d := 1; d <= p.Days; d++ {
			e := end.Add(-time.Duration(d) * 24 * time.Hour)
			hist[d-1] = c.sum(term, e.Add(-p.Window), e)
		}
		if r := Score(term, n, hist, p); r.IsRising(p) {
			out = append(out, r)
		}
	}
	sortRising(out)
	return out
}

func sortRising(out []Rising) {
	slices.SortFunc(out, func(a, b Rising) int {
		if a.Z != b.Z {
			if a.Z > b.Z {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Term, b.Term)
	})
}

// MaxCandidates bounds the terms one detection scores.
const MaxCandidates = 2000

// DetectStored is Detect on a workspace's rollups (topicID 0: every topic):
// the terms counted at least MinCount times in the window, then their
// history on the previous days.
func DetectStored(ctx context.Context, q store.Queries, workspaceID, topicID int64, now time.Time, p Params) ([]Rising, error) {
	end := End(now)
	cands, err := q.SignalTermTotals(ctx, store.SignalTermTotalsParams{WorkspaceID: workspaceID, TopicID: topicID,
		Since: end.Add(-p.Window), Until: end, MinCount: p.MinCount, MaxRows: MaxCandidates})
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	terms := make([]string, len(cands))
	for i, c := range cands {
		terms[i] = c.Term
	}
	c := Counts{}
	for _, x := range cands {
		c.Add(x.Term, end.Add(-time.Hour), x.Mentions) // the window's total, as one hour: Detect sums it back
	}
	// Only the same window of each previous day is read: candidates × Days
	// × Window hours, not the whole history.
	for d := 1; d <= p.Days; d++ {
		e := end.Add(-time.Duration(d) * 24 * time.Hour)
		rows, err := q.SignalTermHours(ctx, store.SignalTermHoursParams{WorkspaceID: workspaceID, TopicID: topicID,
			Since: e.Add(-p.Window), Until: e, Terms: terms})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			c.Add(r.Term, r.Hour, r.Mentions)
		}
	}
	return Detect(c, now, p), nil
}

// Post is a mention that carries a rising term.
type Post struct {
	ID         int64     `json:"id"`
	Network    string    `json:"network"`
	URL        string    `json:"url"`
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name"`
	Text       string    `json:"text"`
	Sentiment  string    `json:"sentiment"`
	PostedAt   time.Time `json:"posted_at"`
}

// Signal is a rising term with some of the posts that carry it.
type Signal struct {
	Rising
	Posts []Post `json:"posts"`
}

// Service shows a workspace's weak signals to its members.
type Service struct {
	Store store.Store
	Auth  *auth.Service
	Now   func() time.Time
}

// Filter chooses what Rising looks at.
type Filter struct {
	TopicID int64
	Window  time.Duration
}

// Limits of the page.
const (
	// MaxScanned bounds the latest mentions searched for carriers.
	MaxScanned = 2000
	// PostsPerTerm bounds the carriers shown per term.
	PostsPerTerm = 5
	// MaxSignals bounds the terms shown.
	MaxSignals = 50
)

// ErrWindow: the window is not one of Windows.
var ErrWindow = problem.New(http.StatusUnprocessableEntity, "invalid_window", "The window is 1 hour or 6 hours.")

// Rising lists the workspace's rising terms in the window ending now, with
// the posts that carry them. Anyone who may view the workspace may read it.
func (s *Service) Rising(ctx context.Context, user store.User, workspaceID int64, f Filter) ([]Signal, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View); err != nil {
		return nil, err
	}
	if f.Window == 0 {
		f.Window = time.Hour
	}
	if !slices.Contains(Windows, f.Window) {
		return nil, ErrWindow
	}
	now := s.Now().UTC()
	p := DefaultParams(f.Window)
	rising, err := DetectStored(ctx, s.Store, workspaceID, f.TopicID, now, p)
	if err != nil {
		return nil, err
	}
	if len(rising) > MaxSignals {
		rising = rising[:MaxSignals]
	}
	out := make([]Signal, len(rising))
	index := map[string]int{}
	for i, r := range rising {
		out[i] = Signal{Rising: r, Posts: []Post{}}
		index[r.Term] = i
	}
	if len(rising) == 0 {
		return out, nil
	}
	end := End(now)
	ms, err := s.Store.SignalMentions(ctx, store.SignalMentionsParams{WorkspaceID: workspaceID, TopicID: f.TopicID,
		Since: end.Add(-f.Window), Until: end, MaxRows: MaxScanned})
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		for _, t := range Terms(m.Text) {
			i, ok := index[t]
			if !ok || len(out[i].Posts) >= PostsPerTerm || (len(out[i].Posts) > 0 && out[i].Posts[len(out[i].Posts)-1].ID == m.ID) {
				continue
			}
			out[i].Posts = append(out[i].Posts, Post{ID: m.ID, Network: m.Network, URL: m.URL, Author: m.Author,
				AuthorName: m.AuthorName, Text: m.Text, Sentiment: m.Sentiment, PostedAt: m.PostedAt})
		}
	}
	return out, nil
}

// Terms cuts a text into the terms the rollups count: folded words (accents
// and case), and #hashtags both as "#tag" and as the word "tag".
func Terms(text string) []string {
	f := query.Fold(text)
	var out []string
	start, hash := -1, false
	flush := func(end int) {
		if start >= 0 && end > start {
			w := f[start:end]
			out = append(out, w)
			if hash {
				out = append(out, "#"+w)
			}
		}
		start, hash = -1, false
	}
	for i, r := range f {
		word := r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case word && start < 0:
			start = i
			hash = i > 0 && f[i-1] == '#'
		case !word && start >= 0:
			flush(i)
		}
	}
	flush(len(f))
	return out
}
