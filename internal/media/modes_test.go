package media_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
)

// An uploaded file, the directories made for it and the data directory
// are owner-only.
func TestUploadedFilesAreOwnerOnly(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	m, err := env.App.Media.Upload(context.Background(), owner, ws.ID, "p.png", &img, "alt", nil)
	if err != nil {
		t.Fatal(err)
	}
	root := env.App.Media.Dir
	file := filepath.Join(root, m.StorageKey)
	for _, c := range []struct {
		path string
		want os.FileMode
	}{
		{filepath.Dir(root), 0o700}, // the data directory, made with the database
		{root, 0o700},
		{filepath.Dir(file), 0o700},
		{file, 0o600},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("%s: mode %v, want %v", c.path, got, c.want)
		}
	}
}
