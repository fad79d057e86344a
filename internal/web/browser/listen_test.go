package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/source"
)

// The query editor checks as you type: an unclosed parenthesis shows the
// error with its place marked; the fixed query shows the preview of what
// the sources brought.
func TestQueryEditorChecksAsYouType(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	bg := context.Background()
	tp, err := s.env.App.Listen.CreateTopic(bg, s.owner, s.ws.ID, listen.TopicInput{Name: "Maison Lumière"})
	if err != nil {
		t.Fatal(err)
	}
	src, err := s.env.App.Listen.CreateSource(bg, s.owner, s.ws.ID, listen.SourceInput{Kind: "sandbox", Name: "Sandbox", Enabled: new(bool)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.env.App.Listen.Ingest(bg, src.ID, source.Batch{Cursor: "1", Posts: []source.Post{
		{Network: "sandbox", ExternalID: "p1", Author: "lea", Text: "Ma lampe Maison Lumière chauffe, #lampegate"}}}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/listen/queries/new?topic=%d", s.ws.ID, tp.ID))),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=query-check-empty]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=query-text]`), `lampe AND (maison`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=query-error-mark] mark`)),
	)
	if err != nil {
		shot(t, ctx, "query-editor-error")
		t.Fatalf("no error shown while typing: %v", err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=query-error]`)))
	if err != nil || !strings.Contains(msg, "column 18") {
		t.Fatalf("error shown: %q %v", msg, err)
	}
	err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`[data-testid=query-text]`), ` lumiere)`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=query-preview]`)))
	if err != nil {
		shot(t, ctx, "query-editor-preview")
		t.Fatalf("no preview once fixed: %v", err)
	}
	preview, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=query-preview]`)))
	if err != nil || !strings.Contains(preview, "#lampegate") {
		t.Fatalf("preview: %q %v", preview, err)
	}
	// Saving it lands on the topics page with the query under its topic.
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=query-save]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=listen-query]`)))
	if err != nil {
		t.Fatal(err)
	}
}
