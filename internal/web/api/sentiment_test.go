package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// POST /v1/sentiment scores a batch in order, detects or forces the
// language, refuses an oversized batch with a 422 naming the limit in both
// languages, and wants a token like every other operation.
func TestSentimentBatch(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, _ := env.Owner(t)
	tok := env.Token(t, owner)

	post := func(token, body string) (int, []byte) {
		t.Helper()
		r := env.Do(t, token, http.MethodPost, "/api/v1/sentiment", strings.NewReader(body))
		defer r.Body.Close()
		raw, _ := io.ReadAll(r.Body)
		return r.StatusCode, raw
	}

	status, raw := post(tok, `{"texts":["I love it, thank you!","C'est vraiment nul, je suis déçu et en colère","The meeting is at noon."]}`)
	var out struct {
		Results []sentiment.Result `json:"results"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || status != 200 {
		t.Fatalf("%d %s %v", status, raw, err)
	}
	want := []sentiment.Result{{Label: sentiment.Positive, Lang: "en"}, {Label: sentiment.Negative, Lang: "fr"}, {Label: sentiment.Neutral, Lang: "en"}}
	if len(out.Results) != len(want) {
		t.Fatalf("%d results, want %d: %s", len(out.Results), len(want), raw)
	}
	for i, w := range want {
		if g := out.Results[i]; g.Label != w.Label || g.Lang != w.Lang {
			t.Errorf("result %d = %+v, want label %q lang %q", i, g, w.Label, w.Lang)
		}
	}

	// A forced language is reported as such.
	status, raw = post(tok, `{"texts":["merci"],"lang":"en"}`)
	if status != 200 || !strings.Contains(string(raw), `"lang":"en"`) {
		t.Errorf("lang en forced: %d %s", status, raw)
	}

	type problemBody struct {
		Details []struct {
			Location string `json:"location"`
			Code     string `json:"code"`
			Message  string `json:"message"`
			FR       string `json:"message_fr"`
		} `json:"details"`
	}
	many := `{"texts":[` + strings.TrimSuffix(strings.Repeat(`"x",`, sentiment.MaxBatch+1), ",") + `]}`
	long := fmt.Sprintf(`{"texts":["ok",%q]}`, strings.Repeat("é", sentiment.MaxTextLength+1))
	exact := fmt.Sprintf(`{"texts":[%q]}`, strings.Repeat("é", sentiment.MaxTextLength))
	full := `{"texts":[` + strings.TrimSuffix(strings.Repeat(`"x",`, sentiment.MaxBatch), ",") + `]}`
	for _, tt := range []struct {
		name, body, location, code, fr string
	}{
		{"too many", many, "texts", "too_many", fmt.Sprintf("Au plus %d textes par requête.", sentiment.MaxBatch)},
		{"too long", long, "texts[1]", "too_long", fmt.Sprintf("Un texte est limité à %d caractères.", sentiment.MaxTextLength)},
		{"empty", `{"texts":[]}`, "texts", "empty", "Indiquez au moins un texte."},
		{"bad lang", `{"texts":["x"],"lang":"de"}`, "lang", "bad_lang", "La langue est auto, fr ou en."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, raw := post(tok, tt.body)
			var pb problemBody
			_ = json.Unmarshal(raw, &pb)
			if status != http.StatusUnprocessableEntity || len(pb.Details) != 1 || pb.Details[0].Location != tt.location ||
				pb.Details[0].Code != tt.code || pb.Details[0].FR != tt.fr {
				t.Errorf("%d %s, want a 422 at %s (%s) saying %q", status, raw, tt.location, tt.code, tt.fr)
			}
		})
	}
	// The limits themselves are accepted.
	for name, body := range map[string]string{"full batch": full, "longest text": exact} {
		if status, raw := post(tok, body); status != 200 {
			t.Errorf("%s: %d %.200s, want 200", name, status, raw)
		}
	}

	if status, _ := post("", `{"texts":["x"]}`); status != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", status)
	}

	// The OpenAPI document describes the operation.
	r := env.Do(t, "", http.MethodGet, "/api/openapi.json", nil)
	doc, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(doc), `"/v1/sentiment"`) || !strings.Contains(string(doc), `"operationId":"sentiment"`) {
		t.Error("the OpenAPI document lacks POST /v1/sentiment")
	}
}
