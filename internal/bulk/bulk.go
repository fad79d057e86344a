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
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/schedule"
)

// Format names a CSV layout.
type Format string

// The layouts Tribune reads. Each one's columns come from its vendor's help
// page, cited at its spec below; where a page does not give a column's exact
// name or format, the spec says so and accepts the documented variants.
// Header names are compared without case, spaces, underscores or dashes.
const (
	// Auto detects the layout from the first line (see Detect).
	Auto Format = "auto"
	// Hootsuite: the bulk composer's file, normally without a header; date
	// and time, message, optional link. Dates are "dd/mm/yyyy hh:mm" or
	// "mm/dd/yyyy hh:mm" (Options.DateOrder), 24-hour; the date and the
	// time may also be two columns. A header row (date, time, message,
	// link) is accepted too.
	Hootsuite Format = "hootsuite"
	// Tribune: a header row naming the columns scheduled_at (wall-clock
	// "YYYY-MM-DD HH:MM" in the workspace's zone), channel, text, link,
	// first_comment, media_url, tags (separated by commas or semicolons).
	Tribune Format = "tribune"
	// SproutSocial: Sprout Social's bulk scheduling file (date, time_24hr,
	// message_text; link and image_url optional).
	SproutSocial Format = "sprout"
	// Agorapulse: Agorapulse's bulk import file (post_content, post_link,
	// image_url, video_url).
	Agorapulse Format = "agorapulse"
	// SocialBee: SocialBee's CSV import (text, link, imageUrls, videoUrls,
	// gifUrls, postAtSpecificTime).
	SocialBee Format = "socialbee"
	// Buffer: Buffer's export of posts (Text, Link, Image URL, Scheduled
	// At, Profile, Tags).
	Buffer Format = "buffer"
)

// Formats lists the layouts a user can choose, Auto first.
var Formats = []Format{Auto, Tribune, Hootsuite, SproutSocial, Agorapulse, SocialBee, Buffer}

// Valid reports whether f is a layout Parse reads.
func (f Format) Valid() bool {
	for _, k := range Formats {
		if f == k {
			return true
		}
	}
	return false
}

// Label is the layout's name as its vendor writes it.
func (f Format) Label() string {
	switch f {
	case Tribune:
		return "Tribune"
	case Hootsuite:
		return "Hootsuite"
	case SproutSocial:
		return "Sprout Social"
	case Agorapulse:
		return "Agorapulse"
	case SocialBee:
		return "SocialBee"
	case Buffer:
		return "Buffer"
	}
	return string(f)
}

// MaxRows bounds one import so a mistaken upload cannot tie the server up.
// It is far above the 350 rows Hootsuite and Sprout Social take.
const MaxRows = 5000

// Options are the choices of an import.
type Options struct {
	Format Format
	// DateOrder is "dmy" (default) or "mdy" for Hootsuite and Sprout Social
	// files, whose dates are written with slashes.
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
	// MediaURLs are images or videos to fetch into the media library.
	MediaURLs []string
	Tags      []string
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

// spec maps a layout's columns to a row's fields: each field lists the
// header names (normalised by norm) it may have.
type spec struct {
	when, date, clock, text, link, channel, first, media, tags []string
	// need are the fields a header must have, by the name shown in errors.
	need map[string][]string
}

var specs = map[Format]spec{
	Tribune: {when: []string{"scheduledat"}, text: []string{"text"}, link: []string{"link"}, channel: []string{"channel"},
		first: []string{"firstcomment"}, media: []string{"mediaurl", "mediaurls"}, tags: []string{"tags"},
		need: map[string][]string{"scheduled_at": {"scheduledat"}, "text": {"text"}}},
	// Hootsuite's bulk composer takes no header (its sample file has none);
	// some exports and templates name the columns, so a header of date
	// [time] message [link] is read too. Sources: Hootsuite's bulk composer
	// instructions as quoted in
	// https://kim-iverson-headlee.blogspot.com/2016/08/the-business-of-writing-using-hootsuite.html
	// (date and time, message, link; at most 350 rows) and
	// http://jycalcano.blogspot.com/2015/07/post-8-hootsuite-bulk-messaging.html
	// (dd/mm/yyyy or mm/dd/yyyy hh:mm chosen at upload). The header names
	// are not documented: the common ones are accepted.
	Hootsuite: {date: []string{"date", "dateandtime", "datetime", "scheduleddate"}, clock: []string{"time"},
		text: []string{"message", "text", "messagetext"}, link: []string{"link", "url"},
		need: map[string][]string{"date": {"date", "dateandtime", "datetime", "scheduleddate"}, "message": {"message", "text", "messagetext"}}},
	// Sprout Social, https://support.sproutsocial.com/hc/en-us/articles/115005864203-How-do-I-use-bulk-scheduling
	// : the required headers are date (dd/mm/yyyy or mm/dd/yyyy, an import
	// preference), time_24hr and message_text. The optional link and image
	// columns are not named on the page we could read: link, url,
	// image_url and media_url are accepted.
	SproutSocial: {date: []string{"date"}, clock: []string{"time24hr", "time"}, text: []string{"messagetext"},
		link: []string{"link", "url"}, media: []string{"imageurl", "mediaurl", "imageurls"}, tags: []string{"tags"},
		need: map[string][]string{"date": {"date"}, "time_24hr": {"time24hr", "time"}, "message_text": {"messagetext"}}},
	// Agorapulse, https://support.agorapulse.com/de/articles/8774056-wie-erstelle-ich-einen-sammel-import-aus-einer-csv-datei
	// : post_content, post_link, video_url, image_url (one or more
	// public URLs), all optional. The page we could read names no date
	// column (imports become drafts there); Tribune schedules, so it reads
	// publishing_date, scheduled_at or date [and time] when present, and
	// reports a row without one.
	Agorapulse: {when: []string{"publishingdate", "publishdate", "scheduledat", "scheduleddate"}, date: []string{"date"}, clock: []string{"time"},
		text: []string{"postcontent"}, link: []string{"postlink"}, media: []string{"imageurl", "videourl"}, tags: []string{"labels", "label", "tags"},
		need: map[string][]string{"post_content": {"postcontent"}}},
	// SocialBee, https://help.socialbee.com/article/80-how-do-i-import-content-via-csv
	// : text, link, imageUrls, gifUrls, videoUrls, postAtSpecificTime.
	// The time's format is cut from the page we could read; tools that
	// copy SocialBee's layout document "yyyy-MM-dd HH:mm:ss"
	// (https://help.kyriossystems.com/en/articles/13662132) and ISO 8601 is
	// accepted too. Several URLs in one cell are separated by commas.
	SocialBee: {when: []string{"postatspecifictime"}, text: []string{"text"}, link: []string{"link"},
		media: []string{"imageurls", "gifurls", "videourls"},
		need:  map[string][]string{"text": {"text"}, "postAtSpecificTime": {"postatspecifictime"}}},
	// Buffer's export: Buffer documents no CSV layout of its own; the
	// columns Text, Image URL, Scheduled At, Profile and Tags are those
	// migration tools report for it (https://sonethub.com/docs/importing-posts).
	// Unconfirmed: the variants Due At, Link, Channel and Media URL are
	// accepted too, and times as ISO 8601 or "YYYY-MM-DD HH:MM".
	Buffer: {when: []string{"scheduledat", "dueat", "scheduledtime", "date"}, text: []string{"text", "content", "post"},
		link: []string{"link", "linkurl"}, channel: []string{"profile", "channel", "profilename", "account"},
		media: []string{"imageurl", "mediaurl", "imageurls", "mediaurls"}, tags: []string{"tags"},
		need: map[string][]string{"Text": {"text", "content", "post"}, "Scheduled At": {"scheduledat", "dueat", "scheduledtime", "date"}}},
}

// norm is a header name compared: lower case without spaces, underscores
// or dashes, so "Image URL", "image_url" and "imageUrl" are one column.
func norm(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		if r != ' ' && r != '_' && r != '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Detect names the layout of a file from its first record: a header that
// only one vendor writes, or a headerless Hootsuite line (a date first).
// It returns Auto when nothing matches.
func Detect(first []string) Format {
	h := map[string]bool{}
	raw := map[string]bool{}
	for _, f := range first {
		h[norm(f)] = true
		raw[strings.ToLower(strings.TrimSpace(f))] = true
	}
	switch {
	case h["postatspecifictime"]:
		return SocialBee
	case h["postcontent"] || h["postlink"]:
		return Agorapulse
	case h["messagetext"] || h["time24hr"]:
		return SproutSocial
	case raw["scheduled_at"]: // Tribune writes the underscore; Buffer writes "Scheduled At"
		return Tribune
	case (h["scheduledat"] || h["dueat"]) && h["text"]:
		return Buffer
	case h["message"] && (h["date"] || h["dateandtime"] || h["datetime"]):
		return Hootsuite
	}
	if hootsuiteLine(first) {
		return Hootsuite
	}
	return Auto
}

// hootsuiteLine reports whether rec is a headerless Hootsuite line: a
// slashed date and time (in one column or two) first, then the message.
func hootsuiteLine(rec []string) bool {
	if len(rec) < 2 {
		return false
	}
	when := strings.TrimSpace(rec[0])
	if len(rec) >= 3 && clockOnly.MatchString(strings.TrimSpace(rec[1])) {
		when += " " + strings.TrimSpace(rec[1])
	}
	_, dmy := parseSlashed(when, "dmy")
	_, mdy := parseSlashed(when, "mdy")
	return dmy || mdy
}

// Parse reads every row of r. Rows with errors are reported and left out.
// The layout is opt.Format, or detected from the first record when it is
// Auto (or empty); ParseDetected also returns the layout.
func Parse(r io.Reader, opt Options) ([]Row, []RowError) {
	rows, errs, _ := ParseDetected(r, opt)
	return rows, errs
}

// ParseDetected is Parse, and names the layout it read.
func ParseDetected(r io.Reader, opt Options) ([]Row, []RowError, Format) {
	format := opt.Format
	if format == "" {
		format = Auto
	}
	raw, err := io.ReadAll(io.LimitReader(r, 32<<20))
	if err != nil {
		return nil, []RowError{badRow(0, "", "unreadable", "The file could not be read.")}, format
	}
	if !utf8.Valid(raw) {
		return nil, []RowError{badRow(0, "", "not_utf8", "Save the file as UTF-8 CSV.")}, format
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		// A NUL is no text a post can hold (PostgreSQL refuses it): the
		// file is not a CSV, or was saved as UTF-16.
		return nil, []RowError{badRow(0, "", "not_utf8", "The file holds NUL characters: save it as UTF-8 CSV.")}, format
	}
	text := strings.TrimPrefix(string(raw), "\uFEFF") // Excel's byte-order mark
	comma := ','
	if first, _, _ := strings.Cut(text, "\n"); strings.Count(first, ";") > strings.Count(first, ",") {
		comma = ';' // French Excel writes semicolons
	}
	var (
		rows    []Row
		errs    []RowError
		header  map[string]int
		started bool
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
		if !started {
			started = true
			if format == Auto {
				if format = Detect(rec.fields); format == Auto {
					return nil, []RowError{badRow(line, "", "unknown_layout", "The layout of this file was not recognised: choose it in the list.")}, Auto
				}
			}
			// A Hootsuite file has a header only when its first line
			// does not start with a date.
			if format != Hootsuite || !hootsuiteLine(rec.fields) {
				var herrs []RowError
				if header, herrs = readHeader(line, rec.fields, specs[format]); herrs != nil {
					return nil, herrs, format
				}
				continue
			}
		}
		if len(rows)+len(errs) >= MaxRows {
			errs = append(errs, badRow(line, "", "too_many_rows", "A file holds at most %d rows; split it.", MaxRows))
			break
		}
		var row Row
		var rerrs []RowError
		if header == nil {
			row, rerrs = hootsuiteRow(line, rec.fields, opt.DateOrder)
		} else {
			row, rerrs = headerRow(line, rec.fields, header, specs[format], opt.DateOrder, loc)
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
	if !started && len(errs) == 0 {
		errs = append(errs, badRow(1, "", "empty", "The file is empty."))
	}
	return rows, errs, format
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

// readHeader maps the normalised header names to their columns, and
// checks the layout's required columns are there.
func readHeader(line int, rec []string, sp spec) (map[string]int, []RowError) {
	h := map[string]int{}
	for i, name := range rec {
		if _, dup := h[norm(name)]; !dup {
			h[norm(name)] = i
		}
	}
	names := slices.Sorted(maps.Keys(sp.need))
	for _, need := range names {
		if column(h, sp.need[need]) < 0 {
			return nil, []RowError{badRow(line, need, "missing_column", "The header row lacks the column %s. Columns: %s.", need, strings.Join(names, ", "))}
		}
	}
	return h, nil
}

// column is the index of the first of names in the header, or -1.
func column(h map[string]int, names []string) int {
	for _, n := range names {
		if i, ok := h[n]; ok {
			return i
		}
	}
	return -1
}

// headerRow reads one row of a file with a header.
func headerRow(line int, rec []string, h map[string]int, sp spec, order string, loc *time.Location) (Row, []RowError) {
	get := func(names []string) string {
		if i := column(h, names); i >= 0 && i < len(rec) {
			return strings.TrimSpace(unneutralise(rec[i]))
		}
		return ""
	}
	row := Row{Line: line, Channel: get(sp.channel), Text: get(sp.text), Link: get(sp.link), FirstComment: get(sp.first)}
	// Each media column may hold several URLs, separated by commas,
	// semicolons, spaces or line breaks.
	for _, names := range sp.media {
		for _, u := range strings.FieldsFunc(get([]string{names}), func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '|' }) {
			row.MediaURLs = append(row.MediaURLs, u)
		}
	}
	for _, t := range strings.FieldsFunc(get(sp.tags), func(r rune) bool { return r == ',' || r == ';' }) {
		if t = strings.TrimSpace(t); t != "" {
			row.Tags = append(row.Tags, t)
		}
	}
	var errs []RowError
	when := get(sp.when)
	if when == "" && get(sp.date) != "" {
		when = strings.TrimSpace(get(sp.date) + " " + get(sp.clock))
	}
	if local, ok := parseWhen(when, order, loc); ok {
		row.Local = local
	} else if when == "" {
		errs = append(errs, badRow(line, "scheduled_at", "no_time", "This row has no date and time."))
	} else {
		errs = append(errs, badRow(line, "scheduled_at", "bad_time", "Write the date and time as YYYY-MM-DD HH:MM, got %s.", quote(when)))
	}
	errs = append(errs, checkCommon(line, row)...)
	return row, errs
}

// parseWhen reads a date and time as the tools write them: the wall clock
// "YYYY-MM-DD HH:MM[:SS]" (or with a T), ISO 8601 with an offset (shown in
// loc), or "dd/mm/yyyy HH:MM" and "mm/dd/yyyy HH:MM" by order. It returns
// the wall-clock time in schedule.LocalLayout.
func parseWhen(s, order string, loc *time.Location) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.In(loc).Format(schedule.LocalLayout), true
		}
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(schedule.LocalLayout), true
		}
	}
	if t, ok := parseSlashed(s, order); ok {
		return t.Format(schedule.LocalLayout), true
	}
	return "", false
}

// parseSlashed reads "dd/mm/yyyy HH:MM" (order "dmy", the default) or
// "mm/dd/yyyy HH:MM" ("mdy"), with or without seconds, with one or two
// digits for the day, month and hour.
func parseSlashed(s, order string) (time.Time, bool) {
	layouts := []string{"2/1/2006 15:04", "2/1/2006 15:04:05"}
	if order == "mdy" {
		layouts = []string{"1/2/2006 15:04", "1/2/2006 15:04:05"}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var clockOnly = regexp.MustCompile(`^\d{1,2}:\d{2}$`)

// hootsuiteRow reads a headerless Hootsuite line: date and time, message,
// link; or date, time, message, link when the time is a column of its own.
func hootsuiteRow(line int, rec []string, order string) (Row, []RowError) {
	var errs []RowError
	if len(rec) < 2 {
		return Row{}, []RowError{badRow(line, "", "missing_fields", "A row needs a date and a message.")}
	}
	when := strings.TrimSpace(rec[0])
	if len(rec) >= 3 && clockOnly.MatchString(strings.TrimSpace(rec[1])) {
		when += " " + strings.TrimSpace(rec[1])
		rec = rec[1:]
	}
	row := Row{Line: line, Text: strings.TrimSpace(rec[1])}
	if len(rec) > 2 {
		row.Link = strings.TrimSpace(rec[2])
	}
	t, ok := parseSlashed(when, order)
	if !ok {
		hint := "dd/mm/yyyy hh:mm"
		if order == "mdy" {
			hint = "mm/dd/yyyy hh:mm"
		}
		errs = append(errs, badRow(line, "date", "bad_time", "Write the date as %s, got %s.", hint, quote(when)))
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
	if row.Text == "" && len(row.MediaURLs) == 0 {
		errs = append(errs, badRow(line, "text", "empty_text", "The message is empty."))
	}
	for _, u := range append([]string{row.Link}, row.MediaURLs...) {
		if u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			field := "media_url"
			if u == row.Link {
				field = "link"
			}
			errs = append(errs, badRow(line, field, "bad_url", "Links start with https://."))
		}
	}
	return errs
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
