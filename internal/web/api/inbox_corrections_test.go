package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// A correction made through the API is counted, per label from → to, and
// an analyst reads the count.
func TestSentimentCorrectionsThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	analyst := env.Token(t, env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst))
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "marque")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Inbox.Ingest(ctx, ch, []network.Item{{ExternalID: "c1", Kind: network.KindComment, Ref: network.Ref{ID: "c1"},
		Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "Génial, vraiment, merci pour rien", CreatedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	page, err := env.App.Inbox.List(ctx, owner, ws.ID, inbox.Filter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatal(page, err)
	}
	it := page.Items[0]
	to := sentiment.Negative
	if it.Sentiment == string(sentiment.Negative) {
		to = sentiment.Positive
	}
	if r := env.Do(t, tok, http.MethodPatch, fmt.Sprintf("/api/v1/inbox/items/%d", it.ID), strings.NewReader(fmt.Sprintf(`{"sentiment":%q}`, to))); r.StatusCode != 200 {
		t.Fatalf("correct: %d", r.StatusCode)
	}
	got := decode[struct {
		Total int64 `json:"total"`
		Pairs []struct {
			From  string `json:"from"`
			To    string `json:"to"`
			Count int64  `json:"count"`
		} `json:"pairs"`
	}](t, env.Do(t, analyst, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/inbox/sentiment-corrections", ws.ID), nil))
	if got.Total != 1 || len(got.Pairs) != 1 || got.Pairs[0].From != it.Sentiment || got.Pairs[0].To != string(to) || got.Pairs[0].Count != 1 {
		t.Errorf("corrections %+v, want one %s → %s", got, it.Sentiment, to)
	}
}
