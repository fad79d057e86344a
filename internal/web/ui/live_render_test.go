package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/web/i18n"
)

// The live markup is what static/live.js reads: the stream's addresses and
// the presence texts, in the member's language.
func TestLiveMarkupInFrench(t *testing.T) {
	t.Parallel()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := liveStream(7, 42).Render(context.Background(), &sb); err != nil {
		t.Fatal(err)
	}
	if err := livePresence(b.Localizer("fr"), "conv-1").Render(context.Background(), &sb); err != nil {
		t.Fatal(err)
	}
	got := sb.String()
	for _, want := range []string{`data-live-events="/w/7/events"`, `data-live-presence-url="/w/7/presence"`, `data-live-me="42"`,
		`data-live-presence="conv-1"`, `data-live-replying="%s est en train de répondre"`, `data-live-viewing="%s consulte cette conversation"`} {
		if !strings.Contains(got, want) {
			t.Errorf("markup lacks %s:\n%s", want, got)
		}
	}
}
