package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// The composer's upload goes through the media use case and answers the
// new media ticked, with its alt text, for the composer's grid.
func TestComposerUploadAnswersATickedChoice(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	session, _, err := env.App.Auth.Login(context.Background(), "owner@example.test", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "lampe.png")
	fw.Write(img.Bytes())
	mw.WriteField("alt", "Une lampe")
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/w/%d/compose/media", ws.ID), &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
	rec := httptest.NewRecorder()
	env.App.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %.300s", rec.Code, rec.Body.String())
	}
	ms, err := env.App.Media.List(context.Background(), owner, ws.ID)
	if err != nil || len(ms) != 1 || ms[0].Alt != "Une lampe" {
		t.Fatalf("media %+v, %v: want one with its alt text", ms, err)
	}
	body := rec.Body.String()
	for _, want := range []string{fmt.Sprintf(`value="%d" checked`, ms[0].ID), `alt="Une lampe"`} {
		if !strings.Contains(body, want) {
			t.Errorf("answer %q lacks %q", body, want)
		}
	}
}

// The live check answers, beside the problems, the previews and the submit
// buttons: disabled with the reason while a variant breaks its rules.
func TestComposerCheckAnswersPreviewsAndWhyButtonsAreDisabled(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(context.Background(), owner, ws.ID, "box")
	if err != nil {
		t.Fatal(err)
	}
	session, _, err := env.App.Auth.Login(context.Background(), "owner@example.test", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	check := func(text string) string {
		t.Helper()
		form := url.Values{"channel": {fmt.Sprint(ch.ID)}, "text": {text}}
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/w/%d/compose/check", ws.ID), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
		rec := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(rec, req)
		raw, _ := io.ReadAll(rec.Body)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %.300s", rec.Code, raw)
		}
		return string(raw)
	}
	tests := []struct {
		name, text      string
		disabled, shown bool
	}{
		{"within the limit", "Bonjour #lancement", false, true},
		{"over the limit", strings.Repeat("x", 501), true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := check(tc.text)
			if got := strings.Contains(body, `<span class="pv-tag">#lancement</span>`); got != (tc.text == "Bonjour #lancement") {
				t.Errorf("hashtag marked in the preview: %v", got)
			}
			if got := strings.Contains(body, `data-testid="preview-sandbox"`); got != tc.shown {
				t.Errorf("preview shown %v, want %v", got, tc.shown)
			}
			if got := strings.Contains(body, `data-testid="schedule" disabled`); got != tc.disabled {
				t.Errorf("schedule disabled %v, want %v: %s", got, tc.disabled, body)
			}
			if got := strings.Contains(body, " — Too long: 501 of 500 characters."); got != tc.disabled {
				t.Errorf("reason given %v, want %v", got, tc.disabled)
			}
		})
	}
}
