package api

import (
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// secretWords mark a field whose value must never be echoed back.
var secretWords = []string{"password", "token", "secret"}

// secretLocation reports whether a huma error location ("body.password",
// "body.items[2].app_password", "path.token") names a secret field. The
// whole body ("body", in a parse error) counts: it may hold one.
func secretLocation(loc string) bool {
	if loc == "body" {
		return true
	}
	last := strings.ToLower(loc[strings.LastIndexAny(loc, ".")+1:])
	for _, w := range secretWords {
		if strings.Contains(last, w) {
			return true
		}
	}
	return false
}

// redactErrorValues is a huma transformer: huma echoes the offending value
// in each validation error, which for a password or a token is the secret
// itself, written back to the client and to any proxy log on the way.
func redactErrorValues(_ huma.Context, _ string, v any) (any, error) {
	if em, ok := v.(*huma.ErrorModel); ok {
		for _, d := range em.Errors {
			if d != nil && secretLocation(d.Location) {
				d.Value = nil
			}
		}
	}
	return v, nil
}
