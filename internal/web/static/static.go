// Package static serves the embedded CSS and JavaScript: Tribune's own
// app.css and app.js and the vendored htmx and FullCalendar builds (copied
// from npm at the versions in their file names; no Node step at build time).
// Each URL carries a content hash so browsers cache files forever and still
// see a new release at once.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed files
var embedded embed.FS

// Vendored script names.
const (
	HTMX         = "vendor/htmx-2.0.11.min.js"
	FullCalendar = "vendor/fullcalendar-6.1.21.min.js"
	// ECharts draws the listening dashboard; re-vendor with
	// scripts/vendor/echarts.sh (pinned version and integrity).
	ECharts       = "vendor/echarts-6.1.0.min.js"
	EChartsFrench = "vendor/echarts-6.1.0.langFR.js"
)

// Assets are the embedded files with their content hashes.
type Assets struct {
	fsys   fs.FS
	hashes map[string]string
}

// New hashes the embedded files.
func New() (*Assets, error) {
	sub, err := fs.Sub(embedded, "files")
	if err != nil {
		return nil, err
	}
	a := &Assets{fsys: sub, hashes: map[string]string{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(raw)
		a.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

// URL is the address of an embedded file, with its hash.
func (a *Assets) URL(name string) string {
	return "/static/" + name + "?v=" + a.hashes[name]
}

// Handler serves /static/…; hashed URLs are cached for a year.
func (a *Assets) Handler() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(a.fsys))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if _, ok := a.hashes[name]; !ok {
			http.NotFound(w, r) // no directory listings
			return
		}
		if r.URL.Query().Get("v") == a.hashes[name] {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}
