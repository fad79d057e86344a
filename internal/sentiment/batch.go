package sentiment

import (
	"fmt"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/problem"
)

// Limits of one batch: at most MaxBatch texts of at most MaxTextLength
// characters each (above the post and comment limits of the networks we
// publish to), so that one call takes milliseconds on one core and its
// body stays around two megabytes at worst.
const (
	MaxBatch      = 100
	MaxTextLength = 5000
)

// AnalyzeBatch scores texts in order as lang ("auto", "fr" or "en";
// "" is "auto"). It refuses, with a 422 naming the limit, a batch that is
// empty, too long, holds a too long text, or names another language.
func (m *Model) AnalyzeBatch(texts []string, lang string) ([]Result, error) {
	switch lang {
	case "":
		lang = "auto"
	case "auto", French, English:
	default:
		return nil, problem.Invalidf("lang", "bad_lang", "The language is auto, fr or en.")
	}
	if len(texts) == 0 {
		return nil, problem.Invalidf("texts", "empty", "Give at least one text.")
	}
	if len(texts) > MaxBatch {
		return nil, problem.Invalid.With(problem.Detail{Location: "texts", Code: "too_many",
			Message: "At most %d texts per request.", Args: []any{MaxBatch}})
	}
	for i, t := range texts {
		if utf8.RuneCountInString(t) > MaxTextLength {
			return nil, problem.Invalid.With(problem.Detail{Location: fmt.Sprintf("texts[%d]", i), Code: "too_long",
				Message: "A text is limited to %d characters.", Args: []any{MaxTextLength}})
		}
	}
	out := make([]Result, len(texts))
	for i, t := range texts {
		out[i] = m.AnalyzeLang(t, lang)
	}
	return out, nil
}
