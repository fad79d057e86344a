// Package bulk reads and writes posts in bulk: CSV files in Hootsuite's bulk
// composer layout (what people migrating bring) and in Tribune's own layout,
// CSV export, and the iCalendar feed of a workspace's calendar.
//
// Parsing never stops at the first bad row: every row gets its own error
// with its line number, so a user fixes the file once.
package bulk

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/schedule"
)

// Format names a CSV layout.
type Format string

// The layouts Tribune reads.
const (
	// Hootsuite: no header; date and time, message, optional link. Dates are
	// "dd/mm/yyyy hh:mm" or "mm/dd/yyyy hh:mm" (Options.DateOrder), 24-hour.
	Hootsuite Format = "hootsuite"
	// Tribune: a header row naming the columns scheduled_at (wall-clock
	// "YYYY-MM-DD HH:MM" in the workspace's zone), channel, text, link,
	// first_comment, media_url, tags (separated by commas or semicolons).
	Tribune Format = "tribune"
)

// MaxRows bounds one import so a mistaken upload cannot tie the server up.
const MaxRows = 5000

// Options are the choices of an import.
type Options struct {
	Format Format
	// DateOrder is "dmy" (default) or "mdy" for Hootsuite files.
	DateOrder string
	// Now and TZ reject times in the past (as Hootsuite does).
	Now time.Time
	TZ  string
}

// Row is one valid line of a file.
type Row struct {
	Line         int
	Local        string // schedule.LocalLayout
	Channel      string
	Text         string
	Link         string
	FirstComment string
	MediaURL     string
	Tags         []string
}

// RowError is what is wrong with one line.
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"` // English, the catalogue key (internal/i18n); a fmt format when Args are set
	Args    []any  `json:"-"`       // values of Message's verbs
}

// Localized returns the message in lang (English when lang is unknown).
func (e RowError) Localized(lang string) string { return i18n.T(lang, e.Message, e.Args...) }

// MarshalJSON writes the error with its message in English and French.
func (e RowError) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Line      int    `json:"line"`
		Field     string `json:"field,omitempty"`
		Code      string `json:"code"`
		Message   string `json:"message"`
		MessageFR string `json:"message_fr"`
	}{e.Line, e.Field, e.Code, e.Localized("en"), e.Localized("fr")})
}

// badRow is a RowError; en is an English message (a fmt format with args)
// in the catalogue.
func badRow(line int, field, code, en string, args ...any) RowError {
	return RowError{Line: line, Field: field, Code: code, Message: en, Args: args}
}

var tribuneColumns = []string{"scheduled_at", "channel", "text", "link", "first_comment", "media_url", "tags"}

// Parse reads every row of r. Rows with errors are reported and left out.
func Parse(r io.Reader, opt Options) ([]Row, []RowError) {
	raw, err := io.ReadAll(io.LimitReader(r, 32<<20))
	if err != nil {
		return nil, []RowError{badRow(0, "", "unreadable", "The file could not be read.")}
	}
	if !utf8.Valid(raw) {
		return nil, []RowError{badRow(0, "", "not_utf8", "Save the file as UTF-8 CSV.")}
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		// A NUL is no text a post can hold (PostgreSQL refuses it): the
		// file is not a CSV, or was saved as UTF-16.
		return nil, []RowError{badRow(0, "", "not_utf8", "The file holds NUL characters: save it as UTF-8 CSV.")}
	}
	text := strings.TrimPrefix(string(raw), "\uFEFF") // Excel's byte-order mark
	comma := ','
	if first, _, _ := strings.Cut(text, "\n"); strings.Count(first, ";") > strings.Count(first, ",") {
		comma = ';' // French Excel writes semicolons
	}
	var (
		rows   []Row
		errs   []RowError
		header map[string]int
	)
	loc, lerr := schedule.Location(opt.TZ)
	if lerr != nil {
		loc = time.UTC
	}
	for line, rec := range records(text, comma) {
		if rec.err != nil {
			errs = append(errs, badRow(line, "", "bad_csv", "This line is not valid CSV: %s", rec.err.Error()))
			continue
		}
		if blank(rec.fields) {
			continue
		}
		if len(rows)+len(errs) >= MaxRows {
			errs = append(errs, badRow(line, "", "too_many_rows", "A file holds at most %d rows; split it.", MaxRows))
			break
		}
		var row Row
		var rerrs []RowError
		switch opt.Format {
		case Hootsuite:
			row, rerrs = hootsuiteRow(line, rec.fields, opt.DateOrder)
		default:
			if header == nil {
				header, rerrs = readHeader(line, rec.fields)
				if rerrs != nil {
					return nil, rerrs
				}
				continue
			}
			row, rerrs = tribuneRow(line, rec.fields, header)
		}
		if rerrs == nil && row.Local != "" {
			y, mo, d, h, mi, _ := schedule.ParseLocal(row.Local)
			if !opt.Now.IsZero() && !schedule.At(loc, y, mo, d, h, mi).After(opt.Now) {
				rerrs = append(rerrs, badRow(line, "scheduled_at", "in_the_past", "This time is in the past."))
			}
		}
		if rerrs != nil {
			errs = append(errs, rerrs...)
			continue
		}
		rows = append(rows, row)
	}
	if opt.Format != Hootsuite && header == nil && len(errs) == 0 {
		errs = append(errs, badRow(1, "", "empty", "The file is empty."))
	}
	return rows, errs
}

// record is one record of a file, or why its line could not be read.
type record struct {
	fields []string
	err    error
}

// records yields every record of text with the line it starts on. A line
// encoding/csv cannot read is yielded with its error, and reading resumes on
// the next line: an unterminated quote would otherwise swallow the rest of
// the file into one field, and the rows after it would go unreported.
func records(text string, comma rune) iter.Seq2[int, record] {
	return func(yield func(int, record) bool) {
		base := 1 // the line of the file the current reader starts on
		for {
			cr := csv.NewReader(strings.NewReader(text))
			cr.Comma = comma
			cr.FieldsPerRecord = -1
			for {
				fields, err := cr.Read()
				if errors.Is(err, io.EOF) {
					return
				}
				line, _ := cr.FieldPos(0)
				var pe *csv.ParseError
				if err == nil || !errors.As(err, &pe) {
					if !yield(base+line-1, record{fields, err}) {
						return
					}
					continue
				}
				// pe.Err, not pe: its line numbers count from where this
				// reader started; the caller reports the file's line.
				if !yield(base+pe.StartLine-1, record{nil, pe.Err}) {
					return
				}
				// Start again after the line the bad record starts on.
				skip := pe.StartLine
				for range skip {
					_, rest, ok := strings.Cut(text, "\n")
					if !ok {
						return
					}
					text = rest
				}
				base += skip
				break
			}
		}
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func readHeader(line int, rec []string) (map[string]int, []RowError) {
	h := map[string]int{}
	for i, name := range rec {
		h[strings.ToLower(strings.TrimSpace(name))] = i
	}
	for _, need := range []string{"scheduled_at", "text"} {
		if _, ok := h[need]; !ok {
			return nil, []RowError{badRow(line, need, "missing_column", "The header row lacks the column %s. Columns: %s.", need, strings.Join(tribuneColumns, ", "))}
		}
	}
	return h, nil
}

func tribuneRow(line int, rec []string, h map[string]int) (Row, []RowError) {
	get := func(name string) string {
		if i, ok := h[name]; ok && i < len(rec) {
			return strings.TrimSpace(unneutralise(rec[i]))
		}
		return ""
	}
	row := Row{Line: line, Channel: get("channel"), Text: get("text"), Link: get("link"), FirstComment: get("first_comment"), MediaURL: get("media_url")}
	for _, t := range strings.FieldsFunc(get("tags"), func(r rune) bool { return r == ',' || r == ';' }) {
		if t = strings.TrimSpace(t); t != "" {
			row.Tags = append(row.Tags, t)
		}
	}
	var errs []RowError
	when := get("scheduled_at")
	if _, _, _, _, _, err := schedule.ParseLocal(when); err != nil {
		errs = append(errs, badRow(line, "scheduled_at", "bad_time", "Write scheduled_at as YYYY-MM-DD HH:MM, got %s.", quote(when)))
	} else {
		row.Local = normalLocal(when)
	}
	errs = append(errs, checkCommon(line, row)...)
	return row, errs
}

func hootsuiteRow(line int, rec []string, order string) (Row, []RowError) {
	var errs []RowError
	if len(rec) < 2 {
		return Row{}, []RowError{badRow(line, "", "missing_fields", "A row needs a date and a message.")}
	}
	row := Row{Line: line, Text: strings.TrimSpace(rec[1])}
	if len(rec) > 2 {
		row.Link = strings.TrimSpace(rec[2])
	}
	layout := "02/01/2006 15:04"
	if order == "mdy" {
		layout = "01/02/2006 15:04"
	}
	t, err := time.Parse(layout, strings.TrimSpace(rec[0]))
	if err != nil {
		hint := "dd/mm/yyyy hh:mm"
		if order == "mdy" {
			hint = "mm/dd/yyyy hh:mm"
		}
		errs = append(errs, badRow(line, "date", "bad_time", "Write the date as %s, got %s.", hint, quote(rec[0])))
	} else {
		if t.Minute()%5 != 0 {
			errs = append(errs, badRow(line, "date", "not_multiple_of_5", "Hootsuite files schedule on multiples of 5 minutes."))
		}
		row.Local = t.Format(schedule.LocalLayout)
	}
	errs = append(errs, checkCommon(line, row)...)
	return row, errs
}

func checkCommon(line int, row Row) []RowError {
	var errs []RowError
	if row.Text == "" && row.MediaURL == "" {
		errs = append(errs, badRow(line, "text", "empty_text", "The message is empty."))
	}
	for field, u := range map[string]string{"link": row.Link, "media_url": row.MediaURL} {
		if u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			errs = append(errs, badRow(line, field, "bad_url", "Links start with https://."))
		}
	}
	return errs
}

func normalLocal(s string) string {
	y, mo, d, h, mi, _ := schedule.ParseLocal(s)
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC).Format(schedule.LocalLayout)
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return "«" + s + "»"
}

// formulaStart lists the first characters that make a spreadsheet read a
// cell as a formula (OWASP's CSV injection guidance): "=", "+", "-", "@",
// and tab and carriage return, which some spreadsheets skip before one.
const formulaStart = "=+-@\t\r"

// neutralise prefixes a cell a spreadsheet would run as a formula with an
// apostrophe, which shows it as text: a post whose text begins
// "=HYPERLINK(…)" must not become a live link, or a command, in the
// spreadsheet of whoever opens the export. Parse takes the apostrophe off
// again, so an export imports back unchanged.
func neutralise(cell string) string {
	if cell != "" && strings.ContainsRune(formulaStart, rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// unneutralise undoes neutralise on a cell read back.
func unneutralise(cell string) string {
	if len(cell) > 1 && cell[0] == '\'' && strings.ContainsRune(formulaStart, rune(cell[1])) {
		return cell[1:]
	}
	return cell
}

// ExportPost is one variant in an export.
type ExportPost struct {
	Local, TZ, Status, Channel, Network string
	Text, Link, FirstComment            string
	Tags                                []string
	URL                                 string
}

// Export writes rows in Tribune's layout (which Parse reads back), with the
// status, network and published address after the importable columns.
func Export(w io.Writer, rows []ExportPost) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{}, tribuneColumns...), "timezone", "status", "network", "url")); err != nil {
		return err
	}
	for _, r := range rows {
		local := strings.Replace(r.Local, "T", " ", 1)
		rec := []string{local, r.Channel, r.Text, r.Link, r.FirstComment, "", strings.Join(r.Tags, ", "), r.TZ, r.Status, r.Network, r.URL}
		for i := range rec {
			rec[i] = neutralise(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
