package api

import (
	"encoding/json"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/web/edge"
)

// parseUpload is the upload operation's middleware: it caps the body and
// reads the multipart form itself (huma then finds r.MultipartForm already
// parsed), so that a body over the cap is answered 413 instead of being
// written to a temporary file, and the temporary files the form wrote are
// removed once the operation is over, whatever its outcome.
func (s *server) parseUpload(ctx huma.Context, next func(huma.Context)) {
	r, w := humago.Unwrap(ctx)
	cleanup, err := s.Media.ParseUploadForm(w, r)
	if err == nil && r.MultipartForm != nil {
		// The edge check (validText) reads JSON and URL-encoded bodies; a
		// multipart form's fields are checked here, once it is parsed.
		if err = edge.CheckValues("body", r.MultipartForm.Value); err != nil {
			cleanup()
		}
	}
	if err != nil {
		pe := problem.As(err)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(pe.Status)
		_ = json.NewEncoder(w).Encode(errorBody(pe))
		return
	}
	defer cleanup()
	next(ctx)
}
