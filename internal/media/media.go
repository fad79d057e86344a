// Package media is the media library: files uploaded once, described (alt
// text, tags) and attached to posts. Files live on disk under the data
// directory, named by their SHA-256; rows in the store describe them.
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, MaxUpload+1))
	if err != nil {
		return store.Media{}, err
	}
	if n > MaxUpload {
		return store.Media{}, problem.Invalidf("file", "too_large", fmt.Sprintf("Files are limited to %d MB.", MaxUpload>>20), fmt.Sprintf("Les fichiers sont limités à %d Mo.", MaxUpload>>20))
	}
	if n == 0 {
		return store.Media{}, problem.Invalidf("file", "empty", "The file is empty.", "Le fichier est vide.")
	}
	head := make([]byte, 512)
	k, _ := tmp.ReadAt(head, 0)
	mime := sniff(head[:k])
	ext, ok := accepted[mime]
	if !ok {
		return store.Media{}, problem.Invalidf("file", "media_type", "Only JPEG, PNG, GIF and WebP images and MP4, MOV and WebM videos are accepted (this file is "+mime+").",
			"Seules les images JPEG, PNG, GIF et WebP et les vidéos MP4, MOV et WebM sont acceptées (ce fichier est de type "+mime+").")
	}
	var w, hgt int
	if strings.HasPrefix(mime, "image/") {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return store.Media{}, err
		}
		cfg, _, err := image.DecodeConfig(tmp)
		if err != nil {
			return store.Media{}, problem.Invalidf("file", "bad_image", "The image cannot be read.", "L’image est illisible.")
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
