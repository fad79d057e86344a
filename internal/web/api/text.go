package api

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/web/edge"
)

// maxCheckedBody bounds what validText holds in memory to check a body.
// Larger bodies go through unchecked: every text operation refuses them
// anyway (huma's 1 MiB default limit).
const maxCheckedBody = 8 << 20

// validText refuses, before anything else reads the request, a path, query
// string or JSON, form or text body that is not valid UTF-8 or holds a NUL
// character: PostgreSQL would fail on it with a 500 where SQLite stores it,
// and the answer must be the same 422 on both. Multipart bodies (media
// uploads) are left to their handler.
func validText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := edge.CheckURL(r.URL); err != nil {
			writeProblem(w, problem.As(err))
			return
		}
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		isJSON := ct == "application/json" || strings.HasSuffix(ct, "+json")
		isForm := ct == "application/x-www-form-urlencoded"
		if r.Body == nil || r.Body == http.NoBody || !(isJSON || isForm || strings.HasPrefix(ct, "text/")) {
			next.ServeHTTP(w, r)
			return
		}
		buf, err := io.ReadAll(io.LimitReader(r.Body, maxCheckedBody+1))
		if err != nil {
			writeProblem(w, problem.Invalidf("body", "unreadable", "The request body could not be read."))
			return
		}
		if len(buf) > maxCheckedBody {
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
			next.ServeHTTP(w, r)
			return
		}
		switch {
		case isJSON:
			err = edge.CheckJSON(buf)
		case isForm:
			if !edge.ValidText(string(buf)) {
				err = edge.ErrInvalidText
			} else if v, perr := url.ParseQuery(string(buf)); perr == nil {
				err = edge.CheckValues("form", v)
			}
		default:
			if !edge.ValidText(string(buf)) {
				err = edge.ErrInvalidText
			}
		}
		if err != nil {
			writeProblem(w, problem.As(err))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(buf))
		next.ServeHTTP(w, r)
	})
}

// writeProblem writes pe as the API's error body, details included.
func writeProblem(w http.ResponseWriter, pe *problem.Error) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(pe.Status)
	_ = json.NewEncoder(w).Encode(errorBody(pe))
}
