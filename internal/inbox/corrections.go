package inbox

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// SentimentCorrection is how many times members corrected the sentiment of
// an item from one label to another. From is "" for an item that had not
// been analysed.
type SentimentCorrection struct {
	From, To string
	Count    int64
}

// SentimentCorrections are a workspace's hand corrections of sentiment
// over a period: the total and each from → to pair, most frequent first.
// They tell how often the analysis is wrong, and how.
type SentimentCorrections struct {
	Total int64
	Pairs []SentimentCorrection
}

// correctionSep is how CorrectSentiment writes the audit's detail.
const correctionSep = " → "

// SentimentCorrections counts the workspace's sentiment corrections made
// in [since, until); a zero since or until leaves that side open. Whoever
// reads the inbox reads them.
func (s *Service) SentimentCorrections(ctx context.Context, user store.User, workspaceID int64, since, until time.Time) (SentimentCorrections, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead); err != nil {
		return SentimentCorrections{}, err
	}
	if since.IsZero() {
		since = time.Unix(0, 0)
	}
	if until.IsZero() {
		until = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rows, err := s.Store.CountSentimentCorrections(ctx, store.CountSentimentCorrectionsParams{WorkspaceID: workspaceID, Since: since.UTC(), UntilAt: until.UTC()})
	if err != nil {
		return SentimentCorrections{}, err
	}
	var out SentimentCorrections
	for _, r := range rows {
		from, to, ok := strings.Cut(r.Detail, correctionSep)
		if !ok || from == to {
			continue // not a change of label
		}
		out.Total += r.N
		out.Pairs = append(out.Pairs, SentimentCorrection{From: strings.TrimSpace(from), To: strings.TrimSpace(to), Count: r.N})
	}
	// Most frequent first, then by label for a stable order.
	slices.SortFunc(out.Pairs, func(a, b SentimentCorrection) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out, nil
}
