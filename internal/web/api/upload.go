package api

import (
	"encoding/json"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/tribune-social/tribune/internal/problem"
)

// parseUpload is the upload operation's middleware: it caps the body and
// reads the multipart form itself (huma then finds r.MultipartForm already
// parsed), so that a body over the cap is answered 413 instead of being
// written to a temporary file, and the temporary files the form wrote are
// removed once the operation is over, whatever its outcome.
func (s *server) parseUpload(ctx huma.Context, next func(huma.Context)) {
	r, w := humago.Unwrap(ctx)
	cleanup, err := s.Media.ParseUploadForm(w, r)
	if err != nil {
		s.writeProblem(w, err)
		return
	}
	defer cleanup()
	next(ctx)
}

// writeProblem writes err as the API's JSON error body, outside huma.
func (s *server) writeProblem(w http.ResponseWriter, err error) {
	ae, ok := s.fail(err).(*apiError)
	if !ok {
		ae = &apiError{Status: http.StatusInternalServerError, Code: problem.Internal.Code, Message: problem.Internal.Message}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(ae.Status)
	_ = json.NewEncoder(w).Encode(ae)
}
