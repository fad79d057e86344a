package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/store"
)

// A Mastodon channel's default visibility is set through the API, and a
// post's variant takes it unless it chooses its own; values that are not
// Mastodon's are refused with a 422 that names the field.
func TestVisibilityThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	// A Mastodon channel as FinishMastodon leaves it (the OAuth dance is
	// tested in internal/publish); its token is never used here.
	ch, err := env.Store.CreateChannel(ctx, store.CreateChannelParams{WorkspaceID: ws.ID, Network: "mastodon", Name: "Mastodon · @alice@social.example",
		Handle: "@alice@social.example", ExternalID: "109", BaseURL: "https://social.example", TokenCiphertext: []byte("x"), TokenKeyID: "k",
		MaxChars: 500, URLLength: 23, TextCounting: "mastodon", DefaultVisibility: "public", Status: "active", CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "box")
	if err != nil {
		t.Fatal(err)
	}
	tok := env.Token(t, owner)
	call := func(method, path, body string) (int, string) {
		t.Helper()
		resp := env.Do(t, tok, method, path, strings.NewReader(body))
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(raw)
	}
	chPath := fmt.Sprintf("/api/v1/channels/%d", ch.ID)
	for _, c := range []struct {
		name, path, body string
		status           int
		contains         string
	}{
		{"set followers only", chPath, `{"default_visibility":"private"}`, 200, `"default_visibility":"private"`},
		{"unknown value", chPath, `{"default_visibility":"friends"}`, 422, "default_visibility"},
		{"a network without visibilities", fmt.Sprintf("/api/v1/channels/%d", sb.ID), `{"default_visibility":"public"}`, 422, "visibility_unsupported"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := call(http.MethodPatch, c.path, c.body)
			if status != c.status || !strings.Contains(body, c.contains) {
				t.Errorf("%d %s, want %d with %s", status, body, c.status, c.contains)
			}
		})
	}
	postPath := fmt.Sprintf("/api/v1/workspaces/%d/posts", ws.ID)
	for _, c := range []struct {
		name, visibility string
		status           int
		want             string
	}{
		{"no choice: the channel's default", "", 200, "private"},
		{"chosen", `"visibility":"direct",`, 200, "direct"},
		{"unknown value", `"visibility":"friends",`, 422, ""},
	} {
		t.Run("post "+c.name, func(t *testing.T) {
			status, body := call(http.MethodPost, postPath, fmt.Sprintf(`{"action":"draft","variants":[{%s"channel_id":%d,"text":"hello"}]}`, c.visibility, ch.ID))
			if status >= 300 && status != c.status || status < 300 && c.status >= 300 {
				t.Fatalf("%d %s, want %d", status, body, c.status)
			}
			if c.status >= 300 {
				if !strings.Contains(body, "visibility") {
					t.Errorf("the refusal does not name the field: %s", body)
				}
				return
			}
			var out struct {
				Variants []struct {
					Visibility string `json:"visibility"`
				} `json:"variants"`
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Variants) != 1 || out.Variants[0].Visibility != c.want {
				t.Errorf("%s: want visibility %q", body, c.want)
			}
		})
	}
}
