package network

import (
	"net/url"
	"strings"
)

// WebURL returns raw when it is an absolute http(s) address, and "" otherwise.
// An address a network returns is the network's word, not ours: one with
// another scheme (javascript:, data:, vbscript:…) must never become a link
// Tribune shows, or a hostile or compromised server could run script in
// Tribune's pages.
func WebURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return raw
	}
	return ""
}
