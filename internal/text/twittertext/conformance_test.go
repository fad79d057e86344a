package twittertext

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

// sharedDir finds the shared folder: TRIBUNE_SHARED_DIR, or else a
// "shared" folder beside the checkout (../shared from the module root, as
// .ci/run finds it) or beside any folder above the test; without one the
// suite skips, and `make test` says so.
func sharedDir(t *testing.T) string {
	if d := os.Getenv("TRIBUNE_SHARED_DIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "conformance", "twitter-text")); err != nil {
			t.Fatalf("TRIBUNE_SHARED_DIR=%s has no conformance/twitter-text", d)
		}
		return d
	}
	dir, _ := os.Getwd()
	for {
		cand := filepath.Join(dir, "shared")
		if _, err := os.Stat(filepath.Join(cand, "conformance", "twitter-text")); err == nil {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("twitter-text conformance skipped: no ../shared beside the checkout; set TRIBUNE_SHARED_DIR to the shared folder")
		}
		dir = parent
	}
}

type suite struct {
	Tests map[string][]struct {
		Description string `yaml:"description"`
		Text        string `yaml:"text"`
		Expected    any    `yaml:"expected"`
	} `yaml:"tests"`
}

func load(t *testing.T, name string) suite {
	raw, err := os.ReadFile(filepath.Join(sharedDir(t), "conformance", "twitter-text", name))
	if err != nil {
		t.Fatal(err)
	}
	var s suite
	if err := yaml.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// knownGaps lists conformance cases this implementation does not pass yet,
// each with the reason. Keep it short; a case listed here that starts
// passing fails the test, so the list only shrinks.
var knownGaps = map[string]string{}

func check(t *testing.T, section string, cases int, failed map[string]string) {
	t.Helper()
	for desc, msg := range failed {
		if _, known := knownGaps[section+": "+desc]; !known {
			t.Errorf("%s: %s: %s", section, desc, msg)
		}
	}
	for k := range knownGaps {
		if len(k) > len(section)+2 && k[:len(section)+2] == section+": " {
			if _, still := failed[k[len(section)+2:]]; !still {
				t.Errorf("known gap %q passes now: remove it from knownGaps", k)
			}
		}
	}
	if cases == 0 {
		t.Errorf("section %s has no cases: is the file right?", section)
	}
	t.Logf("%s: %d of %d cases pass", section, cases-len(failed), cases)
}

// v2 is twitter-text's previous configuration (no emoji discount), which
// validate.yml's WeightedTweetsCounterTest section uses.
var v2 = Config{MaxWeightedLength: 280, Scale: 100, DefaultWeight: 200, URLLength: 23, Ranges: V3.Ranges}

func TestWeightedLengthConformance(t *testing.T) {
	s := load(t, "validate.yml")
	for section, cfg := range map[string]Config{"WeightedTweetsWithDiscountedEmojiCounterTest": V3, "WeightedTweetsCounterTest": v2, "UnicodeDirectionalMarkerCounterTest": V3} {
		weighted(t, s, section, cfg)
	}
}

func weighted(t *testing.T, s suite, section string, cfg Config) {
	failed := map[string]string{}
	for _, c := range s.Tests[section] {
		want := c.Expected.(map[string]any)
		got := cfg.Parse(c.Text)
		have := map[string]any{"weightedLength": got.WeightedLength, "valid": got.Valid, "permillage": got.Permillage,
			"displayRangeStart": got.DisplayRangeStart, "displayRangeEnd": got.DisplayRangeEnd, "validRangeStart": got.ValidRangeStart, "validRangeEnd": got.ValidRangeEnd}
		for k, v := range want {
			if fmt.Sprint(have[k]) != fmt.Sprint(v) {
				failed[c.Description] = fmt.Sprintf("%s = %v, want %v (text %q)", k, have[k], v, c.Text)
				break
			}
		}
	}
	check(t, section, len(s.Tests[section]), failed)
}

func values(es []Entity) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Value)
	}
	return out
}

func TestExtractConformance(t *testing.T) {
	s := load(t, "extract.yml")
	lists := map[string]func(string) []Entity{"mentions": ExtractMentions, "hashtags": ExtractHashtags, "hashtags_from_astral": ExtractHashtags,
		"urls": ExtractURLs, "cashtags": ExtractCashtags}
	for section, fn := range lists {
		failed := map[string]string{}
		for _, c := range s.Tests[section] {
			want := []string{}
			for _, v := range c.Expected.([]any) {
				want = append(want, fmt.Sprint(v))
			}
			if got := values(fn(c.Text)); !reflect.DeepEqual(got, want) {
				failed[c.Description] = fmt.Sprintf("got %q, want %q (text %q)", got, want, c.Text)
			}
		}
		check(t, section, len(s.Tests[section]), failed)
	}
	indexed := map[string]struct {
		fn  func(string) []Entity
		key string
	}{"mentions_with_indices": {ExtractMentions, "screen_name"}, "hashtags_with_indices": {ExtractHashtags, "hashtag"},
		"urls_with_indices": {ExtractURLs, "url"}, "cashtags_with_indices": {ExtractCashtags, "cashtag"}}
	for section, x := range indexed {
		failed := map[string]string{}
		for _, c := range s.Tests[section] {
			var want []string
			for _, v := range c.Expected.([]any) {
				m := v.(map[string]any)
				want = append(want, fmt.Sprintf("%v%v", m[x.key], m["indices"]))
			}
			var got []string
			for _, e := range x.fn(c.Text) {
				got = append(got, fmt.Sprintf("%v[%d %d]", e.Value, e.Start, e.End))
			}
			if !reflect.DeepEqual(got, want) {
				failed[c.Description] = fmt.Sprintf("got %q, want %q (text %q)", got, want, c.Text)
			}
		}
		check(t, section, len(s.Tests[section]), failed)
	}
}
