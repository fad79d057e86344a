package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// step is one user action of a scenario, named for the failure message.
type step struct {
	what string
	do   chromedp.Action[chromedp.Void]
}

// runSteps does the steps in order, each within 10 s. On the first that
// fails it keeps a screenshot and logs the page (its address and the start
// of its text), then fails the test naming the scenario and the step: a
// scenario that stops half-way is otherwise hard to read.
func runSteps(t *testing.T, ctx context.Context, scenario string, steps []step) {
	t.Helper()
	for _, st := range steps {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := chromedp.Do(sctx, st.do)
		cancel()
		if err != nil {
			shot(t, ctx, strings.ReplaceAll(scenario, " ", "-"))
			dbg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " " + document.body.innerText.slice(0, 1500)`))
			t.Logf("page: %s", dbg)
			t.Fatalf("%s: %s: %v", scenario, st.what, err)
		}
	}
}

// css is a CSS selector written as for fmt.Sprintf.
func css(format string, args ...any) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(format, args...)) }
