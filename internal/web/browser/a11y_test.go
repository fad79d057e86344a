package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// widths are the two screens every main page is checked at: a laptop and a
// phone (390 px is an iPhone 12 to 15 held upright).
// The dark colour scheme (prefers-color-scheme) is checked on both.
var widths = []struct {
	name          string
	width, height int64
	dark          bool
}{{"desktop", 1280, 800, false}, {"phone", 390, 844, false}, {"desktop-dark", 1280, 800, true}, {"phone-dark", 390, 844, true}}

// mainPage is a page the accessibility and phone checks visit.
type mainPage struct {
	name string
	path string
	// ready is a selector shown once the page is drawn.
	ready string
	// shot: a screenshot of it goes to docs/screenshots.
	shot bool
}

// axeScript reads axe.min.js (scripts/axe/install.sh), or skips.
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("TRIBUNE_TEST_AXE")
	if path == "" {
		t.Skip("axe-core checks skipped: run scripts/axe/install.sh (axe-core), then set TRIBUNE_TEST_AXE to the path it prints")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("TRIBUNE_TEST_AXE: %v", err)
	}
	return string(b)
}

// axeRun runs axe-core on the page and returns its serious and critical
// violations, one line each (rule, impact, the first nodes' selectors).
const axeRun = `(async () => {
  const r = await axe.run(document, { resultTypes: ["violations"] });
  return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + " (" + v.impact + "): " + v.help + " — " +
      v.nodes.slice(0, 4).map(n => n.target.join(" ") + " " + n.html.slice(0, 120) + (n.failureSummary ? " [" + n.failureSummary.replace(/\s+/g, " ").slice(0, 160) + "]" : "")).join("; "));
})()`

// Every main page, in English and French, at 1280 and 390 px: no serious or
// critical axe-core violation, nothing wider than the screen, and at 1280 px
// the navigation on one line. With TRIBUNE_SCREENSHOTS=1 it also writes the
// screenshots of docs/screenshots.
func TestMainPagesAccessibleAndFitAPhone(t *testing.T) {
	t.Parallel()
	// 15 pages, 2 languages, 4 screens: well over the usual 90 s on a busy
	// machine.
	ctx := browserFor(t, 6*time.Minute)
	axe := axeScript(t)
	s := newSite(t)
	// The demo's workspace name, not the factory's short one: the header
	// must hold it on one line at 1280 px in French too.
	name := "Maison Lumière"
	if _, _, err := s.env.App.Posts.UpdateWorkspace(context.Background(), s.owner, s.ws.ID, posts.WorkspaceSettings{Name: &name}); err != nil {
		t.Fatal(err)
	}
	in := posts.Input{Variants: []posts.VariantInput{
		{ChannelID: s.chs[0].ID, Text: "Nouvelle collection : découvrez-la ce week-end ! #lampes https://example.com/collection"},
		{ChannelID: s.chs[1].ID, Text: "New collection: come and see it this weekend! #lamps"},
	}, ScheduledLocal: time.Now().AddDate(0, 0, 2).Format("2006-01-02") + "T10:30"}
	v, err := s.env.App.Posts.Save(context.Background(), s.owner, s.ws.ID, 0, in, posts.DoSchedule)
	if err != nil {
		t.Fatal(err)
	}
	// A queue, so the channels page shows its slots (as chips).
	var slots []schedule.Slot
	for _, d := range []time.Weekday{time.Monday, time.Wednesday, time.Friday} {
		slots = append(slots, schedule.Slot{Weekday: d, Minute: 9 * 60}, schedule.Slot{Weekday: d, Minute: 17*60 + 30})
	}
	if err := s.env.App.Channels.SetQueue(context.Background(), s.owner, s.chs[0].ID, slots); err != nil {
		t.Fatal(err)
	}
	// A moderation rule that tags the unhappy comment, so that the
	// conversation shows an automatic action with its Undo, and a saved reply.
	if _, err := s.env.App.Inbox.SaveRule(context.Background(), s.owner, s.ws.ID, moderation.Rule{Name: "Livraison", Enabled: true, Order: 1,
		Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{"delivery"}}},
		Actions:    []moderation.Action{{Kind: moderation.ActTag, Tag: "livraison"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.env.App.Inbox.SaveReply(context.Background(), s.owner, s.ws.ID, 0, "Merci", "Merci {name} !"); err != nil {
		t.Fatal(err)
	}
	// An inbox with a conversation under the post, in both languages.
	var items []network.Item
	for i, text := range []string{"Superbe collection, merci !", "Delivery took three weeks, not happy.", "Les lampes sont-elles disponibles en noir ?"} {
		id := fmt.Sprintf("c%d", i)
		items = append(items, network.Item{ExternalID: id, Kind: network.KindComment, Ref: network.Ref{ID: id}, ConversationID: "launch",
			Author: network.Author{ExternalID: "fan" + id, Handle: "@fan" + id + "@example.social", DisplayName: "Fan " + id}, Text: text,
			CreatedAt: time.Now().Add(time.Duration(i-5) * time.Minute)})
	}
	if _, err := s.env.App.Inbox.Ingest(context.Background(), s.chs[0], items); err != nil {
		t.Fatal(err)
	}
	inboxPage, err := s.env.App.Inbox.List(context.Background(), s.owner, s.ws.ID, inbox.Filter{})
	if err != nil || len(inboxPage.Items) == 0 {
		t.Fatalf("inbox: %v", err)
	}
	w := fmt.Sprintf("/w/%d", s.ws.ID)
	people, err := s.env.App.Contacts.List(context.Background(), s.owner, s.ws.ID, contacts.Filter{})
	if err != nil || len(people.Contacts) == 0 {
		t.Fatalf("contacts: %v", err)
	}
	share, err := s.env.App.Calendar.RotateShare(context.Background(), s.owner, s.ws.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	hook, _, err := s.env.App.Webhooks.Create(context.Background(), s.owner, s.ws.ID, webhooks.Input{URL: "https://hooks.example.com/tribune/incoming-events",
		Events: []webhooks.EventType{webhooks.InboxItemCreated, webhooks.InboxRuleAction}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.env.Store.AddWebhookDelivery(context.Background(), store.AddWebhookDeliveryParams{EndpointID: hook.ID, EventID: "evt_0123456789abcdef0123456789abcdef",
		EventType: string(webhooks.InboxRuleAction), Attempt: 2, At: time.Now().UTC(), Outcome: string(webhooks.Retry), HTTPStatus: 503, DurationMs: 412,
		Error: "The endpoint answered with an error.", Response: `{"error":"upstream_unavailable","message":"The service is temporarily unavailable, please retry later"}`}); err != nil {
		t.Fatal(err)
	}
	lt, err := s.env.App.Listen.CreateTopic(context.Background(), s.owner, s.ws.ID, listen.TopicInput{Name: "Maison Lumière", Kind: listen.KindBrand})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.env.App.Listen.CreateQuery(context.Background(), s.owner, s.ws.ID, listen.QueryInput{TopicID: lt.ID, Query: `"maison lumiere" OR #lampegate`}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.env.App.Listen.CreateSource(context.Background(), s.owner, s.ws.ID, listen.SourceInput{Kind: "sandbox", Name: "Sandbox", Enabled: new(bool)}); err != nil {
		t.Fatal(err)
	}
	// One item answered, so the response-time report draws its charts.
	if err := s.env.App.Inbox.MarkResponded(context.Background(), s.owner, inboxPage.Items[0].ID); err != nil {
		t.Fatal(err)
	}
	signedIn := []mainPage{
		{"listen", w + "/listen", "[data-testid=listen-topics]", true},
		{"listen-query", fmt.Sprintf("%s/listen/queries/new?topic=%d", w, lt.ID), "[data-testid=query-editor]", false},
		{"listen-sources", w + "/listen/sources", "[data-testid=listen-sources]", false},
		{"inbox", w + "/inbox", "[data-testid=inbox]", true},
		{"inbox report", w + "/inbox/report", "[data-testid=inbox-chart-members]", false},
		{"conversation", fmt.Sprintf("%s/inbox/conversations/%d", w, inboxPage.Items[0].ConversationID), "[data-testid=conversation]", true},
		{"moderation", w + "/moderation?edit=1", "[data-testid=moderation]", false},
		{"response target", w + "/inbox/sla", "main", false},
		{"contacts", w + "/contacts", "[data-testid=contact-" + strconv.FormatInt(people.Contacts[0].ID, 10) + "]", false},
		{"contact", fmt.Sprintf("%s/contacts/%d", w, people.Contacts[0].ID), "[data-testid=contact]", false},
		{"calendar", w + "/calendar", ".fc-view", true},
		{"posts", w + "/posts", "main", false},
		{"compose", w + "/compose", "main", true},
		{"post", fmt.Sprintf("%s/posts/%d", w, v.Post.ID), "main", true},
		{"media", w + "/media", "main", false},
		{"channels", w + "/channels", "main", true},
		{"team", w + "/team", "main", false},
		{"settings", w + "/settings", "main", true},
		{"crisis", w + "/crisis", "main", false},
		{"import", w + "/import", "main", false},
		{"status", "/status", "main", true},
		{"notifications", "/notifications", "main", false},
		{"tokens", "/settings/tokens", "main", false},
		{"queue", w + "/queue", "main", false},
		{"webhooks", w + "/webhooks", "[data-testid=webhooks]", false},
		{"webhook", fmt.Sprintf("%s/webhooks/%d", w, hook.ID), "[data-testid=webhook-log]", false},
		{"shared", share[strings.Index(share, "/shared/"):], "[data-testid=shared-calendar]", false},
	}
	shots := ""
	if os.Getenv("TRIBUNE_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "..", "..", "docs", "screenshots")
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	check := func(t *testing.T, p mainPage, lang string) {
		for _, sz := range widths {
			err := chromedp.Do(ctx, chromedp.EmulateViewport(sz.width, sz.height), colorScheme(sz.dark),
				chromedp.Navigate(s.url(p.path)),
				chromedp.WaitVisible(chromedp.CSS(p.ready)),
				chromedp.WaitReady(chromedp.CSS(`html[lang=`+lang+`]`)))
			if err != nil {
				t.Fatalf("%s %s at %d px: %v", lang, p.name, sz.width, err)
			}
			if p.name == "calendar" {
				// The first month is drawn after its events arrive.
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('.fc-event') !== null || document.querySelector('.fc-list-empty, .fc-daygrid-body') !== null`)); err != nil {
					t.Fatal(err)
				}
			}
			found, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined"`))
			if err != nil {
				t.Fatal(err)
			}
			if !found {
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+"\n;true")); err != nil {
					t.Fatalf("injecting axe-core: %v", err)
				}
			}
			violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("axe.run on %s: %v", p.path, err)
			}
			for _, v := range violations {
				t.Errorf("%s %s (%s): %s", lang, p.name, sz.name, v)
			}
			fit, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
			if err != nil {
				t.Fatal(err)
			}
			if fit[0] > fit[1] {
				wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") + " " + Math.round(e.getBoundingClientRect().right) + "px")`))
				t.Errorf("%s %s at %d px scrolls sideways: %d px of content in %d (widest: %s)", lang, p.name, sz.width, fit[0], fit[1], strings.Join(wide, ", "))
			}
			// A webhook event's name is a word to copy: it may go to a line
			// of its own but is never cut (inbox.ite / m.created).
			cut, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('code.event-name')].filter(c => c.getClientRects().length > 1).map(c => c.textContent)`))
			if err != nil {
				t.Fatal(err)
			}
			if len(cut) > 0 {
				t.Errorf("%s %s at %d px cuts event names across lines: %v", lang, p.name, sz.width, cut)
			}
			if sz.width >= 1280 && p.name != "login" {
				// The brand, the navigation's links, the account links and the
				// language switch all sit on one line (their middles align).
				lines, err := chromedp.Run(ctx, chromedp.Evaluate[int](`new Set([...document.querySelectorAll('header.top .brand, header.top nav a, header.top .nav-account > *, header.top .lang-switch')].map(a => { const r = a.getBoundingClientRect(); return Math.round((r.top + r.height / 2) / 8); })).size`))
				if err != nil {
					t.Fatal(err)
				}
				if lines > 1 {
					t.Errorf("%s %s at %d px: the header takes %d lines, want one", lang, p.name, sz.width, lines)
				}
			}
			if shots != "" && p.shot && !sz.dark {
				writeShot(t, ctx, filepath.Join(shots, fmt.Sprintf("%s-%s-%s.png", p.name, lang, sz.name)))
			}
			if p.name == "calendar" && !sz.dark {
				// The other views too: the week and the list on a laptop (the
				// month was checked above), the month and the day list on a
				// phone (it opens on the list).
				others := []string{"timeGridWeek", "listMonth"}
				if sz.width < 640 {
					others = []string{"dayGridMonth", "listDay"}
				}
				for _, view := range others {
					if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.fc-`+view+`-button`)), chromedp.WaitVisible(chromedp.CSS(`.fc-`+view+`-view`))); err != nil {
						t.Fatalf("%s calendar: %s view: %v", lang, view, err)
					}
					violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
					if err != nil {
						t.Fatal(err)
					}
					for _, v := range violations {
						t.Errorf("%s calendar, %s view (%s): %s", lang, view, sz.name, v)
					}
				}
				// Pressing a view button is a choice the calendar keeps: forget
				// it, so the next visit opens on the width's own view.
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`localStorage.removeItem("tribune.calendar.view"), true`)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, lang := range []string{"en", "fr"} {
		// Signed out: the sign-in page, in the language chosen on it.
		err := chromedp.Do(ctx, chromedp.Navigate(s.url("/login")), switchLang(lang),
			chromedp.WaitVisible(chromedp.CSS(`html[lang=`+lang+`] [data-testid=login-email]`)))
		if err != nil {
			t.Fatal(err)
		}
		check(t, mainPage{"login", "/login", "[data-testid=login-email]", true}, lang)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), s.signIn(), switchLang(lang),
			chromedp.WaitVisible(chromedp.CSS(`html[lang=`+lang+`] [data-testid=calendar-page]`))); err != nil {
			t.Fatal(err)
		}
		for _, p := range signedIn {
			check(t, p, lang)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Click(chromedp.CSS(`[data-testid=logout]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-email]`))); err != nil {
			t.Fatal(err)
		}
	}
}

// colorScheme makes the page see prefers-color-scheme: dark, or light.
func colorScheme(dark bool) chromedp.Action[chromedp.Void] {
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}

// switchLang presses the language switch and waits for the page it leads to.
func switchLang(lang string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.Evaluate[bool](`window.beforeLangSwitch = true`)(ctx, t); err != nil {
			return err
		}
		if _, err := chromedp.Click(chromedp.CSS(`[data-testid=lang-switch] button[value=`+lang+`]`))(ctx, t); err != nil {
			return err
		}
		// The old page goes away under the check: errors until then are expected.
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			done, err := chromedp.Evaluate[bool](`typeof window.beforeLangSwitch === "undefined" && document.readyState === "complete"`)(ctx, t)
			if err == nil && done {
				return nil
			}
			time.Sleep(50 * time.Millisecond)
		}
		return fmt.Errorf("no new page after choosing %s", lang)
	})
}

// At 390 px the navigation folds into a menu that opens on a tap, and its
// links are then on screen.
func TestPhoneNavigationIsAMenu(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	steps := []step{
		{"sign in", s.signIn()},
		{"open the calendar at 390 px", chromedp.Steps(chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/calendar", s.ws.ID))))},
		{"a menu button shows", chromedp.WaitVisible(chromedp.CSS(`[data-testid=nav-menu] summary`))},
		// checkVisibility, not WaitNotVisible: a closed details element's
		// content keeps a size but is not rendered.
		{"the links are folded", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			shown, err := chromedp.Evaluate[bool](`document.querySelector('[data-testid=nav-channels]').checkVisibility()`)(ctx, t)
			if err == nil && shown {
				err = fmt.Errorf("the Channels link shows before the menu is opened")
			}
			return err
		})},
		{"tap the menu", chromedp.Click(chromedp.CSS(`[data-testid=nav-menu] summary`))},
		{"the links show", chromedp.WaitVisible(chromedp.CSS(`[data-testid=nav-channels]`))},
		{"screenshot of the open menu", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if os.Getenv("TRIBUNE_SCREENSHOTS") == "1" {
				writeShot(t, ctx, filepath.Join("..", "..", "..", "docs", "screenshots", "menu-en-phone.png"))
			}
			return nil
		})},
		{"tap Channels", chromedp.Click(chromedp.CSS(`[data-testid=nav-channels]`))},
		{"the channels page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=faults]`))},
	}
	runSteps(t, ctx, "phone menu", steps)
	// At 1280 px the links show without opening anything.
	err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/calendar", s.ws.ID))),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=nav-channels]`)))
	if err == nil {
		var shown bool
		shown, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid=nav-menu] summary').checkVisibility()`))
		if err == nil && shown {
			err = fmt.Errorf("the menu button shows")
		}
	}
	if err != nil {
		t.Fatalf("at 1280 px the navigation is not shown in full: %v", err)
	}
}

// writeShot saves what the screen shows, as PNG.
func writeShot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The first Tab reaches a "Skip to content" link that shows and moves focus
// to the page's content; the calendar's arrows are text (the CSP blocks
// FullCalendar's icon font) named for screen readers.
func TestSkipLinkAndCalendarArrows(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/calendar", s.ws.ID))),
		chromedp.WaitVisible(chromedp.CSS(`.fc-prev-button`)),
		chromedp.KeyEvent("\t"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => { const a = document.activeElement; const r = a.getBoundingClientRect(); return [a.dataset.testid || a.tagName, String(r.top >= 0 && r.bottom <= innerHeight && r.width > 0)]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "skip-link" || got[1] != "true" {
		t.Fatalf("the first Tab focuses %s (on screen: %s), want the skip link, shown", got[0], got[1])
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	focused, err := chromedp.Run(ctx, chromedp.Poll[string](`document.activeElement && document.activeElement.id === "main" ? "main" : null`, chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil || focused != "main" {
		t.Errorf("after the skip link, focus is not on the content: %v", err)
	}
	arrows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.fc-prev-button, .fc-next-button')].map(b => b.textContent.trim() + "|" + (b.getAttribute("aria-label") || b.title || "") + "|" + b.querySelectorAll('.fc-icon').length)`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"‹|Previous Month|0", "›|Next Month|0"}
	if strings.Join(arrows, ",") != strings.Join(want, ",") {
		t.Errorf("calendar arrows %q, want %q", arrows, want)
	}
}
