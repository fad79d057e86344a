package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// Sentiment corrections: how often members corrected the analysis, and
// from which label to which (issue 14: "the correction is kept and
// counted").

func (s *server) inboxCorrectionRoutes(a huma.API) {
	huma.Register(a, op("inbox-sentiment-corrections", http.MethodGet, "/v1/workspaces/{ws}/inbox/sentiment-corrections",
		"Hand corrections of sentiment over a period, per label from → to", "inbox"), s.inboxSentimentCorrections)
}

// SentimentCorrectionPair is how many items were corrected from one label to another.
type SentimentCorrectionPair struct {
	From  string `json:"from" doc:"The label the analysis gave; empty when the item had not been analysed"`
	To    string `json:"to" enum:"positive,neutral,negative"`
	Count int64  `json:"count"`
}

// SentimentCorrectionsOut counts a workspace's corrections.
type SentimentCorrectionsOut struct {
	From  string                    `json:"from"`
	To    string                    `json:"to"`
	Total int64                     `json:"total"`
	Pairs []SentimentCorrectionPair `json:"pairs" doc:"Most frequent first"`
}

func (s *server) inboxSentimentCorrections(ctx context.Context, in *reportIn) (*body[SentimentCorrectionsOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	// The period is the response-time report's: the same days, the same zone.
	rep, err := s.report(ctx, in)
	if err != nil {
		return nil, s.fail(err)
	}
	c, err := s.Inbox.SentimentCorrections(ctx, u, in.WS, rep.Since, rep.Until)
	if err != nil {
		return nil, s.fail(err)
	}
	out := SentimentCorrectionsOut{From: rep.Since.Format("2006-01-02"), To: rep.Until.AddDate(0, 0, -1).Format("2006-01-02"), Total: c.Total, Pairs: []SentimentCorrectionPair{}}
	for _, p := range c.Pairs {
		out.Pairs = append(out.Pairs, SentimentCorrectionPair{From: p.From, To: p.To, Count: p.Count})
	}
	return &body[SentimentCorrectionsOut]{out}, nil
}
