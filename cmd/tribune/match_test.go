package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestMatchCommand(t *testing.T) {
	input := "La Rentrée des classes\nrien à voir\n" +
		`{"text":"rentrée à Lyon","lang":"fr","author":"bob"}` + "\n" +
		`{"text":"rentree in Montreal","lang":"en","author":"carol"}` + "\n" +
		`{"text":"la rentrée de Tribune","lang":"fr","author":"tribune"}` + "\n"
	env := func(lang string) func(string) string {
		return func(k string) string {
			if k == "LANG" {
				return lang
			}
			return ""
		}
	}
	for _, c := range []struct {
		name   string
		args   []string
		lang   string
		code   int
		stdout string
		stderr string
	}{
		{"plain", []string{"rentree"}, "", 0, "La Rentrée des classes\n" + `{"text":"rentrée à Lyon","lang":"fr","author":"bob"}` + "\n" + `{"text":"rentree in Montreal","lang":"en","author":"carol"}` + "\n" + `{"text":"la rentrée de Tribune","lang":"fr","author":"tribune"}` + "\n", ""},
		{"line numbers", []string{"-n", "rentrée lang:fr"}, "", 0, "3:" + `{"text":"rentrée à Lyon","lang":"fr","author":"bob"}` + "\n" + "5:" + `{"text":"la rentrée de Tribune","lang":"fr","author":"tribune"}` + "\n", ""},
		{"author filter", []string{"-n", "rentree -author:bob lang:fr"}, "", 0, "5:" + `{"text":"la rentrée de Tribune","lang":"fr","author":"tribune"}` + "\n", ""},
		{"own accounts left out", []string{"-n", "-own", "@tribune", "rentree lang:fr"}, "", 0, "3:" + `{"text":"rentrée à Lyon","lang":"fr","author":"bob"}` + "\n", ""},
		{"none", []string{"vacances"}, "", 1, "", ""},
		{"syntax error", []string{"rentree AND (lyon"}, "", 2, "", "tribune match: column 18: expected a closing parenthesis\n"},
		{"syntax error in French", []string{"rentree AND (lyon"}, "fr_FR.UTF-8", 2, "", "tribune match: colonne 18 : on attendait une parenthèse fermante\n"},
		{"no query", nil, "", 2, "", "Usage"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := runMatch(c.args, strings.NewReader(input), &out, &errb, env(c.lang))
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, errb.String())
			}
			if out.String() != c.stdout {
				t.Errorf("stdout %q, want %q", out.String(), c.stdout)
			}
			if !strings.HasPrefix(errb.String(), c.stderr) || (c.stderr == "" && errb.Len() > 0) {
				t.Errorf("stderr %q, want %q", errb.String(), c.stderr)
			}
		})
	}
}
