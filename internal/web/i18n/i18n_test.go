package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	for _, c := range []struct{ accept, pref, want string }{
		{"fr-FR,fr;q=0.9,en;q=0.8", "", "fr"},
		{"en-GB,fr;q=0.5", "", "en"},
		{"de-DE,fr;q=0.3", "", "fr"},
		{"de", "", "en"},
		{"", "", "en"},
		{"en", "fr", "fr"},
		{"fr", "xx", "fr"},
		// q-values, not the order, rank the languages.
		{"en;q=0.2, fr;q=0.9", "", "fr"},
		{"fr;q=0.4,en-US;q=0.8", "", "en"},
		// A region or a script of a catalogue language matches it.
		{"fr-CA", "", "fr"},
		{"fr-BE;q=0.9, de;q=1", "", "fr"},
		{"FR-ch", "", "fr"},
		// q=0 means "not this one".
		{"fr;q=0, en;q=0.1", "", "en"},
		{"fr;q=0", "", "en"},
		// A wildcard accepts anything: the default.
		{"*", "", "en"},
		{"de, *;q=0.5", "", "en"},
		{"de, fr;q=0.6, *;q=0.5", "", "fr"},
		// Garbage counts as no header.
		{"fr;q=abc", "", "en"},
		{";;;,,,", "", "en"},
		{"\x00\xff", "", "en"},
		{strings.Repeat("x-", 200), "", "en"},
	} {
		t.Run(c.accept+"|"+c.pref, func(t *testing.T) {
			if got := Negotiate(c.accept, c.pref); got != c.want {
				t.Errorf("Negotiate(%q, %q) = %q, want %q", c.accept, c.pref, got, c.want)
			}
		})
	}
}

func TestTranslateAndFallBack(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	fr := b.Localizer("fr")
	if got := fr.T("Calendar"); got != "Calendrier" {
		t.Errorf("Calendar in French = %q", got)
	}
	if got := fr.T("not a key %d", 3); got != "not a key 3" {
		t.Errorf("fallback = %q", got)
	}
	if b.Localizer("xx").Lang() != "en" {
		t.Error("an unknown language is not English")
	}
}

// Every string the interface translates has a French translation.
var call = regexp.MustCompile(`\bT\(("(?:[^"\\]|\\.)*")`)

func TestEveryInterfaceStringIsTranslated(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, pattern := range []string{"../ui/*.templ", "../ui/*.go", "../layout/*.templ"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("found only %d template files", len(files))
	}
	seen := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(raw), -1) {
			key, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatalf("%s: %s: %v", f, m[1], err)
			}
			seen++
			if !b.Has("fr", key) {
				t.Errorf("%s: no French for %q", filepath.Base(f), key)
			}
		}
	}
	if seen < 100 {
		t.Errorf("only %d strings found: is the pattern right?", seen)
	}
}
