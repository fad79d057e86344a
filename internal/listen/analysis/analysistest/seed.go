// Package analysistest writes listening rows for the tests and benchmarks
// of the read side, as the pipeline (internal/listen) would: each mention
// with its topics, and the rollups it moves, counted by the pipeline's own
// listen.Rollups (every grain: hours, days, months). It
// exists so the analysis can be tested without an ingestion path; nothing
// in production calls it.
package analysistest

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
)

// Topic creates a listening topic of kind (brand, competitor…).
func Topic(ctx context.Context, q store.Queries, wsID int64, name, kind string) (int64, error) {
	return q.SeedListenTopic(ctx, store.SeedListenTopicParams{WorkspaceID: wsID, Name: name, Kind: kind, CreatedAt: time.Now().UTC()})
}

// Mention is a mention to store. Zero fields take plain defaults.
type Mention struct {
	Topics    []int64
	Network   string // "bluesky"
	ID        string // external id; made up when empty
	URL       string
	Author    string // "someone"
	Name      string
	Followers int64 // -1 unknown; 0 is taken as unknown too
	Text      string
	Lang      string // "fr"
	Sentiment string // "neutral"
	Score     float64
	At        time.Time
	// Terms are the words and '#hashtags' the pipeline would count.
	Terms []string
	// RollupsOnly moves the rollups without storing the mention, as after
	// the retention removed it: what must still be counted is then only
	// in the rollups.
	RollupsOnly bool
}

var seq atomic.Int64

// Add stores m and moves the rollups of each of its topics.
func Add(ctx context.Context, q store.Queries, wsID int64, m Mention) (int64, error) {
	if m.Network == "" {
		m.Network = "bluesky"
	}
	if m.ID == "" {
		m.ID = fmt.Sprintf("seed-%d", seq.Add(1))
	}
	if m.Author == "" {
		m.Author = "someone"
	}
	if m.Lang == "" {
		m.Lang = "fr"
	}
	if m.Sentiment == "" {
		m.Sentiment = "neutral"
	}
	if m.Followers == 0 {
		m.Followers = -1
	}
	at := m.At.UTC()
	var id int64
	if !m.RollupsOnly {
		var err error
		id, err = q.SeedMention(ctx, store.SeedMentionParams{WorkspaceID: wsID, Network: m.Network, ExternalID: m.ID, URL: m.URL, Author: m.Author,
			AuthorName: m.Name, AuthorFollowers: m.Followers, Text: m.Text, Lang: m.Lang, Sentiment: m.Sentiment, SentimentScore: m.Score, PostedAt: at})
		if err != nil {
			return 0, err
		}
	}
	rolls := listen.NewRollups(wsID)
	for _, t := range m.Topics {
		if !m.RollupsOnly {
			if err := q.SeedMentionTopic(ctx, store.SeedMentionTopicParams{MentionID: id, TopicID: t, WorkspaceID: wsID, PostedAt: at}); err != nil {
				return 0, err
			}
		}
		rolls.Add(listen.RollupMention{Topic: t, At: at, Sentiment: sentiment.Label(m.Sentiment), Followers: m.Followers,
			Network: m.Network, Author: m.Author, Terms: m.Terms})
	}
	if err := rolls.Write(ctx, q); err != nil {
		return 0, err
	}
	return id, nil
}
