package atproto

import (
	"fmt"
	"strings"

	"github.com/tribune-social/tribune/internal/listen/source"
)

// FieldError is a setting the source cannot work with. It names the
// field, so the sources page can show the message beside it, and wraps
// source.ErrPermanent: reconnecting does not mend a setting.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes a FieldError a permanent failure.
func (e *FieldError) Unwrap() error { return source.ErrPermanent }

// ParseDIDs reads a list of DIDs separated by commas, spaces or new lines
// (the "wanted accounts" field), in order, without duplicates.
func ParseDIDs(field, s string, max int) ([]string, error) {
	var dids []string
	seen := map[string]bool{}
	for _, d := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		if !ValidDID(d) {
			return nil, &FieldError{Field: field, Message: fmt.Sprintf("%q is not a DID (did:plc:… or did:web:…)", d)}
		}
		if !seen[d] {
			seen[d] = true
			dids = append(dids, d)
		}
	}
	if len(dids) > max {
		return nil, &FieldError{Field: field, Message: fmt.Sprintf("%d accounts, at most %d", len(dids), max)}
	}
	return dids, nil
}
