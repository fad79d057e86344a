// Package i18n is Tribune's one catalogue of user-facing text: the web
// interface's strings, the problems the services report (internal/problem),
// the import and rule reports. English is the key (it reads well where it is
// written, and a missing translation falls back to readable English);
// messages/<lang>.json holds each other language.
//
// A message with values is a fmt format: the key is the English format
// ("Same content as post #%d"), the translation is a format with the same
// verbs in the same order ("Même contenu que la publication n°%d"), and the
// values are kept beside the key until the text is rendered in the reader's
// language: T(lang, key, args...) translates, then formats. A value that is
// itself written differently per language (a date) implements Value.
//
// Tests (internal/web/i18n) fail on any template string, problem message or
// report message without a French translation.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
)

//go:embed messages/*.json
var files embed.FS

// Default is the language of the keys.
const Default = "en"

// catalogs maps a language to its translations; loaded once from the
// embedded files, which a build without valid JSON must not get past.
var catalogs = mustLoad()

func mustLoad() map[string]map[string]string {
	out := map[string]map[string]string{Default: {}}
	entries, err := files.ReadDir("messages")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		raw, err := files.ReadFile(path.Join("messages", e.Name()))
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			panic(fmt.Errorf("i18n: %s: %w", e.Name(), err))
		}
		out[strings.TrimSuffix(e.Name(), ".json")] = m
	}
	return out
}

// Languages lists the available languages, English first.
func Languages() []string {
	out := []string{Default}
	for l := range catalogs {
		if l != Default {
			out = append(out, l)
		}
	}
	sort.Strings(out[1:])
	return out
}

// Catalog returns the translations of lang (nil when unknown; English has
// none, its keys are its text). The map is shared: do not modify it.
func Catalog(lang string) map[string]string { return catalogs[lang] }

// Has reports whether lang translates key (English always does).
func Has(lang, key string) bool {
	if lang == Default {
		return true
	}
	_, ok := catalogs[lang][key]
	return ok
}

// Value is an argument written differently in each language (a date).
type Value interface {
	Localized(lang string) string
}

// T translates key into lang (English when lang or the key is unknown) and,
// with args, formats the result as fmt does; a Value argument is first
// written in lang.
func T(lang, key string, args ...any) string {
	s := key
	if tr, ok := catalogs[lang][key]; ok && tr != "" {
		s = tr
	}
	if len(args) == 0 {
		return s
	}
	vals := make([]any, len(args))
	for i, a := range args {
		if v, ok := a.(Value); ok {
			a = v.Localized(lang)
		}
		vals[i] = a
	}
	return fmt.Sprintf(s, vals...)
}
