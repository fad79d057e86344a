package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/sentiment"
)

type sentimentIn struct {
	Body struct {
		Texts []string `json:"texts" doc:"Texts to score, in order: at most 100, each at most 5,000 characters"`
		Lang  string   `json:"lang,omitempty" doc:"auto (detect each text, the default), fr or en"`
	}
}

type sentimentOut struct {
	Results []sentiment.Result `json:"results" doc:"One result per text, in the order of texts"`
}

func (s *server) sentimentRoutes(a huma.API) {
	o := op("sentiment", http.MethodPost, "/v1/sentiment",
		"Score texts: positive, neutral or negative, a score in [-1, 1] and the language (fr, en or other)", "sentiment")
	o.Description = "English is scored by VADER (label threshold ±0.05 on its compound score), French by a model trained on French tweets " +
		"(score = P(positive) − P(negative)); other languages by VADER, which still reads emojis and emoticons."
	// Room for a full batch of the longest texts in multi-byte characters.
	o.MaxBodyBytes = sentiment.MaxBatch*sentiment.MaxTextLength*4 + 64<<10
	huma.Register(a, o, s.analyzeSentiment)
}

func (s *server) analyzeSentiment(ctx context.Context, in *sentimentIn) (*body[sentimentOut], error) {
	if _, err := user(ctx); err != nil {
		return nil, s.fail(err)
	}
	res, err := s.Sentiment.AnalyzeBatch(in.Body.Texts, in.Body.Lang)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[sentimentOut]{sentimentOut{Results: res}}, nil
}
