package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/sentiment"
)

func TestSentimentCommand(t *testing.T) {
	in := "I love this, thank you!\nCe n'est vraiment pas bon, je suis déçu.\n\nThe meeting is at noon.\n"
	tests := []struct {
		lang string
		want []sentiment.Result
	}{
		{"auto", []sentiment.Result{
			{Label: sentiment.Positive, Lang: "en"},
			{Label: sentiment.Negative, Lang: "fr"},
			{Label: sentiment.Neutral, Lang: "other"},
			{Label: sentiment.Neutral, Lang: "en"},
		}},
		{"en", []sentiment.Result{
			{Label: sentiment.Positive, Lang: "en"},
			{Label: sentiment.Neutral, Lang: "en"},
			{Label: sentiment.Neutral, Lang: "en"},
			{Label: sentiment.Neutral, Lang: "en"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			var out bytes.Buffer
			if err := runSentiment([]string{"-lang", tt.lang}, strings.NewReader(in), &out); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("%d lines out, want %d (one per line in):\n%s", len(lines), len(tt.want), out.String())
			}
			for i, line := range lines {
				var got sentiment.Result
				if err := json.Unmarshal([]byte(line), &got); err != nil {
					t.Fatalf("line %d %q: %v", i+1, line, err)
				}
				for _, key := range []string{`"label":`, `"score":`, `"lang":`} {
					if !strings.Contains(line, key) {
						t.Errorf("line %d %s lacks %s", i+1, line, key)
					}
				}
				if got.Label != tt.want[i].Label || got.Lang != tt.want[i].Lang {
					t.Errorf("line %d = %s, want label %q lang %q", i+1, line, tt.want[i].Label, tt.want[i].Lang)
				}
			}
		})
	}
	if err := runSentiment([]string{"-lang", "de"}, strings.NewReader(""), &bytes.Buffer{}); err == nil {
		t.Error("-lang de accepted, want an error naming the choices")
	}
	// A line too long to read stops the command with an error, after the
	// lines before it were answered.
	var out bytes.Buffer
	long := "I love this\nso bad\n" + strings.Repeat("x", 2<<20) + "\nlater\n"
	if err := runSentiment(nil, strings.NewReader(long), &out); err == nil || !strings.Contains(err.Error(), "reading stdin") {
		t.Errorf("a 2 MiB line: %v, want a reading error", err)
	}
	if got := strings.Count(out.String(), "\n"); got != 2 {
		t.Errorf("before the 2 MiB line: %d results written, want 2: %q", got, out.String())
	}
}
