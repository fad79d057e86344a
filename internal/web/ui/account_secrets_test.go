package ui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/notify"
	"github.com/tribune-social/tribune/internal/notify/smtptest"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// browser is the UI of a test instance as an https deployment builds it
// (Secure cookies), driven in-process with one session.
type browser struct {
	t       *testing.T
	env     *apptest.Env
	h       http.Handler
	session string
}

func newBrowser(t *testing.T, env *apptest.Env, email string) *browser {
	t.Helper()
	a := env.App
	h, err := ui.New(ui.Deps{Auth: a.Auth, Notifications: a.Notifier, Posts: a.Posts, Channels: a.Channels, Media: a.Media,
		Calendar: a.Calendar, Importer: a.Importer, Status: a.Status, Inbox: a.Inbox, Log: a.Log, Now: time.Now,
		PublicURL: "https://tribune.example.test", Secure: true})
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, env: env, h: h}
	if email != "" {
		if b.session, _, err = a.Auth.Login(context.Background(), email, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (b *browser) do(method, path string, form url.Values, cookies ...*http.Cookie) *http.Response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, "https://tribune.example.test"+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.session != "" {
		req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: b.session})
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	return rec.Result()
}

func readBody(r *http.Response) string {
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	return string(b)
}

func cookieNamed(r *http.Response, name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name && c.Value != "" {
			return c
		}
	}
	return nil
}

func onBothDatabases(t *testing.T, f func(t *testing.T, env *apptest.Env)) {
	t.Helper()
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			f(t, apptest.Start(t, apptest.Options{Postgres: pg}))
		})
	}
}

// Under an https public URL, the cookies that carry a secret link
// (invitation, review link, new iCal address) are Secure.
func TestSecretLinkCookiesAreSecureUnderHTTPS(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "main")
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "hello"}}}, posts.Submit)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env, owner.Email)
	for _, c := range []struct {
		cookie, path string
		form         url.Values
	}{
		{"tribune_invite_link", fmt.Sprintf("/w/%d/team/invite", ws.ID), url.Values{"email": {"new@example.test"}, "role": {"analyst"}}},
		{"tribune_review_link", fmt.Sprintf("/w/%d/posts/%d/review-link", ws.ID, v.Post.ID), url.Values{"reviewer": {"Client"}}},
		{"tribune_ical_link", fmt.Sprintf("/w/%d/calendar/ical", ws.ID), url.Values{}},
	} {
		t.Run(c.cookie, func(t *testing.T) {
			resp := b.do(http.MethodPost, c.path, c.form)
			readBody(resp)
			got := cookieNamed(resp, c.cookie)
			if got == nil {
				t.Fatalf("%s: %d, no %s cookie", c.path, resp.StatusCode, c.cookie)
			}
			if !got.Secure || !got.HttpOnly {
				t.Errorf("%s: Secure=%v HttpOnly=%v, want both", c.cookie, got.Secure, got.HttpOnly)
			}
		})
	}
}

// The account page lists tokens with their expiry, creates one that
// expires, revokes; changing the password keeps this session and ends the
// others.
func TestAccountPageTokensAndPassword(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, _ := env.Owner(t)
		b := newBrowser(t, env, owner.Email)
		other := newBrowser(t, env, owner.Email)

		page := readBody(b.do(http.MethodPost, "/settings/tokens", url.Values{"name": {"ci"}, "expires_days": {"7"}}))
		m := regexp.MustCompile(`tri_[A-Za-z0-9_-]+`).FindString(page)
		if m == "" || !strings.Contains(page, "ci") {
			t.Fatalf("no new token shown: %.2000s", page)
		}
		want := time.Now().UTC().AddDate(0, 0, 7).Format("2006-01-02")
		if !strings.Contains(page, want) {
			t.Errorf("the list does not show the expiry %s", want)
		}
		toks, err := env.App.Auth.ListAPITokens(ctx, owner)
		if err != nil || len(toks) != 1 || toks[0].ExpiresAt == nil {
			t.Fatalf("tokens: %+v %v", toks, err)
		}
		resp := b.do(http.MethodPost, fmt.Sprintf("/settings/tokens/%d/revoke", toks[0].ID), url.Values{})
		readBody(resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("revoke: %d", resp.StatusCode)
		}
		if _, err := env.App.Auth.APITokenUser(ctx, m); err == nil {
			t.Error("the revoked token still works")
		}

		resp = b.do(http.MethodPost, "/settings/password", url.Values{"current_password": {"not my password"}, "new_password": {"a new long password"}})
		if readBody(resp); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("wrong current password: %d, want 422", resp.StatusCode)
		}
		resp = b.do(http.MethodPost, "/settings/password", url.Values{"current_password": {"correct horse battery"}, "new_password": {"a new long password"}})
		if readBody(resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("change: %d", resp.StatusCode)
		}
		if _, err := env.App.Auth.SessionUser(ctx, b.session); err != nil {
			t.Errorf("the session that changed the password was ended: %v", err)
		}
		if _, err := env.App.Auth.SessionUser(ctx, other.session); err == nil {
			t.Error("another session of the user still works")
		}
	})
}

// "Forgot your password?" e-mails a link whose page sets a new password.
func TestForgotPasswordPages(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, _ := env.Owner(t)
		b := newBrowser(t, env, "")
		resp := b.do(http.MethodPost, "/forgot", url.Values{"email": {owner.Email}})
		if page := readBody(resp); resp.StatusCode != http.StatusConflict || !strings.Contains(page, "tribune user reset-password") {
			t.Errorf("without SMTP: %d, want 409 naming the command", resp.StatusCode)
		}
		mail := smtptest.Start(t)
		env.App.Auth.Mailer = notify.SMTP{Host: mail.Host, Port: mail.Port, From: "tribune@example.test"}
		resp = b.do(http.MethodPost, "/forgot", url.Values{"email": {owner.Email}})
		if readBody(resp); resp.StatusCode != http.StatusOK || len(mail.Messages()) != 1 {
			t.Fatalf("forgot: %d, %d messages", resp.StatusCode, len(mail.Messages()))
		}
		text, err := mail.Messages()[0].Body()
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`/reset/([A-Za-z0-9_-]+)`).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("no link: %q", text)
		}
		if resp := b.do(http.MethodGet, "/reset/"+m[1], nil); resp.StatusCode != http.StatusOK {
			t.Errorf("reset page: %d", resp.StatusCode)
		}
		resp = b.do(http.MethodPost, "/reset/"+m[1], url.Values{"password": {"a brand new password"}})
		if page := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, `data-testid="reset-done"`) {
			t.Errorf("reset: %d %.300s", resp.StatusCode, page)
		}
		if _, _, err := env.App.Auth.Login(ctx, owner.Email, "a brand new password"); err != nil {
			t.Errorf("new password: %v", err)
		}
		resp = b.do(http.MethodPost, "/reset/"+m[1], url.Values{"password": {"yet another password"}})
		if readBody(resp); resp.StatusCode != http.StatusNotFound {
			t.Errorf("second use: %d, want 404", resp.StatusCode)
		}
	})
}

// The calendar page shows a new iCal address once, after "make a new
// address", and the previous one stops working.
func TestCalendarPageRotatesICal(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		owner, ws := env.Owner(t)
		b := newBrowser(t, env, owner.Email)
		calendar := fmt.Sprintf("/w/%d/calendar", ws.ID)
		if page := readBody(b.do(http.MethodGet, calendar, nil)); strings.Contains(page, "/ical/") {
			t.Error("the calendar shows an iCal address before one was made")
		}
		var feeds []string
		for range 2 {
			resp := b.do(http.MethodPost, calendar+"/ical", url.Values{})
			readBody(resp)
			c := cookieNamed(resp, "tribune_ical_link")
			if c == nil {
				t.Fatalf("rotate: %d, no link", resp.StatusCode)
			}
			page := readBody(b.do(http.MethodGet, calendar, nil, c))
			feed := regexp.MustCompile(`/ical/[A-Za-z0-9_-]+\.ics`).FindString(page)
			if feed == "" {
				t.Fatalf("the page does not show the new address")
			}
			feeds = append(feeds, feed)
		}
		if r := b.do(http.MethodGet, feeds[0], nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("old address: %d, want 404", r.StatusCode)
		}
		if r := b.do(http.MethodGet, feeds[1], nil); r.StatusCode != http.StatusOK {
			t.Errorf("new address: %d, want 200", r.StatusCode)
		}
	})
}
