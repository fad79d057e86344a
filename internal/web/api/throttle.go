package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
)

// retryAfter is a refusal that says how long to wait, in whole seconds: a
// throttled password check (auth.ThrottledError: POST /api/v1/tokens,
// setup), or an action on a network whose rate limit for the account holds
// (channels.LimitError: inbox replies and actions).
type retryAfter interface {
	error
	Seconds() int
}

// withRetryAfter adds the Retry-After of err, when it says one, to out, the
// error huma writes for err.
func withRetryAfter(err, out error) error {
	var ra retryAfter
	if errors.As(err, &ra) {
		return huma.ErrorWithHeaders(out, http.Header{"Retry-After": {strconv.Itoa(ra.Seconds())}})
	}
	return out
}
