package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/posts"
)

// An API error carries its message in English and, from the catalogue, in
// French, at the top and in each detail, values formatted in both.
func TestErrorBodyInEnglishAndFrench(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	resp := env.Do(t, env.Token(t, owner), http.MethodPatch, fmt.Sprintf("/api/v1/workspaces/%d", ws.ID), strings.NewReader(`{"schedule_horizon_days":0}`))
	defer resp.Body.Close()
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		FR      string `json:"message_fr"`
		Details []struct {
			Location string `json:"location"`
			Message  string `json:"message"`
			FR       string `json:"message_fr"`
		} `json:"details"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnprocessableEntity || body.Message != "Some fields are not valid." || body.FR != "Certains champs ne sont pas valides." {
		t.Fatalf("%d %+v, want a 422 in English and French", resp.StatusCode, body)
	}
	want := fmt.Sprintf("Indiquez un nombre de jours entre 1 et %d.", posts.MaxHorizonDays)
	if len(body.Details) != 1 || body.Details[0].Location != "schedule_horizon_days" ||
		body.Details[0].Message != fmt.Sprintf("Enter a number of days between 1 and %d.", posts.MaxHorizonDays) || body.Details[0].FR != want {
		t.Errorf("details %+v, want the limit in English and %q", body.Details, want)
	}
}

// The errors written before huma sees the request (here a too long
// Idempotency-Key) have the same body: escaped JSON, English and French.
func TestEarlyErrorBodyInEnglishAndFrench(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	req, err := http.NewRequest(http.MethodPost, env.Server.URL+fmt.Sprintf("/api/v1/workspaces/%d/posts", ws.ID), strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+env.Token(t, owner))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", strings.Repeat("k", 300))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Code    string `json:"code"`
		FR      string `json:"message_fr"`
		Details []struct {
			Message string `json:"message"`
			FR      string `json:"message_fr"`
		} `json:"details"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("the body is not JSON: %v", err)
	}
	if resp.StatusCode != http.StatusUnprocessableEntity || body.FR != "Certains champs ne sont pas valides." || len(body.Details) != 1 ||
		body.Details[0].Message != "Idempotency-Key is limited to 255 characters." || body.Details[0].FR != "Idempotency-Key est limité à 255 caractères." {
		t.Errorf("%d %+v, want a 422 naming the limit in English and French", resp.StatusCode, body)
	}
}

// The document describes an import report's row as it is written, with its
// French (bulk.RowError's JSON comes from MarshalJSON, not its fields).
func TestOpenAPIRowErrorHasFrench(t *testing.T) {
	t.Parallel()
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
				Required   []string                   `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDocument(t), &doc); err != nil {
		t.Fatal(err)
	}
	row, ok := doc.Components.Schemas["RowError"]
	if !ok || row.Properties["message"] == nil || row.Properties["message_fr"] == nil {
		t.Errorf("RowError schema %+v, want message and message_fr", row)
	}
}
