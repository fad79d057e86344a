package api_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/media"
)

// paddedPNG is a valid PNG padded with a trailing chunk-free tail up to size
// bytes (decoders stop at IEND), so a test can make it as big as it needs.
func paddedPNG(t testing.TB, size int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	if pad := size - b.Len(); pad > 0 {
		b.Write(bytes.Repeat([]byte{0}, pad))
	}
	return b.Bytes()
}

// multipartBody is an upload form: the file, then the given extra fields.
func multipartBody(t testing.TB, file []byte, fields map[string]string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", "pic.png")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// tempDirFiles counts what is left in dir.
func tempDirFiles(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// countingReader counts what the client sent.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// errAfter reads r, then fails as a client that hangs up mid-upload does.
type errAfter struct{ r io.Reader }

func (e *errAfter) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, errors.New("client went away")
	}
	return n, err
}

// Uploading through the API caps the body before reading it (413 with a
// clear message), accepts a file without the optional alt and tags, and
// leaves no temporary file behind on any path: success, validation error,
// body over the cap (announced or not), client abort. Not parallel:
// TMPDIR is the process's.
func TestAPIUploadCapsAndCleansUp(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	env.App.Media.MaxBytes = 256 << 10
	url := fmt.Sprintf("/api/v1/workspaces/%d/media", ws.ID)
	// Files bigger than multipart's in-memory share go to TMPDIR: 200 KB does.
	big := paddedPNG(t, 200<<10)

	tests := []struct {
		name    string
		file    []byte
		fields  map[string]string
		chunked bool // no Content-Length: the cap must hold while reading
		abort   bool
		want    int
		wantIn  string
	}{
		{name: "file only, no alt nor tags", file: big, want: http.StatusCreated},
		{name: "file with alt and tags", file: big, fields: map[string]string{"alt": "a test card", "tags": "launch"}, want: http.StatusCreated},
		{name: "not an image", file: bytes.Repeat([]byte("plain text "), 20<<10), want: http.StatusUnprocessableEntity, wantIn: "media_type"},
		{name: "over the cap, announced", file: paddedPNG(t, 8<<20), want: http.StatusRequestEntityTooLarge, wantIn: "limited to 256 KB"},
		{name: "over the cap, chunked", file: paddedPNG(t, 8<<20), chunked: true, want: http.StatusRequestEntityTooLarge, wantIn: "limited to 256 KB"},
		{name: "client abort", file: big, abort: true, want: http.StatusUnprocessableEntity, wantIn: "bad_upload"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			ctype, body := multipartBody(t, tc.file, tc.fields)
			var rd io.Reader = bytes.NewReader(body)
			if tc.chunked {
				rd = io.MultiReader(rd) // hides the length from net/http
			}
			if tc.abort {
				rd = &errAfter{r: bytes.NewReader(body[:len(body)/2])}
			}
			sent := &countingReader{r: rd}
			rd = sent
			// Straight into the handler: what it reads is what sent counts,
			// with no socket buffer in between.
			req := httptest.NewRequest(http.MethodPost, url, rd)
			if !tc.chunked && !tc.abort {
				req.ContentLength = int64(len(body))
			} else {
				req.ContentLength = -1
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", ctype)
			rec := httptest.NewRecorder()
			env.App.Handler.ServeHTTP(rec, req)
			got := rec.Body.String()
			if rec.Code != tc.want || !strings.Contains(got, tc.wantIn) {
				t.Fatalf("status %d %s, want %d with %q", rec.Code, got, tc.want, tc.wantIn)
			}
			// Refused before reading, or as soon as past the cap.
			if n := sent.n.Load(); tc.want == http.StatusRequestEntityTooLarge && n > env.App.Media.Limit()+media.UploadEnvelope+64<<10 {
				t.Errorf("the server read %d bytes of a body over the cap, want it to stop at the cap", n)
			}
			if left := tempDirFiles(t, tmp); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
		})
	}
}
