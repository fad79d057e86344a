// Package i18n translates the web interface through Tribune's one catalogue
// (internal/i18n): English strings are the keys, messages/<lang>.json there
// holds each other language. A test walks the templates and the Go sources
// and fails on any interface string or problem message without a French
// translation, so the French interface never shows English by accident.
package i18n

import (
	"fmt"
	"strconv"
	"time"

	"golang.org/x/text/language"

	"github.com/tribune-social/tribune/internal/i18n"
)

// Default is the language of the keys.
const Default = i18n.Default

// Bundle holds every catalog.
type Bundle struct {
	catalogs map[string]map[string]string
}

// New returns the catalogue's languages.
func New() (*Bundle, error) {
	b := &Bundle{catalogs: map[string]map[string]string{}}
	for _, l := range i18n.Languages() {
		b.catalogs[l] = i18n.Catalog(l)
	}
	return b, nil
}

// Languages lists the available languages, English first.
func (b *Bundle) Languages() []string { return i18n.Languages() }

// Localizer returns the translator of lang (English when unknown).
func (b *Bundle) Localizer(lang string) *Localizer {
	m, ok := b.catalogs[lang]
	if !ok {
		lang, m = Default, b.catalogs[Default]
	}
	return &Localizer{lang: lang, msgs: m}
}

// Has reports whether lang translates key (English always does).
func (b *Bundle) Has(lang, key string) bool { return i18n.Has(lang, key) }

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

// matcher picks among the catalogue's languages, English (the keys) first so
// that it is the answer when nothing matches.
var matcher = newMatcher(i18n.Languages())

func newMatcher(langs []string) language.Matcher {
	tags := make([]language.Tag, len(langs))
	for i, l := range langs {
		tags[i] = language.Make(l)
	}
	return language.NewMatcher(tags)
}

// Negotiate picks the interface language: the user's stored preference,
// then the browser's Accept-Language (q-values, regions such as fr-CA and
// wildcards as RFC 9110 and BCP 47 define them, by x/text/language), then
// English. An unparsable header counts as absent.
func Negotiate(acceptLanguage, preference string) string {
	if i18n.Catalog(preference) != nil || preference == Default {
		return preference
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return i18n.Languages()[idx]
}
