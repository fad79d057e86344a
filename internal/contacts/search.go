package contacts

import "strings"

// searchFolds are the letters a contacts search ignores the accent and case
// of: each, either case, stands for its base letter. The database keeps
// every display name folded the same way (inbox_authors.name_fold,
// migration 00037, written from this table): keep the three together.
var searchFolds = []struct{ base, letters string }{
	{"a", "àáâãäåÀÁÂÃÄÅ"},
	{"c", "çÇ"},
	{"e", "èéêëÈÉÊË"},
	{"i", "ìíîïÌÍÎÏ"},
	{"n", "ñÑ"},
	{"o", "òóôõöøÒÓÔÕÖØ"},
	{"u", "ùúûüÙÚÛÜ"},
	{"y", "ýÿÝŸ"},
	{"oe", "œŒ"},
	{"ae", "æÆ"},
	{"ss", "ß"},
}

// searchFolder replaces every letter of searchFolds by its base letter.
var searchFolder = func() *strings.Replacer {
	var pairs []string
	for _, f := range searchFolds {
		for _, r := range f.letters {
			pairs = append(pairs, string(r), f.base)
		}
	}
	return strings.NewReplacer(pairs...)
}()

// searchFold is what is typed in a contacts search as the database compares
// it with name_fold: ASCII capitals lower-cased (as SQLite's lower() does,
// no further, so that both dialects agree), the letters of searchFolds
// replaced, everything else kept.
func searchFold(s string) string {
	return searchFolder.Replace(asciiLower(s))
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
