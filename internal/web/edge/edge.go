// Package edge holds the checks both muxes apply where requests enter:
// text must be valid UTF-8 without NUL characters (PostgreSQL refuses
// both, SQLite stores them, so the answer must not depend on the
// database), and paths that carry a secret are redacted before they are
// logged.
package edge

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/problem"
)

// ErrInvalidText is the answer to text that is not valid UTF-8 or holds a
// NUL character.
var ErrInvalidText = problem.New(http.StatusUnprocessableEntity, "invalid_text",
	"Text must be valid UTF-8 and may not contain NUL characters (U+0000).")

// ValidText reports whether s is valid UTF-8 without U+0000.
func ValidText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

func invalid(location string) error {
	return ErrInvalidText.With(problem.Detail{Location: location, Code: ErrInvalidText.Code,
		Message: ErrInvalidText.Message, Args: ErrInvalidText.Args})
}

// CheckValues checks the names and values of a form or query string;
// location prefixes the field named in the error ("query", "form").
func CheckValues(location string, v url.Values) error {
	for k, vs := range v {
		if !ValidText(k) {
			return invalid(location)
		}
		for _, s := range vs {
			if !ValidText(s) {
				return invalid(location + "." + k)
			}
		}
	}
	return nil
}

// CheckURL checks a request's decoded path and query string.
func CheckURL(u *url.URL) error {
	if !ValidText(u.Path) {
		return invalid("path")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil // a malformed query is the router's or handler's to refuse
	}
	return CheckValues("query", q)
}

// CheckJSON checks every string (names and values) of a JSON document,
// after decoding: a "\u0000" escape is refused like a raw NUL byte.
// Invalid UTF-8 is looked for in the raw bytes, because encoding/json
// silently replaces it. A document that is not JSON passes: the handler's
// decoder refuses it with its own message.
func CheckJSON(body []byte) error {
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 {
		return invalid("body")
	}
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return nil // the only other way to write U+0000 in JSON
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil
		}
		if s, ok := tok.(string); ok && strings.IndexByte(s, 0) >= 0 {
			return invalid("body")
		}
	}
}

// secretPrefixes are the paths whose next segment is a secret token.
var secretPrefixes = []string{
	"/invite/", "/review/", "/reset/", "/ical/", "/shared/",
	"/api/v1/invitations/", "/api/v1/reviews/", "/api/v1/password-resets/",
}

// RedactPath replaces the secret segment of an invitation, review,
// password-reset, iCal or calendar share path with "REDACTED", for logs.
func RedactPath(p string) string {
	for _, pre := range secretPrefixes {
		rest, ok := strings.CutPrefix(p, pre)
		if !ok || rest == "" {
			continue
		}
		_, after, found := strings.Cut(rest, "/")
		if found {
			return pre + "REDACTED/" + after
		}
		return pre + "REDACTED"
	}
	return p
}
