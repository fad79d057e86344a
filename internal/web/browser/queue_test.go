package browser

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/schedule"
)

// dialogs answers the page's confirm() questions as a person would: each
// question is kept, then accepted or dismissed as the test said.
type dialogs struct {
	mu     sync.Mutex
	accept bool
	asked  []string
}

// answerDialogs starts answering the tab's dialogs.
func answerDialogs(ctx context.Context) *dialogs {
	d := &dialogs{}
	opening := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			d.mu.Lock()
			d.asked = append(d.asked, ev.Message)
			accept := d.accept
			d.mu.Unlock()
			// Answered from another goroutine than the one reading events
			// (the click that opened the dialog waits for it).
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
			}()
		}
	}()
	return d
}

// answer sets the answer to the next questions.
func (d *dialogs) answer(accept bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.accept = accept
}

// questions returns the questions asked since the last call.
func (d *dialogs) questions() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.asked
	d.asked = nil
	return q
}

// The queue page, used as a person would, in English at 1280 px and in
// French at 390 px: a post moves up a channel's queue with its arrow; a
// post on two channels says so, and its arrow asks first (dismissed,
// nothing moves; accepted, it moves, on both channels); emptying the queue
// asks first, then takes its posts back to draft.
func TestQueuePageReorderAndEmpty(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	d := answerDialogs(ctx)
	for _, c := range []struct {
		lang          string
		width, height int64
		twoChannels   string // the note on the post on two channels
		moveQuestion  string // the start of the question its arrows ask
		emptyQuestion string
		emptied       string // the flash after emptying
		empty         string // what an empty queue says
	}{
		{"en", 1280, 800, "On 2 channels: moving it moves it on all of them.", "This post is on 2 channels",
			"Take every post of this queue back to draft?", "Posts taken back to draft: 3.", "The queue is empty."},
		{"fr", 390, 844, "Sur 2 canaux : la déplacer la déplace sur tous.", "Cette publication est sur 2 canaux",
			"Remettre en brouillon toutes les publications de cette file ?", "Publications remises en brouillon : 3.", "La file est vide."},
	} {
		t.Run(c.lang, func(t *testing.T) {
			s := newSite(t)
			bg := context.Background()
			var slots []schedule.Slot
			for day := time.Sunday; day <= time.Saturday; day++ {
				slots = append(slots, schedule.Slot{Weekday: day, Minute: 9 * 60}, schedule.Slot{Weekday: day, Minute: 17 * 60})
			}
			for _, ch := range s.chs {
				if err := s.env.App.Channels.SetQueue(bg, s.owner, ch.ID, slots); err != nil {
					t.Fatal(err)
				}
			}
			// Three posts at the queue's slots two and three days ahead (so
			// none publishes during the test); the last on both channels.
			day := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
			next := time.Now().AddDate(0, 0, 3).Format("2006-01-02")
			var ids []string
			var postIDs []int64
			for _, p := range []struct {
				text, at string
				both     bool
			}{{"first", day + "T09:00", false}, {"second", day + "T17:00", false}, {"on both", next + "T09:00", true}} {
				vs := []posts.VariantInput{{ChannelID: s.chs[0].ID, Text: p.text}}
				if p.both {
					vs = append(vs, posts.VariantInput{ChannelID: s.chs[1].ID, Text: p.text})
				}
				v, err := s.env.App.Posts.Save(bg, s.owner, s.ws.ID, 0, posts.Input{Variants: vs, ScheduledLocal: p.at}, posts.DoSchedule)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, fmt.Sprint(v.Post.ID))
				postIDs = append(postIDs, v.Post.ID)
			}
			first, second, both := ids[0], ids[1], ids[2]
			alpha := fmt.Sprintf(`[data-testid=queue-%d]`, s.chs[0].ID)
			beta := fmt.Sprintf(`[data-testid=queue-%d]`, s.chs[1].ID)
			queue := s.url(fmt.Sprintf("/w/%d/queue", s.ws.ID))
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), s.signIn(), switchLang(c.lang),
				chromedp.EmulateViewport(c.width, c.height), chromedp.Navigate(queue),
				chromedp.WaitVisible(chromedp.CSS(`html[lang=`+c.lang+`] `+alpha))); err != nil {
				t.Fatal(err)
			}
			// order reads a queue's posts, first to last, once it holds want
			// (the page reloads after a move), or what it holds at the deadline.
			order := func(sel string, want ...string) []string {
				t.Helper()
				js := `[...document.querySelectorAll('` + sel + ` li[data-testid^=queue-post-]')].map(li => li.dataset.testid.slice(11))`
				var got []string
				for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					var err error
					if got, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](js)); err == nil && strings.Join(got, ",") == strings.Join(want, ",") {
						return got
					}
				}
				return got
			}
			// press clicks a button and waits for the page it leads to (or,
			// when the question is dismissed, for the answer).
			press := func(what, testid string, accept bool) {
				t.Helper()
				d.answer(accept)
				sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				if _, err := chromedp.Run(sctx, chromedp.Evaluate[bool](`window.beforePress = true`)); err != nil {
					t.Fatal(err)
				}
				if err := chromedp.Do(sctx, chromedp.Click(chromedp.CSS(`[data-testid=`+testid+`]`))); err != nil {
					shot(t, ctx, "queue-"+c.lang)
					t.Fatalf("%s: %v", what, err)
				}
				if !accept {
					return
				}
				// The old page goes away under the check: errors until then are expected.
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					if done, err := chromedp.Run(sctx, chromedp.Evaluate[bool](`typeof window.beforePress === "undefined" && document.readyState === "complete"`)); err == nil && done {
						return
					}
				}
				t.Fatalf("%s: no new page", what)
			}

			if got := order(alpha, first, second, both); strings.Join(got, ",") != strings.Join([]string{first, second, both}, ",") {
				t.Fatalf("the queue lists %v, want %v", got, []string{first, second, both})
			}
			note, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(alpha+` [data-testid=queue-channels-`+both+`]`)))
			if err != nil || strings.TrimSpace(note) != c.twoChannels {
				t.Errorf("the post on two channels is marked %q (%v), want %q", note, err, c.twoChannels)
			}

			press("moving the second post up", "queue-up-"+second, true)
			if got := order(alpha, second, first, both); strings.Join(got, ",") != strings.Join([]string{second, first, both}, ",") {
				t.Errorf("after moving the second post up the queue lists %v, want %v", got, []string{second, first, both})
			}
			if q := d.questions(); len(q) != 0 {
				t.Errorf("moving a post on one channel asked %q, want no question", q)
			}

			press("moving the post on both channels up, then dismissing", "queue-up-"+both, false)
			if q := d.questions(); len(q) != 1 || !strings.HasPrefix(q[0], c.moveQuestion) {
				t.Errorf("moving the post on both channels asked %q, want one question starting %q", q, c.moveQuestion)
			}
			stayed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.beforePress === true`))
			if err != nil || !stayed {
				t.Errorf("the dismissed move left the page (%v)", err)
			}
			if got := order(alpha, second, first, both); strings.Join(got, ",") != strings.Join([]string{second, first, both}, ",") {
				t.Errorf("after a dismissed move the queue lists %v, want it unchanged", got)
			}

			press("moving the post on both channels up, then accepting", "queue-up-"+both, true)
			d.questions()
			if got := order(alpha, second, both, first); strings.Join(got, ",") != strings.Join([]string{second, both, first}, ",") {
				t.Errorf("after the accepted move the queue lists %v, want %v", got, []string{second, both, first})
			}
			// The other channel's queue shows it at its new time too.
			times, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`['`+alpha+`', '`+beta+`'].map(q => document.querySelector(q + ' [data-testid=queue-post-`+both+`] span').textContent)`))
			if err != nil || len(times) != 2 || times[0] != times[1] || times[0] != day+" 17:00" {
				t.Errorf("the post on both channels is at %q (%v), want %s 17:00 in both queues", times, err, day)
			}

			press("emptying the queue, then dismissing", fmt.Sprintf("queue-empty-%d", s.chs[0].ID), false)
			if q := d.questions(); len(q) != 1 || q[0] != c.emptyQuestion {
				t.Errorf("emptying asked %q, want %q", q, c.emptyQuestion)
			}
			if got := order(alpha, second, both, first); len(got) != 3 {
				t.Errorf("after a dismissed emptying the queue lists %v, want its three posts", got)
			}
			press("emptying the queue, then accepting", fmt.Sprintf("queue-empty-%d", s.chs[0].ID), true)
			d.questions()
			if got := order(alpha); len(got) != 0 {
				t.Errorf("after emptying the queue lists %v, want nothing", got)
			}
			texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.querySelector('[data-testid=flash]')?.textContent.trim() ?? '', document.querySelector('`+alpha+`').textContent, document.querySelector('`+beta+`').textContent]`))
			if err != nil {
				t.Fatal(err)
			}
			if texts[0] != c.emptied || !strings.Contains(texts[1], c.empty) {
				t.Errorf("after emptying: flash %q and queue %q, want %q and %q", texts[0], texts[1], c.emptied, c.empty)
			}
			// The post on both channels went back to draft: it left the other queue too.
			if !strings.Contains(texts[2], c.empty) {
				t.Errorf("the other channel's queue after emptying: %q, want %q", texts[2], c.empty)
			}
			for _, id := range postIDs {
				if p, err := s.env.Store.GetPost(bg, id); err != nil || posts.Status(p.Status) != posts.Draft {
					t.Errorf("post %d after emptying: %s %v, want a draft", id, p.Status, err)
				}
			}
		})
	}
}
