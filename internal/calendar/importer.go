package calendar

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/bulk"
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
	// DryRun only reports.
	DryRun bool
}

// ImportReport is the per-row outcome.
type ImportReport struct {
	Rows     int             `json:"rows"`
	Valid    int             `json:"valid"`
	Imported int             `json:"imported"`
	PostIDs  []int64         `json:"post_ids"`
	Errors   []bulk.RowError `json:"errors"`
}

// Importer turns CSV rows into scheduled posts.
type Importer struct {
	Calendar *Service
	Posts    *posts.Service
}

// Import validates every row (format, time, channel, network rules) and,
// unless nothing may be imported, schedules the valid ones in one
// transaction: either all of them land or none.
func (im *Importer) Import(ctx context.Context, user store.User, workspaceID int64, r io.Reader, opt ImportOptions) (ImportReport, error) {
	s := im.Calendar
	ws, role, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Compose)
	if err != nil {
		return ImportReport{}, err
	}
	tz := ws.Timezone
	if user.Timezone != "" {
		tz = user.Timezone
	}
	if opt.Format != bulk.Format("hootsuite") && opt.Format != bulk.Format("tribune") {
		return ImportReport{}, problem.Invalidf("format", "bad_format", "Choose the Hootsuite or the Tribune layout.", "Choisissez le format Hootsuite ou Tribune.")
	}
	rows, rowErrs := bulk.Parse(r, bulk.Options{Format: opt.Format, DateOrder: opt.DateOrder, Now: s.Now(), TZ: tz})
	chs, err := s.Store.ListChannels(ctx, ws.ID)
	if err != nil {
		return ImportReport{}, err
	}
	byName := map[string]store.Channel{}
	byID := map[int64]store.Channel{}
	for _, c := range chs {
		byName[strings.ToLower(c.Name)] = c
		byID[c.ID] = c
	}
	rep := ImportReport{Rows: len(rows) + countLinesOnlyInErrors(rows, rowErrs), Errors: rowErrs}
	bad := map[int]bool{}
	for _, e := range rowErrs {
		bad[e.Line] = true
	}
	type planned struct {
		line int
		in   posts.Input
	}
	var plan []planned
	for _, row := range rows {
		if bad[row.Line] {
			continue
		}
		var targets []store.Channel
		if opt.Format == bulk.Format("hootsuite") || row.Channel == "" {
			for _, id := range opt.ChannelIDs {
				if c, ok := byID[id]; ok {
					targets = append(targets, c)
				}
			}
		} else if c, ok := byName[strings.ToLower(row.Channel)]; ok {
			targets = append(targets, c)
		} else if id, err := strconv.ParseInt(row.Channel, 10, 64); err == nil && byID[id].ID != 0 {
			targets = append(targets, byID[id])
		}
		if len(targets) == 0 {
			rep.Errors = append(rep.Errors, bulk.RowError{Line: row.Line, Field: "channel", Code: "unknown_channel",
				Message: "Unknown channel " + strconv.Quote(row.Channel) + ".", MessageFR: "Canal inconnu : " + strconv.Quote(row.Channel) + "."})
			continue
		}
		if row.MediaURL != "" {
			rep.Errors = append(rep.Errors, bulk.RowError{Line: row.Line, Field: "media_url", Code: "media_url_unsupported",
				Message:   "Media by URL are not fetched yet: upload the file to the media library and attach it in the composer.",
				MessageFR: "Les médias par URL ne sont pas encore récupérés : importez le fichier dans la médiathèque et joignez-le dans l’éditeur."})
			continue
		}
		in := posts.Input{ScheduledLocal: row.Local, Timezone: tz, Tags: row.Tags}
		for _, c := range targets {
			in.Variants = append(in.Variants, posts.VariantInput{ChannelID: c.ID, Text: row.Text, Link: row.Link, FirstComment: row.FirstComment})
		}
		views, err := im.Posts.Check(ctx, user, ws.ID, in)
		if err != nil {
			pe := problem.As(err)
			rep.Errors = append(rep.Errors, bulk.RowError{Line: row.Line, Code: pe.Code, Message: pe.Message, MessageFR: pe.MessageFR})
			continue
		}
		ok := true
		for _, v := range views {
			for _, p := range v.Problems {
				ok = false
				rep.Errors = append(rep.Errors, bulk.RowError{Line: row.Line, Field: v.Channel.Name + ": " + p.Field, Code: p.Code, Message: p.Message, MessageFR: p.MessageFR})
			}
		}
		if ok {
			plan = append(plan, planned{row.Line, in})
		}
	}
	rep.Valid = len(plan)
	if opt.DryRun || len(plan) == 0 || (len(rep.Errors) > 0 && !opt.ImportValid) {
		return rep, nil
	}
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		for _, p := range plan {
			when, err := schedule.Resolve(p.in.ScheduledLocal, p.in.Timezone)
			if err != nil {
				return err
			}
			p.in.ConfirmDuplicate = true
			id, err := im.Posts.SaveTx(ctx, tx, user, role, ws, 0, p.in, posts.DoSchedule, &when, p.in.Timezone)
			if err != nil {
				return fmt.Errorf("line %d: %w", p.line, err)
			}
			rep.PostIDs = append(rep.PostIDs, id)
		}
		return nil
	})
	if err != nil {
		return rep, problem.New(http.StatusUnprocessableEntity, "import_failed", "Nothing was imported: "+err.Error(), "Rien n’a été importé : "+err.Error()).Wrap(err)
	}
	rep.Imported = len(rep.PostIDs)
	return rep, nil
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
