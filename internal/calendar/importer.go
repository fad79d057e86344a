package calendar

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/bulk"
	"github.com/tribune-social/tribune/internal/media"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// ImportOptions are the user's choices for a CSV import.
type ImportOptions struct {
	Format    bulk.Format
	DateOrder string
	// ChannelIDs receive every row of a Hootsuite file (it has no channel column).
	ChannelIDs []int64
	// ImportValid imports the valid rows even when other rows have errors;
	// otherwise any error imports nothing.
	ImportValid bool
	// ImportDuplicates imports rows whose content is already scheduled or
	// published on the channel close to that time (or repeats an earlier
	// row of the file); otherwise they are reported and skipped, as the
	// composer refuses them until the author confirms.
	ImportDuplicates bool
	// DryRun only reports.
	DryRun bool
	// Progress, when set, is told how far the import has gone: after each
	// row checked, then after each post saved.
	Progress func(stage ImportStage, done, total int)
}

// ImportStage names what an import is doing, for its progress.
type ImportStage string

// The stages of an import.
const (
	ImportChecking ImportStage = "checking"
	ImportSaving   ImportStage = "saving"
)

// progress reports to opt.Progress, when set.
func (o ImportOptions) progress(stage ImportStage, done, total int) {
	if o.Progress != nil {
		o.Progress(stage, done, total)
	}
}

// ImportReport is the per-row outcome.
type ImportReport struct {
	// Format is the layout read: the one chosen, or the one detected.
	Format   bulk.Format `json:"format"`
	Rows     int         `json:"rows"`
	Valid    int         `json:"valid"`
	Imported int         `json:"imported"`
	PostIDs  []int64     `json:"post_ids"`
	// Created pairs each line imported with the post it became.
	Created []ImportedRow   `json:"created"`
	Errors  []bulk.RowError `json:"errors"`
	// Duplicates are the rows skipped because their content is already
	// scheduled (see ImportOptions.ImportDuplicates); they do not stop the
	// other rows.
	Duplicates []bulk.RowError `json:"duplicates"`
}

// ImportedRow is a line of the file and the post it became.
type ImportedRow struct {
	Line   int   `json:"line"`
	PostID int64 `json:"post_id"`
}

// Importer turns CSV rows into scheduled posts.
type Importer struct {
	Calendar *Service
	Posts    *posts.Service
	// Media receives the images and videos rows name by URL.
	Media *media.Service
	// Fetch downloads them: the safe outgoing client (httpx.NewClient),
	// which refuses private addresses unless -allow-private-networks.
	Fetch *http.Client
}

// importRun is one import under way: who, where, and what the rows became.
type importRun struct {
	user store.User
	role auth.Role
	ws   store.Workspace
	tz   string
	opt  ImportOptions
	rep  ImportReport
	// byName and byID are the workspace's channels, as rows name them
	// (byName holds their handles too, with and without the @).
	byName map[string]store.Channel
	byID   map[int64]store.Channel
	plan   []planned
	// fetched are the media already downloaded by this import, by URL, so
	// a file repeated on many rows is fetched once.
	fetched map[string]int64
}

// planned is a valid row, ready to be saved.
type planned struct {
	line int
	in   posts.Input
	when time.Time
}

// Import validates every row (format, time, channel, network rules,
// horizon), sets duplicates aside and, unless nothing may be imported,
// schedules the valid ones in one transaction: either all of them land or
// none.
func (im *Importer) Import(ctx context.Context, user store.User, workspaceID int64, r io.Reader, opt ImportOptions) (ImportReport, error) {
	run, err := im.start(ctx, user, workspaceID, opt)
	if err != nil {
		return ImportReport{}, err
	}
	rows, rowErrs, format := bulk.ParseDetected(r, bulk.Options{Format: run.opt.Format, DateOrder: opt.DateOrder, Now: im.Calendar.Now(), TZ: run.tz})
	run.opt.Format = format
	run.rep = ImportReport{Format: format, Rows: len(rows) + countLinesOnlyInErrors(rows, rowErrs), Errors: rowErrs}
	im.planRows(ctx, run, rows)
	if err := im.setDuplicatesAside(ctx, run); err != nil {
		return run.rep, err
	}
	run.rep.Valid = len(run.plan)
	if opt.DryRun || len(run.plan) == 0 || (len(run.rep.Errors) > 0 && !opt.ImportValid) {
		return run.rep, nil
	}
	return im.save(ctx, run)
}

// start checks the user may compose in the workspace and the options, and
// loads what every row needs: the time zone and the channels.
func (im *Importer) start(ctx context.Context, user store.User, workspaceID int64, opt ImportOptions) (*importRun, error) {
	ws, role, err := im.Calendar.Auth.Authorize(ctx, user, workspaceID, auth.Compose)
	if err != nil {
		return nil, err
	}
	if opt.Format == "" {
		opt.Format = bulk.Auto
	}
	if !opt.Format.Valid() {
		return nil, problem.Invalidf("format", "bad_format", "Choose a layout from the list.")
	}
	run := &importRun{user: user, role: role, ws: ws, tz: ws.Timezone, opt: opt, byName: map[string]store.Channel{},
		byID: map[int64]store.Channel{}, fetched: map[string]int64{}}
	if user.Timezone != "" {
		run.tz = user.Timezone
	}
	chs, err := im.Calendar.Store.ListChannels(ctx, ws.ID)
	if err != nil {
		return nil, err
	}
	// Handles first, names after: a name wins over a handle it equals.
	for _, c := range chs {
		if h := strings.ToLower(strings.TrimPrefix(c.Handle, "@")); h != "" {
			run.byName[h] = c
			run.byName["@"+h] = c
		}
	}
	for _, c := range chs {
		run.byName[strings.ToLower(c.Name)] = c
		run.byID[c.ID] = c
	}
	return run, nil
}

// planRows turns each row that parsed into a post input checked like the
// composer checks one; a row with a problem is reported and left out.
func (im *Importer) planRows(ctx context.Context, run *importRun, rows []bulk.Row) {
	bad := map[int]bool{}
	for _, e := range run.rep.Errors {
		bad[e.Line] = true
	}
	for i, row := range rows {
		run.opt.progress(ImportChecking, i+1, len(rows))
		if bad[row.Line] {
			continue
		}
		p, rowErrs := im.planRow(ctx, run, row)
		if rowErrs == nil {
			run.plan = append(run.plan, p)
		}
		run.rep.Errors = append(run.rep.Errors, rowErrs...)
	}
}

// planRow checks one row: its channels, its media, its time against the
// horizon, and its content against each network's rules.
func (im *Importer) planRow(ctx context.Context, run *importRun, row bulk.Row) (planned, []bulk.RowError) {
	targets := run.targets(row)
	if len(targets) == 0 {
		return planned{}, []bulk.RowError{{Line: row.Line, Field: "channel", Code: "unknown_channel",
			Message: "Unknown channel %s.", Args: []any{strconv.Quote(row.Channel)}}}
	}
	in := posts.Input{ScheduledLocal: row.Local, Timezone: run.tz, Tags: row.Tags, ConfirmDuplicate: run.opt.ImportDuplicates}
	var mediaIDs []int64
	if !run.opt.DryRun {
		// A dry run fetches nothing: it would fill the library with the
		// files of an import that was only checked.
		for _, u := range row.MediaURLs {
			id, err := im.fetchMedia(ctx, run, u)
			if err != nil {
				return planned{}, []bulk.RowError{rowError(row.Line, "media_url", err)}
			}
			mediaIDs = append(mediaIDs, id)
		}
	}
	for _, c := range targets {
		in.Variants = append(in.Variants, posts.VariantInput{ChannelID: c.ID, Text: row.Text, Link: row.Link, FirstComment: row.FirstComment, MediaIDs: mediaIDs})
	}
	when, err := schedule.Resolve(in.ScheduledLocal, in.Timezone)
	if err == nil {
		err = im.Posts.CheckHorizon(run.ws, when)
	}
	if err != nil {
		return planned{}, []bulk.RowError{rowError(row.Line, "scheduled_at", err)}
	}
	views, err := im.Posts.Check(ctx, run.user, run.ws.ID, in)
	if err != nil {
		return planned{}, []bulk.RowError{rowError(row.Line, "", err)}
	}
	var errs []bulk.RowError
	for _, v := range views {
		for _, p := range v.Problems {
			errs = append(errs, bulk.RowError{Line: row.Line, Field: v.Channel.Name + ": " + p.Field, Code: p.Code, Message: p.Message, Args: p.Args})
		}
	}
	return planned{line: row.Line, in: in, when: when}, errs
}

// rowError reports a use-case problem on one line, with its detail's
// message when it has one (it names the limit that was crossed).
func rowError(line int, field string, err error) bulk.RowError {
	pe := problem.As(err)
	e := bulk.RowError{Line: line, Field: field, Code: pe.Code, Message: pe.Message, Args: pe.Args}
	if len(pe.Details) == 1 {
		d := pe.Details[0]
		e.Message, e.Args = d.Message, d.Args
	}
	return e
}

// targets are the channels a row goes to: the form's channels for a
// Hootsuite file or a row without a channel, else the one it names (by name
// or id).
func (run *importRun) targets(row bulk.Row) []store.Channel {
	var out []store.Channel
	switch c, ok := run.byName[strings.ToLower(row.Channel)]; {
	case row.Channel == "":
		for _, id := range run.opt.ChannelIDs {
			if c, ok := run.byID[id]; ok {
				out = append(out, c)
			}
		}
	case ok:
		out = append(out, c)
	default:
		if id, err := strconv.ParseInt(row.Channel, 10, 64); err == nil && run.byID[id].ID != 0 {
			out = append(out, run.byID[id])
		}
	}
	return out
}

// A media URL that could not be downloaded, with the reason in words of the
// catalogue: one message per reason rather than an English reason formatted
// into a translated sentence (which a French report would show half in
// English).
var (
	errMediaNotConfigured = problem.New(http.StatusUnprocessableEntity, "media_fetch_failed", "The media at this address could not be downloaded: this server does not fetch media.")
	errMediaBadAddress    = problem.New(http.StatusUnprocessableEntity, "media_fetch_failed", "The media at this address could not be downloaded: the address is not valid.")
	errMediaNoAnswer      = problem.New(http.StatusUnprocessableEntity, "media_fetch_failed", "The media at this address could not be downloaded: the server did not answer.")
	// errMediaStatus is formatted with the HTTP status code (a number,
	// the same in every language), not the server's English reason phrase.
	errMediaStatus = problem.New(http.StatusUnprocessableEntity, "media_fetch_failed", "The media at this address could not be downloaded: the server answered with the error %d.")
)

// fetchMedia downloads one media URL through the safe outgoing client and
// adds it to the workspace's library (which checks its size and type, from
// its content). The Content-Type and Content-Length announced are checked
// first, so a web page or a huge file is refused before it is read.
func (im *Importer) fetchMedia(ctx context.Context, run *importRun, u string) (int64, error) {
	if id, ok := run.fetched[u]; ok {
		return id, nil
	}
	if im.Media == nil || im.Fetch == nil {
		return 0, errMediaNotConfigured
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, errMediaBadAddress.Wrap(err)
	}
	resp, err := im.Fetch.Do(req)
	if err != nil {
		if httpx.Blocked(err) {
			return 0, problem.New(http.StatusUnprocessableEntity, "media_url_refused", "This address is not allowed: Tribune fetches media from public https addresses only.").Wrap(err)
		}
		return 0, errMediaNoAnswer.Wrap(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, errMediaStatus.Format(resp.StatusCode)
	}
	ct := resp.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(ct, "image/") && !strings.HasPrefix(ct, "video/") && !strings.HasPrefix(ct, "application/octet-stream") {
		return 0, problem.New(http.StatusUnprocessableEntity, "media_type", "This address is not an image or a video (it is %s).").Format(ct)
	}
	if resp.ContentLength > im.Media.Limit() {
		return 0, media.TooLarge(im.Media.Limit())
	}
	name := path.Base(req.URL.Path)
	m, err := im.Media.Upload(ctx, run.user, run.ws.ID, name, resp.Body, "", nil)
	if err != nil {
		return 0, err
	}
	run.fetched[u] = m.ID
	return m.ID, nil
}

// setDuplicatesAside moves out of the plan, and into the report, each row
// whose content is already stored on one of its channels close to its time,
// or repeats an earlier row of the file: the composer's duplicate check,
// reported per row instead of refused. ImportDuplicates keeps them all.
func (im *Importer) setDuplicatesAside(ctx context.Context, run *importRun) error {
	window := posts.DuplicateWindow(run.ws)
	if run.opt.ImportDuplicates || window <= 0 {
		return nil
	}
	type seenAt struct {
		line int
		when time.Time
	}
	seen := map[string][]seenAt{} // channel and content hash → earlier rows
	var kept []planned
	for _, p := range run.plan {
		dupPost, err := im.Posts.FindDuplicate(ctx, im.Calendar.Store, run.ws, p.in, p.when)
		if err != nil {
			return err
		}
		dupLine := 0
		for _, v := range p.in.Variants {
			for _, earlier := range seen[strconv.FormatInt(v.ChannelID, 10)+"/"+posts.ContentHash(v)] {
				if d := p.when.Sub(earlier.when); d <= window && d >= -window && dupLine == 0 {
					dupLine = earlier.line
				}
			}
		}
		switch {
		case dupPost != 0:
			run.rep.Duplicates = append(run.rep.Duplicates, bulk.RowError{Line: p.line, Code: posts.ErrDuplicate.Code,
				Message: "Same content as post #%d, already scheduled or published on this channel close to that time: skipped.", Args: []any{dupPost}})
			continue
		case dupLine != 0:
			run.rep.Duplicates = append(run.rep.Duplicates, bulk.RowError{Line: p.line, Code: posts.ErrDuplicate.Code,
				Message: "Same content as line %d of this file, on the same channel close to that time: skipped.", Args: []any{dupLine}})
			continue
		}
		for _, v := range p.in.Variants {
			k := strconv.FormatInt(v.ChannelID, 10) + "/" + posts.ContentHash(v)
			seen[k] = append(seen[k], seenAt{p.line, p.when})
		}
		kept = append(kept, p)
	}
	run.plan = kept
	return nil
}

// save schedules every planned row in one transaction.
func (im *Importer) save(ctx context.Context, run *importRun) (ImportReport, error) {
	rep := &run.rep
	err := im.Calendar.Store.InTx(ctx, func(tx store.Tx) error {
		for i, p := range run.plan {
			run.opt.progress(ImportSaving, i+1, len(run.plan))
			id, err := im.Posts.SaveTx(ctx, tx, run.user, run.role, run.ws, 0, p.in, posts.DoSchedule, &p.when, p.in.Timezone)
			if err != nil {
				return fmt.Errorf("line %d: %w", p.line, err)
			}
			rep.PostIDs = append(rep.PostIDs, id)
			rep.Created = append(rep.Created, ImportedRow{Line: p.line, PostID: id})
		}
		return nil
	})
	if err != nil {
		rep.PostIDs, rep.Created = nil, nil
		return *rep, problem.New(http.StatusUnprocessableEntity, "import_failed", "Nothing was imported: %s").Format(err.Error()).Wrap(err)
	}
	rep.Imported = len(rep.PostIDs)
	return *rep, nil
}

// countLinesOnlyInErrors counts rows that failed to parse at all (they are
// in the errors but not in rows), so the report's row count is the file's.
func countLinesOnlyInErrors(rows []bulk.Row, errs []bulk.RowError) int {
	seen := map[int]bool{}
	for _, r := range rows {
		seen[r.Line] = true
	}
	extra := map[int]bool{}
	for _, e := range errs {
		if !seen[e.Line] && e.Line > 0 {
			extra[e.Line] = true
		}
	}
	return len(extra)
}
