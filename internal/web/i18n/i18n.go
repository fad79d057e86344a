// Package i18n translates the web interface. English strings are the keys
// (they read well in templates and a missing translation falls back to
// readable English); messages/<lang>.json holds each other language.
// A test walks the templates and fails on any string without a French
// translation, so the French interface never shows English by accident.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed messages/*.json
var files embed.FS

// Default is the language of the keys.
const Default = "en"

// Bundle holds every catalog.
type Bundle struct {
	catalogs map[string]map[string]string
}

// New loads the embedded catalogs.
func New() (*Bundle, error) {
	b := &Bundle{catalogs: map[string]map[string]string{Default: {}}}
	entries, err := files.ReadDir("messages")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		raw, err := files.ReadFile(path.Join("messages", e.Name()))
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", e.Name(), err)
		}
		b.catalogs[strings.TrimSuffix(e.Name(), ".json")] = m
	}
	return b, nil
}

// Languages lists the available languages, English first.
func (b *Bundle) Languages() []string {
	out := []string{Default}
	for l := range b.catalogs {
		if l != Default {
			out = append(out, l)
		}
	}
	sort.Strings(out[1:])
	return out
}

// Localizer returns the translator of lang (English when unknown).
func (b *Bundle) Localizer(lang string) *Localizer {
	m, ok := b.catalogs[lang]
	if !ok {
		lang, m = Default, b.catalogs[Default]
	}
	return &Localizer{lang: lang, msgs: m}
}

// Has reports whether lang translates key (English always does).
func (b *Bundle) Has(lang, key string) bool {
	if lang == Default {
		return true
	}
	_, ok := b.catalogs[lang][key]
	return ok
}

// Localizer translates into one language.
type Localizer struct {
	lang string
	msgs map[string]string
}

// Lang is the language code ("en", "fr").
func (l *Localizer) Lang() string { return l.lang }

// T translates an English string; with args it is a fmt format.
func (l *Localizer) T(key string, args ...any) string {
	s := key
	if tr, ok := l.msgs[key]; ok && tr != "" {
		s = tr
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

var (
	frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	frDays   = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
)

// Date formats t in loc as people of the language write it: style "long"
// ("mardi 24 novembre 2026 à 09:00") or "short" ("24/11/2026 09:00").
func (l *Localizer) Date(t time.Time, loc *time.Location, style string) string {
	if loc != nil {
		t = t.In(loc)
	}
	if l.lang == "fr" {
		if style == "short" {
			return t.Format("02/01/2006 15:04")
		}
		return frDays[t.Weekday()] + " " + strconv.Itoa(t.Day()) + " " + frMonths[t.Month()-1] + " " + strconv.Itoa(t.Year()) + " à " + t.Format("15:04")
	}
	if style == "short" {
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("Monday, January 2, 2006 at 15:04")
}

// Negotiate picks the interface language: the user's stored preference,
// then the browser's Accept-Language, then English.
func Negotiate(acceptLanguage, preference string) string {
	if preference == "fr" || preference == "en" {
		return preference
	}
	best, bestQ := Default, -1.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (base == "fr" || base == "en") && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}
