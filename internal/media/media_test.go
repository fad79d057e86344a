package media

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A temporary upload file a crash left behind goes at start; a recent one
// (an upload running on another node sharing the directory) and the
// library's files stay.
func TestRemoveStaleUploads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	files := map[string]time.Time{
		"upload-123": now.Add(-25 * time.Hour),
		"upload-456": now.Add(-time.Minute),
		"ab.jpg":     now.Add(-100 * time.Hour),
	}
	for name, mtime := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	s := &Service{Dir: dir, Now: func() time.Time { return now }}
	if err := s.RemoveStaleUploads(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"upload-123": false, "upload-456": true, "ab.jpg": true} {
		_, err := os.Stat(filepath.Join(dir, name))
		if got := err == nil; got != want {
			t.Errorf("%s exists = %v, want %v", name, got, want)
		}
	}
}
