package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/auth"
)

// notAnImage puts a text file named like a picture into the file input sel,
// as choosing it in the file dialog would.
func notAnImage(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(["shopping list: bread, milk"], "lampe.png", { type: "image/png" }));
		const input = document.querySelector(%q);
		input.files = dt.files;
		input.dispatchEvent(new Event("change", { bubbles: true }));
	})()`, sel))
}

// signInFrench signs email in and switches the interface to French.
func (s site) signInFrench(email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(s.url("/login")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-email]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-email]`), email),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=calendar-page]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=lang-switch] button[value=fr]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=fr] [data-testid=calendar-page]`)),
	)
}

// A refused action keeps its page and what was chosen in its form, and
// says why once, in the user's language: the Sandbox's failure switch, the
// crisis switch both ways and the media library's upload. The first three
// are refused because the member lost the right to act after the page was
// shown (an owner changed their role meanwhile).
func TestRefusedActionsKeepThePage(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	bg := context.Background()
	admin := s.env.Member(t, s.owner, s.ws.ID, "admin@example.test", auth.Admin)
	role := func(r auth.Role) {
		t.Helper()
		if err := s.env.App.Auth.SetRole(bg, s.owner, s.ws.ID, admin.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	const forbidden = "Vous n’avez pas accès à cette ressource."
	ws := fmt.Sprintf("/w/%d", s.ws.ID)
	tests := []struct {
		name string
		page string
		// fill chooses in the form; kept reads back what must survive.
		fill   chromedp.Action[chromedp.Void]
		kept   string
		want   string
		setup  func() // before the page is shown
		before func() // makes the action fail once the page is shown
		submit string
	}{
		{
			name: "sandbox failures", page: ws + "/channels",
			fill: chromedp.Steps(chromedp.SetValue(chromedp.CSS(`[data-testid=faults] select[name=mode]`), "error"),
				chromedp.SetValue(chromedp.CSS(`[data-testid=faults] input[name=for_seconds]`), "90")),
			kept:   `document.querySelector('[data-testid=faults] select[name=mode]').value + " " + document.querySelector('[data-testid=faults] input[name=for_seconds]').value`,
			want:   forbidden,
			before: func() { role(auth.Contributor) },
			submit: `[data-testid=faults] button[type=submit]`,
		},
		{
			name: "pause", page: ws + "/crisis",
			kept:   `document.querySelector('[data-testid=pause-form] [data-testid=pause]') ? "form" : "gone"`,
			want:   forbidden,
			before: func() { role(auth.Contributor) },
			submit: `[data-testid=pause]`,
		},
		{
			name: "resume", page: ws + "/crisis",
			kept: `document.querySelector('[data-testid=resume-form]') ? "form" : "gone"`,
			want: forbidden,
			setup: func() {
				if err := s.env.App.Posts.Pause(bg, s.owner, s.ws.ID); err != nil {
					t.Fatal(err)
				}
			},
			before: func() { role(auth.Contributor) },
			submit: `[data-testid=resume]`,
		},
		{
			name: "media library upload", page: ws + "/media",
			fill: chromedp.Steps(notAnImage(`[data-testid=upload-file]`),
				chromedp.SendKeys(chromedp.CSS(`[data-testid=upload-alt]`), "une lampe")),
			kept:   `document.querySelector('[data-testid=upload-alt]').value + " " + document.querySelector('[data-testid=upload-file]').files.length`,
			want:   "Fichier — Seules les images JPEG, PNG, GIF et WebP et les vidéos MP4, MOV et WebM sont acceptées",
			submit: `[data-testid=upload-submit]`,
		},
	}
	if err := chromedp.Do(ctx, s.signInFrench(admin.Email)); err != nil {
		shot(t, ctx, "refused-sign-in")
		t.Fatal(err)
	}
	for _, tc := range tests {
		// In turn, one browser: each case sets the member's role.
		t.Run(tc.name, func(t *testing.T) {
			role(auth.Admin)
			if tc.setup != nil {
				tc.setup()
			}
			steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(s.url(tc.page)), chromedp.WaitVisible(chromedp.CSS(tc.submit))}
			if tc.fill != nil {
				steps = append(steps, tc.fill)
			}
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatal(err)
			}
			keptBefore, err := chromedp.Run(ctx, chromedp.Evaluate[string](tc.kept))
			if err != nil {
				t.Fatal(err)
			}
			if tc.before != nil {
				tc.before()
			}
			// A page that left (the refusal shown as a page of its own)
			// never shows the message in #flash: fail in seconds.
			wait, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			err = chromedp.Do(wait, chromedp.Click(chromedp.CSS(tc.submit)), chromedp.WaitVisible(chromedp.CSS(`#flash [data-testid=error]`)))
			if err != nil {
				shot(t, ctx, "refused-"+strings.ReplaceAll(tc.name, " ", "-"))
				t.Fatalf("no message on the page: %v", err)
			}
			path, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
			if path != tc.page {
				t.Errorf("the browser left for %s, want to stay on %s", path, tc.page)
			}
			if kept, err := chromedp.Run(ctx, chromedp.Evaluate[string](tc.kept)); err != nil || kept != keptBefore {
				t.Errorf("the form reads %q after the refusal (%v), want %q as chosen", kept, err, keptBefore)
			}
			n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=error], [data-testid=flash]').length`))
			if err != nil || n != 1 {
				t.Errorf("%d messages shown, want one (%v)", n, err)
			}
			if text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#flash`))); !strings.Contains(text, tc.want) {
				t.Errorf("the message reads %q, want %q", text, tc.want)
			}
		})
	}
}

// An upload refused in the composer says why beside the file, once and in
// the user's language, and the post being written stays as it was.
func TestComposerUploadRefusedKeepsThePost(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	admin := s.env.Member(t, s.owner, s.ws.ID, "admin@example.test", auth.Admin)
	err := chromedp.Do(ctx, s.signInFrench(admin.Email),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/compose", s.ws.ID))),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=text]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=text]`), "Notre nouvelle lampe"),
		notAnImage(`[data-testid=compose-file]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=upload-alt-1]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=upload-alt-1]`), "Une lampe"),
		chromedp.Click(chromedp.CSS(`[data-testid=upload-go-1]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=upload-1] [role=alert]`)),
	)
	if err != nil {
		shot(t, ctx, "composer-upload-refused")
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=upload-1] [role=alert]`)))
	if err != nil {
		t.Fatal(err)
	}
	const want = "Échec de l’envoi — Certains champs ne sont pas valides. Fichier — Seules les images JPEG, PNG, GIF et WebP et les vidéos MP4, MOV et WebM sont acceptées"
	if !strings.HasPrefix(msg, want) {
		t.Errorf("the upload says %q, want %q…", msg, want)
	}
	if strings.Count(msg, "Certains champs") != 1 {
		t.Errorf("the message is repeated: %q", msg)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[role=alert]').length`))
	if err != nil || n != 1 {
		t.Errorf("%d alerts on the page, want the upload's one (%v)", n, err)
	}
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + " " + document.querySelector('[data-testid=text]').value + " " + document.querySelector('[data-testid=upload-alt-1]').value`))
	if want := fmt.Sprintf("/w/%d/compose Notre nouvelle lampe Une lampe", s.ws.ID); err != nil || kept != want {
		t.Errorf("after the refusal the composer reads %q (%v), want %q", kept, err, want)
	}
}
