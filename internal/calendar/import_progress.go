package calendar

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/store"
)

// ImportProgress is how far an import under way has gone.
type ImportProgress struct {
	Stage       ImportStage
	Done, Total int
}

// ImportProgressStale is how long a progress row may go unwritten before
// it is purged: its import is then over on a node that stopped before it
// could delete the row (a live import writes it at every row).
const ImportProgressStale = time.Hour

// importProgressGap paces the progress writes: a 5,000-row import would
// otherwise write 10,000 times, each one waiting for SQLite's single
// writer. A poll every second or so needs no finer steps.
const importProgressGap = 200 * time.Millisecond

// progressKeyRE is the form of the key the import page makes up for each
// submit (see import.js): letters and digits only.
var progressKeyRE = regexp.MustCompile(`^[A-Za-z0-9]{8,64}$`)

// ImportProgress reads the progress of the user's import under key in the
// workspace, written by whichever node runs it; ok is false before its
// first row and once it is over.
func (im *Importer) ImportProgress(ctx context.Context, user store.User, workspaceID int64, key string) (p ImportProgress, ok bool, err error) {
	if _, _, err := im.Calendar.Auth.Authorize(ctx, user, workspaceID, auth.Compose); err != nil {
		return ImportProgress{}, false, err
	}
	if !progressKeyRE.MatchString(key) {
		return ImportProgress{}, false, nil
	}
	row, err := im.Calendar.Store.GetImportProgress(ctx, store.GetImportProgressParams{WorkspaceID: workspaceID, UserID: user.ID, Key: key})
	if errors.Is(err, store.ErrNotFound) {
		return ImportProgress{}, false, nil
	}
	if err != nil {
		return ImportProgress{}, false, err
	}
	return ImportProgress{Stage: ImportStage(row.Stage), Done: int(row.Done), Total: int(row.Total)}, true, nil
}

// progressRecorder writes an import's progress to the database from its
// own goroutine, so the import never waits for it: the import only leaves
// the latest step, and the recorder writes the newest one it finds. This
// matters on SQLite, where the import's saving transaction holds the only
// writer connection: a write from the import itself would wait for its own
// transaction forever, whereas the recorder just waits for the commit.
type progressRecorder struct {
	store store.Store
	now   func() time.Time
	row   store.SetImportProgressParams

	mu     sync.Mutex
	latest *ImportProgress
	wake   chan struct{}
	quit   chan struct{}
	exited chan struct{}
}

// trackProgress starts recording the import's progress under
// run.opt.ProgressKey (when it is a well-formed key) and returns the
// function that stops and deletes it once the import is over. It purges the
// rows other imports left behind first: writing is when rows pile up.
func (im *Importer) trackProgress(ctx context.Context, run *importRun) func() {
	if !progressKeyRE.MatchString(run.opt.ProgressKey) {
		return func() {}
	}
	st := im.Calendar.Store
	// Best effort: a purge that fails leaves rows for the next import.
	_, _ = st.DeleteImportProgressBefore(ctx, im.Calendar.Now().Add(-ImportProgressStale))
	rec := &progressRecorder{store: st, now: im.Calendar.Now,
		row:  store.SetImportProgressParams{WorkspaceID: run.ws.ID, UserID: run.user.ID, Key: run.opt.ProgressKey},
		wake: make(chan struct{}, 1), quit: make(chan struct{}), exited: make(chan struct{})}
	// The writes outlive a cancelled request only until stop, just below.
	bg := context.WithoutCancel(ctx)
	go rec.loop(bg)
	next := run.opt.Progress
	run.opt.Progress = func(stage ImportStage, done, total int) {
		rec.set(ImportProgress{stage, done, total})
		if next != nil {
			next(stage, done, total)
		}
	}
	return func() {
		close(rec.quit)
		<-rec.exited
		dctx, cancel := context.WithTimeout(bg, 10*time.Second)
		defer cancel()
		// Best effort: a row left behind is purged once stale.
		_ = st.DeleteImportProgress(dctx, store.DeleteImportProgressParams{WorkspaceID: rec.row.WorkspaceID, UserID: rec.row.UserID, Key: rec.row.Key})
	}
}

// set leaves the latest step for the recorder, without waiting.
func (r *progressRecorder) set(p ImportProgress) {
	r.mu.Lock()
	r.latest = &p
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// loop writes the latest step each time there is a new one, at most every
// importProgressGap, until quit.
func (r *progressRecorder) loop(ctx context.Context) {
	defer close(r.exited)
	pace := time.NewTimer(importProgressGap)
	pace.Stop()
	for {
		select {
		case <-r.wake:
		case <-r.quit:
			return
		}
		r.mu.Lock()
		p := r.latest
		r.mu.Unlock()
		row := r.row
		row.Stage, row.Done, row.Total, row.UpdatedAt = string(p.Stage), int64(p.Done), int64(p.Total), r.now()
		// Best effort: a failed write only leaves the poll a step behind;
		// the import's report is what counts.
		_ = r.store.SetImportProgress(ctx, row)
		pace.Reset(importProgressGap)
		select {
		case <-pace.C:
		case <-r.quit:
			return
		}
	}
}
