package ui_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/media"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// countingReader counts what the server read.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// failingReader hands out r, then fails as a client hanging up does.
type failingReader struct{ r io.Reader }

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errors.New("client went away")
	}
	return n, err
}

// The media library's upload form caps the body (413) and leaves no
// temporary file behind on any path. Not parallel: TMPDIR is the process's.
func TestUIUploadCapsAndCleansUp(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	_, ws := env.Owner(t)
	session, _, err := env.App.Auth.Login(context.Background(), "owner@example.test", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	form := func(file []byte) (string, []byte) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "pic.png")
		fw.Write(file)
		mw.WriteField("alt", "a card")
		mw.Close()
		return mw.FormDataContentType(), b.Bytes()
	}
	padded := func(n int) []byte { return append(bytes.Clone(img.Bytes()), make([]byte, n)...) }
	// 33 MB is past any in-memory share a form parser may keep (the
	// handler once kept 32 MB), so the file surely goes through TMPDIR.
	const big = 33 << 20
	tests := []struct {
		name  string
		limit int64
		file  []byte
		abort bool
		want  int
	}{
		{name: "success", limit: 40 << 20, file: padded(big), want: http.StatusSeeOther},
		{name: "not an image", limit: 40 << 20, file: bytes.Repeat([]byte("text "), big/5), want: http.StatusUnprocessableEntity},
		{name: "over the cap", limit: 256 << 10, file: padded(4 << 20), want: http.StatusRequestEntityTooLarge},
		{name: "client abort", limit: 40 << 20, file: padded(big), abort: true, want: http.StatusUnprocessableEntity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env.App.Media.MaxBytes = tc.limit
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			ctype, body := form(tc.file)
			var rd io.Reader = bytes.NewReader(body)
			if tc.abort {
				rd = &failingReader{r: bytes.NewReader(body[:len(body)/2])}
			}
			sent := &countingReader{r: rd}
			req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/w/%d/media", ws.ID), sent)
			req.ContentLength = -1 // the cap must hold while reading, not only on the header
			req.Header.Set("Content-Type", ctype)
			req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
			rec := httptest.NewRecorder()
			env.App.Handler.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %.300s", rec.Code, tc.want, rec.Body.String())
			}
			if max := tc.limit + media.UploadEnvelope + 64<<10; sent.n > max {
				t.Errorf("the server read %d bytes, want at most %d (the cap)", sent.n, max)
			}
			ents, err := os.ReadDir(tmp)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ents {
				t.Errorf("left in TMPDIR: %s", e.Name())
			}
		})
	}
}

// Without a session, a request a page makes while in use (the composer's
// upload, its live check) is told why in a fragment, in the user's
// language, instead of following a redirect and taking the sign-in page for
// its answer; a boosted form goes to the sign-in page; a plain form is
// redirected there.
func TestSignedOutScriptRequestIsToldWhy(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	_, ws := env.Owner(t)
	tests := []struct {
		name     string
		header   map[string]string
		status   int
		location string // Location or HX-Redirect
		body     string
	}{
		{"composer upload", map[string]string{"HX-Request": "true", "Accept-Language": "fr"}, http.StatusUnauthorized, "", "Veuillez vous connecter."},
		{"boosted form", map[string]string{"HX-Request": "true", "HX-Boosted": "true"}, http.StatusNoContent, "/login", ""},
		{"plain form", nil, http.StatusSeeOther, fmt.Sprintf("/login?next=%%2Fw%%2F%d%%2Fcompose%%2Fmedia", ws.ID), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/w/%d/compose/media", ws.ID), bytes.NewReader(nil))
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			env.App.Handler.ServeHTTP(rec, req)
			loc := rec.Header().Get("Location") + rec.Header().Get("HX-Redirect")
			if rec.Code != tc.status || loc != tc.location || !bytes.Contains(rec.Body.Bytes(), []byte(tc.body)) {
				t.Errorf("%d to %q: %.300s; want %d to %q saying %q", rec.Code, loc, rec.Body.String(), tc.status, tc.location, tc.body)
			}
		})
	}
}
