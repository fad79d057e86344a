package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/auth"
)

// withRetryAfter adds the Retry-After of a throttled password check (POST
// /api/v1/tokens, setup) to out, the error huma writes for err.
func withRetryAfter(err, out error) error {
	var te *auth.ThrottledError
	if errors.As(err, &te) {
		return huma.ErrorWithHeaders(out, http.Header{"Retry-After": {strconv.Itoa(te.Seconds())}})
	}
	return out
}
