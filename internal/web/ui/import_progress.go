package ui

import (
	"net/http"
	"regexp"
	"strconv"
	"sync"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/calendar"
)

// importProgress is how far each import under way has gone, for the page
// that polls it while its form is being posted. An import runs in its
// request (5,000 rows take seconds), so this node's memory is enough: the
// poll reaches the same node in a single-node setup; behind a load
// balancer without affinity the poll finds nothing and the page just waits
// for the report.
var importProgress = struct {
	sync.Mutex
	m map[string]importState
}{m: map[string]importState{}}

// importState is one import's progress.
type importState struct {
	Stage       calendar.ImportStage
	Done, Total int
}

// importKeyRE is the form of the key the import page makes up for each
// submit (see import.js): letters and digits only.
var importKeyRE = regexp.MustCompile(`^[A-Za-z0-9]{8,64}$`)

// importProgressKey scopes the page's key to its user, so one user cannot
// read another's progress.
func importProgressKey(userID int64, key string) string {
	return strconv.FormatInt(userID, 10) + "/" + key
}

// trackImport sets opt.Progress to record the import's progress under key
// and returns the function that forgets it once the import is over.
func trackImport(userID int64, key string, opt *calendar.ImportOptions) func() {
	if !importKeyRE.MatchString(key) {
		return func() {}
	}
	k := importProgressKey(userID, key)
	opt.Progress = func(stage calendar.ImportStage, done, total int) {
		importProgress.Lock()
		importProgress.m[k] = importState{stage, done, total}
		importProgress.Unlock()
	}
	return func() {
		importProgress.Lock()
		delete(importProgress.m, k)
		importProgress.Unlock()
	}
}

// importStatus answers the page's poll with the import's progress, as a
// sentence in the user's language (empty before the first row).
func (u *ui) importStatus(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := u.workspace(r, auth.Compose); err != nil {
		return err
	}
	importProgress.Lock()
	st, ok := importProgress.m[importProgressKey(currentUser(r).ID, r.URL.Query().Get("key"))]
	importProgress.Unlock()
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
	_, err := w.Write([]byte(msg))
	return err
}
