// Package media is the media library: files uploaded once, described (alt
// text, tags) and attached to posts. Files live on disk under the data
// directory, named by their SHA-256; rows in the store describe them.
package media

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image"
	_ "image/gif" // decoders for DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "golang.org/x/image/webp"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// MaxUpload is the largest file accepted (the largest any network takes is
// bigger, but a self-hosted library should not fill a disk by accident).
const MaxUpload = 512 << 20

// UploadEnvelope is what an upload request may carry beyond the file itself:
// the multipart framing and the small fields (alt text, tags). The web UI
// and the API refuse a request body larger than Limit()+UploadEnvelope
// before reading it (Content-Length) or as soon as it goes past (a chunked
// body), so nothing bigger is ever written to disk.
const UploadEnvelope = 1 << 20

// TooLarge is the 413 answered when an upload goes past limit bytes.
func TooLarge(limit int64) error {
	n, msg := limit>>20, "Files are limited to %d MB."
	if n == 0 { // only tests set a limit under a megabyte
		n, msg = limit>>10, "Files are limited to %d KB."
	}
	return problem.New(http.StatusRequestEntityTooLarge, "too_large", msg).Format(n)
}

// Accepted types: what at least one network publishes.
var accepted = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
	"video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm",
}

// Service is the media library.
type Service struct {
	Store store.Store
	Auth  *auth.Service
	Dir   string
	Now   func() time.Time
	// MaxBytes is the largest file accepted; zero means MaxUpload.
	MaxBytes int64
}

// Limit is the largest file accepted, in bytes.
func (s *Service) Limit() int64 {
	if s == nil || s.MaxBytes <= 0 {
		return MaxUpload
	}
	return s.MaxBytes
}

// Upload stores a file for a workspace. The type is sniffed from the content,
// never taken from the file name.
func (s *Service) Upload(ctx context.Context, user store.User, workspaceID int64, filename string, r io.Reader, alt string, tags []string) (store.Media, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Compose); err != nil {
		return store.Media{}, err
	}
	tmp, err := os.CreateTemp(s.Dir, "upload-*")
	if err != nil {
		if err := mkdirPrivate(s.Dir); err != nil {
			return store.Media{}, err
		}
		if tmp, err = os.CreateTemp(s.Dir, "upload-*"); err != nil {
			return store.Media{}, err
		}
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	limit := s.Limit()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if err != nil {
		return store.Media{}, err
	}
	if n > limit {
		return store.Media{}, TooLarge(limit)
	}
	if n == 0 {
		return store.Media{}, problem.Invalidf("file", "empty", "The file is empty.")
	}
	head := make([]byte, 512)
	k, _ := tmp.ReadAt(head, 0)
	mime := sniff(head[:k])
	ext, ok := accepted[mime]
	if !ok {
		return store.Media{}, errType(mime)
	}
	var w, hgt int
	if strings.HasPrefix(mime, "image/") {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return store.Media{}, err
		}
		cfg, _, err := image.DecodeConfig(tmp)
		if err != nil {
			return store.Media{}, problem.Invalidf("file", "bad_image", "The image cannot be read.")
		}
		w, hgt = cfg.Width, cfg.Height
	}
	sum := hex.EncodeToString(h.Sum(nil))
	key := filepath.Join(sum[:2], sum+ext)
	dest := filepath.Join(s.Dir, key)
	if err := mkdirPrivate(filepath.Dir(dest)); err != nil {
		return store.Media{}, err
	}
	// os.CreateTemp made the file 0600 already; chmod says it whatever the
	// umask, before the file gets its name.
	if err := tmp.Chmod(fileMode); err != nil {
		return store.Media{}, err
	}
	if err := tmp.Close(); err != nil {
		return store.Media{}, err
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return store.Media{}, err
	}
	tagsJSON, _ := json.Marshal(cleanTags(tags))
	name := filepath.Base(filename)
	if name == "." || name == "/" {
		name = "upload" + ext
	}
	return s.Store.CreateMedia(ctx, store.CreateMediaParams{WorkspaceID: workspaceID, Filename: name, MIME: mime, SizeBytes: n,
		Width: int64(w), Height: int64(hgt), Alt: strings.TrimSpace(alt), Tags: string(tagsJSON), SHA256: sum, StorageKey: key,
		UploadedBy: user.ID, CreatedAt: s.Now().UTC()})
}

// errType refuses a file whose content is of a type no network takes.
func errType(mime string) error {
	return problem.Invalid.With(problem.Detail{Location: "file", Code: "media_type",
		Message: "Only JPEG, PNG, GIF and WebP images and MP4, MOV and WebM videos are accepted (this file is %s).", Args: []any{mime}})
}

// Check reads a file as Upload would and answers what Upload would refuse
// it for (too large, empty, a type no network takes, an image that cannot
// be read), without keeping it: an import's dry run checks each media URL
// without filling the library. It reads the whole file, up to one byte
// past the limit, and holds only its first 512 bytes in memory.
func (s *Service) Check(r io.Reader) error {
	limit := s.Limit()
	counted := &countingReader{r: io.LimitReader(r, limit+1)}
	br := bufio.NewReaderSize(counted, 512)
	head, _ := br.Peek(512)
	var contentErr error
	mime := sniff(head)
	switch _, ok := accepted[mime]; {
	case len(head) == 0:
		contentErr = problem.Invalidf("file", "empty", "The file is empty.")
	case !ok:
		contentErr = errType(mime)
	case strings.HasPrefix(mime, "image/"):
		if _, _, err := image.DecodeConfig(br); err != nil {
			contentErr = problem.Invalidf("file", "bad_image", "The image cannot be read.")
		}
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return err
	}
	// Upload's order: the size first, then what the content is.
	if counted.n > limit {
		return TooLarge(limit)
	}
	return contentErr
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Media files and their directories are owner-only: an upload may be an
// unpublished announcement, and other accounts on the host have no reason
// to read it.
const (
	dirMode  os.FileMode = 0o700
	fileMode os.FileMode = 0o600
)

// mkdirPrivate creates dir, and any missing parent, owner-only (chmod,
// past the umask); directories that exist keep their mode.
func mkdirPrivate(dir string) error {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) || d == filepath.Dir(d) {
			break
		}
		missing = append(missing, d)
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return err
	}
	for _, d := range missing {
		if err := os.Chmod(d, dirMode); err != nil {
			return err
		}
	}
	return nil
}

// staleUpload is how old a temporary upload file in Dir must be to be
// another process's leftover (an upload cut by a crash) rather than an
// upload still running on another node sharing Dir.
const staleUpload = 24 * time.Hour

// RemoveStaleUploads deletes the temporary files uploads left in Dir when
// the process was killed mid-upload (every other path removes its own). It
// runs once at start.
func (s *Service) RemoveStaleUploads() error {
	files, err := filepath.Glob(filepath.Join(s.Dir, "upload-*"))
	if err != nil {
		return err
	}
	cutoff := s.Now().Add(-staleUpload)
	var errs []error
	for _, f := range files {
		if fi, err := os.Lstat(f); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(cutoff) {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func sniff(head []byte) string {
	mime := http.DetectContentType(head)
	// DetectContentType knows MP4 and WebM; QuickTime's "ftypqt" it calls MP4-ish.
	if len(head) > 12 && bytes.Equal(head[4:8], []byte("ftyp")) {
		if bytes.Equal(head[8:10], []byte("qt")) {
			return "video/quicktime"
		}
		return "video/mp4"
	}
	if i := strings.IndexByte(mime, ';'); i >= 0 {
		mime = mime[:i]
	}
	return mime
}

func cleanTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Open implements publish.MediaFiles.
func (s *Service) Open(m store.Media) (io.ReadCloser, error) {
	if strings.Contains(m.StorageKey, "..") {
		return nil, errors.New("media: bad storage key")
	}
	return os.Open(filepath.Join(s.Dir, m.StorageKey))
}

// Get returns a media item the user may view.
func (s *Service) Get(ctx context.Context, user store.User, id int64) (store.Media, error) {
	m, err := s.Store.GetMedia(ctx, id)
	if err != nil {
		return m, problem.Forbidden
	}
	if _, _, err := s.Auth.Authorize(ctx, user, m.WorkspaceID, auth.View); err != nil {
		return m, err
	}
	return m, nil
}

// List returns a workspace's library, newest first.
func (s *Service) List(ctx context.Context, user store.User, workspaceID int64) ([]store.Media, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View); err != nil {
		return nil, err
	}
	return s.Store.ListMedia(ctx, store.ListMediaParams{WorkspaceID: workspaceID, MaxRows: 500})
}

// Describe changes alt text and tags.
func (s *Service) Describe(ctx context.Context, user store.User, id int64, alt string, tags []string) (store.Media, error) {
	m, err := s.Store.GetMedia(ctx, id)
	if err != nil {
		return m, problem.Forbidden
	}
	if _, _, err := s.Auth.Authorize(ctx, user, m.WorkspaceID, auth.Compose); err != nil {
		return m, err
	}
	tagsJSON, _ := json.Marshal(cleanTags(tags))
	if err := s.Store.UpdateMediaDetails(ctx, store.UpdateMediaDetailsParams{Alt: strings.TrimSpace(alt), Tags: string(tagsJSON), ID: id}); err != nil {
		return m, err
	}
	return s.Store.GetMedia(ctx, id)
}

// Tags decodes a media row's tags.
func Tags(m store.Media) []string {
	var t []string
	_ = json.Unmarshal([]byte(m.Tags), &t)
	return t
}

// uploadMemory is how much of a multipart upload is kept in memory; the
// rest of each file part goes to a temporary file in os.TempDir().
const uploadMemory = 64 << 10

// ParseUploadForm reads a multipart upload of at most s.Limit() bytes of
// file (plus UploadEnvelope) into r.MultipartForm, for the web UI and the
// API alike. A body over the cap is refused with TooLarge before it is read
// when its Content-Length says so, otherwise as soon as it goes past.
// The returned cleanup removes the temporary files the form wrote; call it
// on every path once done with the file (net/http removes them only for the
// server's own *http.Request, not for the copies that middleware makes with
// WithContext). On error there is nothing to clean up: multipart.ReadForm
// removes what it wrote when reading fails, including a client abort.
func (s *Service) ParseUploadForm(w http.ResponseWriter, r *http.Request) (cleanup func(), err error) {
	limit := s.Limit() + UploadEnvelope
	if r.ContentLength > limit {
		return nil, TooLarge(s.Limit())
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, TooLarge(s.Limit())
		}
		return nil, problem.Invalidf("file", "bad_upload", "The upload could not be read: send it as multipart/form-data with the file in the field \"file\".").Wrap(err)
	}
	form := r.MultipartForm
	return func() { _ = form.RemoveAll() }, nil
}
