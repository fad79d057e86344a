package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/a-h/templ"

	"github.com/tribune-social/tribune/internal/web/i18n"
	"github.com/tribune-social/tribune/internal/web/layout"
	"github.com/tribune-social/tribune/internal/web/static"
)

// patternRecorder keeps the patterns routes registers.
type patternRecorder []string

func (p *patternRecorder) Handle(pattern string, _ http.Handler) { *p = append(*p, pattern) }

// RoutePatterns lists every pattern of the UI's route table, as registered,
// so that a walk over the routes cannot miss one.
func RoutePatterns() []string {
	var rec patternRecorder
	(&ui{}).routes(&rec)
	return rec
}

// LiveHarness is a page holding the live markup an inbox page renders (the
// stream, a conversation's presence line, its reply form and a part that
// refetches fragment on each of its events), for the browser test of
// static/live.js before the inbox's own pages exist.
func LiveHarness(w http.ResponseWriter, r *http.Request, ws, me int64, lang, fragment string) error {
	b, err := i18n.New()
	if err != nil {
		return err
	}
	a, err := static.New()
	if err != nil {
		return err
	}
	l := b.Localizer(lang)
	body := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if err := liveStream(ws, me).Render(ctx, w); err != nil {
			return err
		}
		if err := livePresence(l, "conv-1").Render(ctx, w); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, `<div data-testid="refetched" data-live-on="item.new" data-live-subject="conv-1" hx-get=%q hx-trigger="live">0</div>
<form data-live-reply="conv-1"><textarea name="text" data-testid="reply"></textarea></form>`, fragment)
		return err
	})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return layout.Page(layout.PageData{Title: "live", Localizer: l, Assets: a}, body).Render(r.Context(), w)
}
