package ui

import (
	"net/http"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/calendar"
)

// importStatus answers the page's poll with the import's progress, as a
// sentence in the user's language (empty before the first row and once the
// import is over). The progress is kept in the database, so any node
// answers the poll, whichever runs the import.
func (u *ui) importStatus(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Compose)
	if err != nil {
		return err
	}
	st, ok, err := u.Importer.ImportProgress(r.Context(), currentUser(r), ws.ID, r.URL.Query().Get("key"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		return nil
	}
	l := u.loc(r)
	msg := l.T("Checking row %d of %d…", st.Done, st.Total)
	if st.Stage == calendar.ImportSaving {
		msg = l.T("Saving post %d of %d…", st.Done, st.Total)
	}
	_, err = w.Write([]byte(msg))
	return err
}
