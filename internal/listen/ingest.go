package listen

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/listen/query"
	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
)

// IngestResult says what a batch did.
type IngestResult struct {
	// Seen is the batch's posts; Matched those that matched a query;
	// Stored the mentions stored for the first time (a replay stores none).
	Seen, Matched, Stored int
}

// scratchPool spares each batch the matcher's working memory.
var scratchPool = sync.Pool{New: func() any { return new(query.Scratch) }}

// matched is a post that matched, with what the pipeline found about it.
type matched struct {
	post   source.Post
	lang   string
	sent   sentiment.Result
	topics []topicHit
}

type topicHit struct{ topic, query int64 }

// Ingest runs a source's batch through the pipeline: the language where the
// post has none, the workspace's queries, the sentiment of what matched (and
// only of that: it is the costly step), then ONE transaction that stores the
// new mentions, their topics, the rollups they move and the source's cursor
// and counters. A mention is unique per workspace and (network, id): a
// replayed or overlapping batch stores nothing twice and moves no rollup
// twice, since rollups are counted from the mentions the insert returned.
//
// Every source's runner calls it; the benchmark and other packages' sources
// may too.
func (s *Service) Ingest(ctx context.Context, sourceID int64, b source.Batch) (IngestResult, error) {
	info, err := s.source(ctx, sourceID)
	if err != nil {
		return IngestResult{}, err
	}
	c, err := s.index(ctx, info.workspaceID)
	if err != nil {
		return IngestResult{}, err
	}
	res := IngestResult{Seen: len(b.Posts)}
	found := c.matchBatch(b.Posts, s.Analyzer.Detect)
	var hits []matched
	for i, p := range b.Posts {
		lang, ids := found[i].lang, found[i].ids
		s.recent.add(info.workspaceID, p, lang)
		if len(ids) == 0 {
			continue
		}
		m := matched{post: p, lang: lang}
		seen := map[int64]bool{}
		for _, q := range ids {
			t := c.topicOf[q]
			if !seen[t] {
				seen[t] = true
				m.topics = append(m.topics, topicHit{topic: t, query: q})
			}
		}
		m.sent = s.Analyzer.AnalyzeLang(p.Text, lang)
		hits = append(hits, m)
	}
	res.Matched = len(hits)
	now := s.now()
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		stored, err := s.store(ctx, tx, info.workspaceID, sourceID, hits, now)
		if err != nil {
			return err
		}
		res.Stored = stored
		if stored > 0 && s.OnStored != nil {
			// The alert rules look at the rollups this batch moved,
			// queued in the same transaction (a crash loses no evaluation).
			if err := s.OnStored(ctx, tx, info.workspaceID); err != nil {
				return err
			}
		}
		return tx.AdvanceListenSource(ctx, store.AdvanceListenSourceParams{Cursor: b.Cursor, CursorAt: &now,
			Seen: int64(len(b.Posts)), Matched: int64(stored), ID: sourceID})
	})
	if err != nil {
		return IngestResult{}, err
	}
	return res, nil
}

// source returns the source's workspace and kind (cached: they never change).
func (s *Service) source(ctx context.Context, sourceID int64) (sourceInfo, error) {
	if v, ok := s.wsOf.Load(sourceID); ok {
		return v.(sourceInfo), nil
	}
	src, err := s.Store.GetListenSource(ctx, sourceID)
	if err != nil {
		return sourceInfo{}, notFound(err, errSourceNotFound)
	}
	info := sourceInfo{workspaceID: src.WorkspaceID, kind: src.Kind}
	s.wsOf.Store(sourceID, info)
	return info, nil
}

// store writes the matched posts in tx and returns how many were new. A
// batch costs eight statements whatever its size (its rows travel as JSON
// arrays, store.Rows); the rollups are counted, in Go, from the mentions
// the insert returned, so a post already stored moves nothing.
func (s *Service) store(ctx context.Context, tx store.Tx, workspaceID, sourceID int64, hits []matched, now time.Time) (int, error) {
	if len(hits) == 0 {
		return 0, nil
	}
	type postKey struct{ network, id string }
	rows := make([]store.MentionRow, 0, len(hits))
	byKey := make(map[postKey]int, len(hits))
	posted := make([]time.Time, len(hits))
	for i, m := range hits {
		p := m.post
		k := postKey{p.Network, p.ExternalID}
		if _, dup := byKey[k]; dup {
			continue // twice in one batch: the first counts
		}
		byKey[k] = i
		at := p.CreatedAt.UTC()
		if at.IsZero() || at.After(now.Add(time.Hour)) {
			// A post without a date, or dated in the future by a wrong
			// clock, counts when we saw it.
			at = now
		}
		posted[i] = at
		rows = append(rows, store.MentionRow{WorkspaceID: workspaceID, SourceID: &sourceID, Network: p.Network, ExternalID: p.ExternalID,
			URL: p.URL, Author: p.Author, AuthorName: p.AuthorName, AuthorFollowers: p.AuthorFollowers, Text: p.Text, Lang: m.lang,
			Sentiment: string(m.sent.Label), SentimentScore: m.sent.Score, PostedAt: store.RowTime(at), ReceivedAt: store.RowTime(now)})
	}
	added, err := tx.InsertMentions(ctx, store.Rows(rows))
	if err != nil || len(added) == 0 {
		return 0, err
	}
	rolls := NewRollups(workspaceID)
	var links []store.MentionTopicRow
	for _, a := range added {
		i := byKey[postKey{a.Network, a.ExternalID}]
		m, at := hits[i], posted[i]
		p := m.post
		words := Terms(p.Text)
		for _, h := range m.topics {
			q := h.query
			links = append(links, store.MentionTopicRow{MentionID: a.ID, TopicID: h.topic, QueryID: &q, WorkspaceID: workspaceID, PostedAt: store.RowTime(at)})
			rolls.Add(RollupMention{Topic: h.topic, At: at, Sentiment: m.sent.Label, Followers: p.AuthorFollowers,
				Network: p.Network, Author: p.Author, Terms: words})
		}
	}
	if err := tx.InsertMentionTopics(ctx, store.Rows(links)); err != nil {
		return 0, err
	}
	if err := rolls.Write(ctx, tx); err != nil {
		return 0, err
	}
	return len(added), nil
}

// langOf is the primary subtag of a declared language when it is French or
// English, "other" for any other declared language, "" when none is declared
// (the pipeline then detects it).
func langOf(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if tag == "" {
		return ""
	}
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	switch tag {
	case sentiment.French, sentiment.English:
		return tag
	}
	return sentiment.Other
}

// langTag is what lang: filters see: the declared tag's primary subtag
// when there is one (so lang:de works on a German post), else the detected
// language.
func langTag(declared, detected string) string {
	declared = strings.ToLower(strings.TrimSpace(declared))
	if i := strings.IndexAny(declared, "-_"); i >= 0 {
		declared = declared[:i]
	}
	if declared != "" {
		return declared
	}
	return detected
}
