package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
)

// Notifications come back in the caller's language: the one the request
// asks for (Accept-Language), else the user's own, and the answer names it
// (Content-Language).
func TestNotificationsInTheCallersLanguage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	if err := env.App.Posts.Pause(ctx, owner, ws.ID); err != nil {
		t.Fatal(err)
	}
	token := env.Token(t, owner)
	read := func(acceptLanguage string) (string, string, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, env.Server.URL+"/api/v1/notifications", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var list []struct{ Title, Body string }
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != http.StatusOK || len(list) != 1 {
			t.Fatalf("notifications: %d %+v (%v), want the pause's one", resp.StatusCode, list, err)
		}
		return resp.Header.Get("Content-Language"), list[0].Title, list[0].Body
	}
	tests := []struct {
		name, locale, accept string
		lang, title, body    string
	}{
		{"English user, no header", "en", "", "en", "Publishing paused by " + owner.Name, "Every due post of " + ws.Name + " is held until publishing resumes."},
		{"English user asking for French", "en", "fr-FR,fr;q=0.9,en;q=0.5", "fr", "Publications suspendues par " + owner.Name, ""},
		{"French user, no header", "fr", "", "fr", "Publications suspendues par " + owner.Name, ""},
		{"French user asking for English", "fr", "en-GB", "en", "Publishing paused by " + owner.Name, ""},
	}
	for _, tc := range tests {
		// Not parallel: the cases change the one user's language in turn.
		t.Run(tc.name, func(t *testing.T) {
			if _, err := env.App.Auth.SetPreferences(ctx, owner, auth.Preferences{Locale: tc.locale}); err != nil {
				t.Fatal(err)
			}
			lang, title, body := read(tc.accept)
			if lang != tc.lang || title != tc.title {
				t.Errorf("got %s %q, want %s %q", lang, title, tc.lang, tc.title)
			}
			if tc.body != "" && body != tc.body {
				t.Errorf("body %q, want %q", body, tc.body)
			}
			if tc.lang == "fr" && body == "Every due post of "+ws.Name+" is held until publishing resumes." {
				t.Errorf("the French answer's text is English: %q", body)
			}
		})
	}
}
