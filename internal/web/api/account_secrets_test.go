package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/notify"
	"github.com/tribune-social/tribune/internal/notify/smtptest"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
)

// onBothDatabases runs f on SQLite and on PostgreSQL (skipped without it).
func onBothDatabases(t *testing.T, f func(t *testing.T, env *apptest.Env)) {
	t.Helper()
	for _, pg := range []bool{false, true} {
		name := map[bool]string{false: "sqlite", true: "postgres"}[pg]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, apptest.Start(t, apptest.Options{Postgres: pg}))
		})
	}
}

// clock is a settable time for the services of a test instance.
type clock struct{ now atomic.Pointer[time.Time] }

func (c *clock) Now() time.Time  { return *c.now.Load() }
func (c *clock) Set(t time.Time) { c.now.Store(&t) }

func call(t *testing.T, env *apptest.Env, token, method, path, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	resp := env.Do(t, token, method, path, rd)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// API tokens: listed without their secret, last use recorded at most once
// a minute, refused once expired with a message saying so, and revoked.
func TestAPITokensListExpireAndRevoke(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, _ := env.Owner(t)
		var c clock
		t0 := time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)
		c.Set(t0)
		env.App.Auth.Now = c.Now

		exp := t0.Add(time.Hour)
		status, body := call(t, env, "", http.MethodPost, "/api/v1/tokens",
			fmt.Sprintf(`{"email":"owner@example.test","password":"correct horse battery","name":"ci","expires_at":%q}`, exp.Format(time.RFC3339)))
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, body)
		}
		var created struct {
			Token string `json:"token"`
			ID    int64  `json:"id"`
		}
		_ = json.Unmarshal([]byte(body), &created)
		keep, _, err := env.App.Auth.CreateAPIToken(ctx, owner, "keep", nil)
		if err != nil {
			t.Fatal(err)
		}

		// The list shows names and dates, never a secret.
		status, body = call(t, env, created.Token, http.MethodGet, "/api/v1/tokens", "")
		var list []struct {
			ID         int64      `json:"id"`
			Name       string     `json:"name"`
			LastUsedAt *time.Time `json:"last_used_at"`
			ExpiresAt  *time.Time `json:"expires_at"`
		}
		if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil || len(list) != 2 {
			t.Fatalf("list: %d %s", status, body)
		}
		if strings.Contains(body, created.Token) || strings.Contains(body, secret.HashToken(created.Token)) {
			t.Errorf("the list shows a token or its hash: %s", body)
		}
		byName := map[string]int{}
		for i, tk := range list {
			byName[tk.Name] = i
		}
		ci := list[byName["ci"]]
		if ci.ExpiresAt == nil || !ci.ExpiresAt.Equal(exp) || list[byName["keep"]].ExpiresAt != nil {
			t.Errorf("expiry: got %v and %v, want %v and none", ci.ExpiresAt, list[byName["keep"]].ExpiresAt, exp)
		}
		if ci.LastUsedAt == nil || !ci.LastUsedAt.Equal(t0) {
			t.Errorf("last used = %v, want %v", ci.LastUsedAt, t0)
		}

		lastUsed := func() time.Time {
			t.Helper()
			toks, err := env.App.Auth.ListAPITokens(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range toks {
				if tk.ID == created.ID && tk.LastUsedAt != nil {
					return *tk.LastUsedAt
				}
			}
			return time.Time{}
		}
		// Within a minute, no new write; after it, one.
		c.Set(t0.Add(30 * time.Second))
		call(t, env, created.Token, http.MethodGet, "/api/v1/me", "")
		if got := lastUsed(); !got.Equal(t0) {
			t.Errorf("last used after 30 s = %v, want still %v (at most one write a minute)", got, t0)
		}
		c.Set(t0.Add(2 * time.Minute))
		call(t, env, created.Token, http.MethodGet, "/api/v1/me", "")
		if got := lastUsed(); !got.Equal(t0.Add(2 * time.Minute)) {
			t.Errorf("last used after 2 min = %v, want %v", got, t0.Add(2*time.Minute))
		}

		// Expired: 401 with a message that says so.
		c.Set(exp)
		status, body = call(t, env, created.Token, http.MethodGet, "/api/v1/me", "")
		if status != http.StatusUnauthorized || !strings.Contains(body, "token_expired") || !strings.Contains(body, "expired") {
			t.Errorf("expired token: %d %s, want 401 token_expired", status, body)
		}
		// An expiry in the past is refused at creation.
		if _, _, err := env.App.Auth.CreateAPIToken(ctx, owner, "old", &t0); err == nil {
			t.Error("a token expiring in the past was created")
		}

		// Revoke: 204, then the token no longer works; another user's id is 404.
		status, body = call(t, env, keep, http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", created.ID), "")
		if status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", status, body)
		}
		c.Set(t0)
		if status, _ := call(t, env, created.Token, http.MethodGet, "/api/v1/me", ""); status != http.StatusUnauthorized {
			t.Errorf("revoked token: %d, want 401", status)
		}
		if status, _ := call(t, env, keep, http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", created.ID), ""); status != http.StatusNotFound {
			t.Errorf("revoking twice: %d, want 404", status)
		}
	})
}

// An expiry more than ten years ahead is refused by the service, so the API
// answers the web form's 422, in English and French, at the bound and not
// before it.
func TestAPITokenExpiryUpperBound(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.Owner(t)
	var c clock
	t0 := time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)
	c.Set(t0)
	env.App.Auth.Now = c.Now
	create := func(exp time.Time) (int, string) {
		return call(t, env, "", http.MethodPost, "/api/v1/tokens",
			fmt.Sprintf(`{"email":"owner@example.test","password":"correct horse battery","name":"ci","expires_at":%q}`, exp.Format(time.RFC3339)))
	}
	status, body := create(t0.AddDate(0, 0, auth.MaxTokenDays+1))
	var e struct {
		Details []struct {
			Location string `json:"location"`
			Code     string `json:"code"`
			Message  string `json:"message"`
			FR       string `json:"message_fr"`
		} `json:"details"`
	}
	_ = json.Unmarshal([]byte(body), &e)
	if status != http.StatusUnprocessableEntity || len(e.Details) != 1 || e.Details[0].Location != "expires_at" || e.Details[0].Code != "bad_expiry" ||
		e.Details[0].Message != "Choose an expiry between 1 and 3,650 days." || e.Details[0].FR != "Choisissez une expiration entre 1 et 3 650 jours." {
		t.Errorf("expiry past the bound: %d %s, want a 422 on expires_at in English and French", status, body)
	}
	if status, body := create(t0.AddDate(0, 0, auth.MaxTokenDays)); status != http.StatusCreated {
		t.Errorf("expiry at the bound: %d %s, want 201", status, body)
	}
}

// Changing the password needs the current one and ends every session.
func TestChangePasswordThroughTheAPI(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, _ := env.Owner(t)
		tok := env.Token(t, owner)
		sess, _, err := env.App.Auth.Login(ctx, owner.Email, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		status, body := call(t, env, tok, http.MethodPut, "/api/v1/me/password", `{"current_password":"wrong password!","new_password":"a new long password"}`)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "wrong_password") {
			t.Errorf("wrong current password: %d %s", status, body)
		}
		status, body = call(t, env, tok, http.MethodPut, "/api/v1/me/password", `{"current_password":"correct horse battery","new_password":"short"}`)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "weak_password") {
			t.Errorf("weak new password: %d %s", status, body)
		}
		if _, err := env.App.Auth.SessionUser(ctx, sess); err != nil {
			t.Fatalf("a refused change ended the session: %v", err)
		}
		status, body = call(t, env, tok, http.MethodPut, "/api/v1/me/password", `{"current_password":"correct horse battery","new_password":"a new long password"}`)
		if status != http.StatusNoContent {
			t.Fatalf("change: %d %s", status, body)
		}
		if _, err := env.App.Auth.SessionUser(ctx, sess); err == nil {
			t.Error("the session opened before the change still works")
		}
		if _, _, err := env.App.Auth.Login(ctx, owner.Email, "correct horse battery"); err == nil {
			t.Error("the old password still signs in")
		}
		if _, _, err := env.App.Auth.Login(ctx, owner.Email, "a new long password"); err != nil {
			t.Errorf("the new password does not sign in: %v", err)
		}
	})
}

var resetLink = regexp.MustCompile(`https?://\S+/reset/([A-Za-z0-9_-]+)`)

// With SMTP, a reset link goes by e-mail; it is stored hashed, works once,
// and ends every session. Without SMTP the API says to ask the operator.
func TestPasswordResetByEmail(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, _ := env.Owner(t)

		status, body := call(t, env, "", http.MethodPost, "/api/v1/password-resets", `{"email":"owner@example.test"}`)
		if status != http.StatusConflict || !strings.Contains(body, "reset_by_email_off") {
			t.Errorf("without SMTP: %d %s, want 409 reset_by_email_off", status, body)
		}

		mail := smtptest.Start(t)
		env.App.Auth.Mailer = notify.SMTP{Host: mail.Host, Port: mail.Port, From: "tribune@example.test"}
		sess, _, err := env.App.Auth.Login(ctx, owner.Email, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		for _, email := range []string{"nobody@example.test", "owner@example.test"} {
			if status, body := call(t, env, "", http.MethodPost, "/api/v1/password-resets", fmt.Sprintf(`{"email":%q}`, email)); status != http.StatusAccepted {
				t.Fatalf("request for %s: %d %s", email, status, body)
			}
		}
		msgs := mail.Messages()
		if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != owner.Email {
			t.Fatalf("messages: %+v, want one to %s (none for an unknown address)", msgs, owner.Email)
		}
		text, err := msgs[0].Body()
		if err != nil {
			t.Fatal(err)
		}
		m := resetLink.FindStringSubmatch(text)
		if m == nil || !strings.HasPrefix(m[0], env.Server.URL+"/reset/") {
			t.Fatalf("no reset link in the e-mail: %q", text)
		}
		token := m[1]

		status, body = call(t, env, "", http.MethodPost, "/api/v1/password-resets/"+token, `{"password":"short"}`)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("weak password: %d %s", status, body)
		}
		status, body = call(t, env, "", http.MethodPost, "/api/v1/password-resets/"+token, `{"password":"a brand new password"}`)
		if status != http.StatusNoContent {
			t.Fatalf("reset: %d %s", status, body)
		}
		if _, _, err := env.App.Auth.Login(ctx, owner.Email, "a brand new password"); err != nil {
			t.Errorf("the new password does not sign in: %v", err)
		}
		if _, err := env.App.Auth.SessionUser(ctx, sess); err == nil {
			t.Error("a session opened before the reset still works")
		}
		status, _ = call(t, env, "", http.MethodPost, "/api/v1/password-resets/"+token, `{"password":"another new password"}`)
		if status != http.StatusNotFound {
			t.Errorf("second use of the link: %d, want 404", status)
		}
	})
}

// A reset token is stored as its hash and stops working after an hour.
func TestPasswordResetTokenIsHashedAndExpires(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, _ := env.Owner(t)
		var c clock
		t0 := time.Now().UTC()
		c.Set(t0)
		env.App.Auth.Now = c.Now

		tok, _, err := env.App.Auth.NewPasswordReset(ctx, owner.Email)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Store.UsePasswordReset(ctx, store.UsePasswordResetParams{Now: &t0, TokenHash: tok}); err == nil {
			t.Error("the reset token is stored as is")
		}
		if id, err := env.Store.UsePasswordReset(ctx, store.UsePasswordResetParams{Now: &t0, TokenHash: secret.HashToken(tok)}); err != nil || id != owner.ID {
			t.Errorf("looked up by its hash: %d, %v; want user %d", id, err, owner.ID)
		}

		tok, _, err = env.App.Auth.NewPasswordReset(ctx, owner.Email)
		if err != nil {
			t.Fatal(err)
		}
		c.Set(t0.Add(auth.ResetLifetime))
		if err := env.App.Auth.ResetPassword(ctx, tok, "a brand new password"); err == nil {
			t.Error("an expired reset link still works")
		}
	})
}

// The iCal secret is stored hashed, shown once, and rotating it stops the
// old URL.
func TestICalSecretIsHashedAndRotates(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		tok := env.Token(t, owner)
		rotate := func() string {
			t.Helper()
			status, body := call(t, env, tok, http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/ical-secret", ws.ID), "")
			var out struct {
				URL string `json:"ical_url"`
			}
			if err := json.Unmarshal([]byte(body), &out); status != 200 || err != nil || !strings.HasPrefix(out.URL, env.Server.URL+"/ical/") {
				t.Fatalf("rotate: %d %s", status, body)
			}
			return out.URL
		}
		get := func(url string) int {
			t.Helper()
			resp, err := http.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		first := rotate()
		if got := get(first); got != 200 {
			t.Errorf("feed: %d", got)
		}
		secretPart := strings.TrimSuffix(first[strings.LastIndex(first, "/")+1:], ".ics")
		w, err := env.Store.GetWorkspace(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if w.IcalTokenHash == secretPart || w.IcalTokenHash != secret.HashToken(secretPart) {
			t.Errorf("stored %q for the secret %q: want its SHA-256", w.IcalTokenHash, secretPart)
		}
		if status, body := call(t, env, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d", ws.ID), ""); strings.Contains(body, secretPart) {
			t.Errorf("the workspace shows the secret again: %d %s", status, body)
		}
		second := rotate()
		if got := get(first); got != http.StatusNotFound {
			t.Errorf("old feed after rotation: %d, want 404", got)
		}
		if got := get(second); got != 200 {
			t.Errorf("new feed: %d", got)
		}
		// Rotating breaks every subscriber: only those who manage the workspace may.
		analyst := env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst)
		if status, _ := call(t, env, env.Token(t, analyst), http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/ical-secret", ws.ID), ""); status != http.StatusForbidden {
			t.Errorf("analyst rotating: %d, want 403", status)
		}
	})
}

// A validation error never echoes a password or a token, where huma would
// put the offending value in the answer; other fields keep their value.
func TestValidationErrorsDoNotEchoSecrets(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, _ := env.Owner(t)
	tok := env.Token(t, owner)
	const s = "hunter2-very-secret"
	for _, c := range []struct{ name, token, method, path, body string }{
		{"password of the wrong type", "", "POST", "/api/v1/tokens", `{"email":"owner@example.test","password":["` + s + `"]}`},
		{"new password of the wrong type", tok, "PUT", "/api/v1/me/password", `{"current_password":{"x":"` + s + `"},"new_password":"x"}`},
		{"unreadable body holding a password", "", "POST", "/api/v1/tokens", `{"email":"owner@example.test","password":"` + s + `"`},
		{"app password of the wrong type", tok, "POST", "/api/v1/workspaces/1/channels/bluesky", `{"handle":"x.test","app_password":["` + s + `"]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := call(t, env, c.token, c.method, c.path, c.body)
			if status < 400 || status >= 500 {
				t.Fatalf("%d %s, want a client error", status, body)
			}
			if strings.Contains(body, s) {
				t.Errorf("the answer echoes the secret: %s", body)
			}
		})
	}
	// A field that is not secret is still echoed, to help clients.
	status, body := call(t, env, tok, "PATCH", "/api/v1/workspaces/1", `{"name":["visible-value"]}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "visible-value") {
		t.Errorf("non-secret field: %d %s, want its value echoed", status, body)
	}
}

// Asking for reset e-mails again and again for one address is throttled like
// password guesses, whether the address has an account or not (the answer
// tells nothing), so Tribune cannot be used to flood a mailbox.
func TestPasswordResetRequestsAreThrottled(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	env.Owner(t)
	mail := smtptest.Start(t)
	env.App.Auth.Mailer = notify.SMTP{Host: mail.Host, Port: mail.Port, From: "tribune@example.test"}
	for _, email := range []string{"owner@example.test", "nobody@example.test"} {
		for i := 1; i <= 6; i++ {
			status, body := call(t, env, "", http.MethodPost, "/api/v1/password-resets", fmt.Sprintf(`{"email":%q}`, email))
			want := http.StatusAccepted
			if i == 6 {
				want = http.StatusTooManyRequests
			}
			if status != want {
				t.Fatalf("request %d for %s: %d %s, want %d", i, email, status, body, want)
			}
		}
	}
	if n := len(mail.Messages()); n != 5 {
		t.Errorf("%d e-mails sent, want 5 (the sixth request waits)", n)
	}
}

// Guessing the current password through "change password" (with a stolen
// token or session) is throttled like signing in.
func TestChangePasswordGuessesAreThrottled(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, _ := env.Owner(t)
	tok := env.Token(t, owner)
	for i := 1; i <= 6; i++ {
		status, body := call(t, env, tok, http.MethodPut, "/api/v1/me/password", `{"current_password":"guess number `+fmt.Sprint(i)+`","new_password":"a new long password"}`)
		want := http.StatusUnprocessableEntity
		if i == 6 {
			want = http.StatusTooManyRequests
		}
		if status != want {
			t.Fatalf("guess %d: %d %s, want %d", i, status, body, want)
		}
	}
	status, body := call(t, env, tok, http.MethodPut, "/api/v1/me/password", `{"current_password":"correct horse battery","new_password":"a new long password"}`)
	if status != http.StatusTooManyRequests {
		t.Errorf("the right password during the wait: %d %s, want 429 (a guess during the wait tells nothing)", status, body)
	}
}
