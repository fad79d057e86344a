package bulk

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

func TestParseTribuneReportsEveryBadRow(t *testing.T) {
	in := "\uFEFFscheduled_at,channel,text,link,tags\n" +
		"2026-12-01 09:00,Sandbox · shop,Hello,https://example.com,\"news, launch\"\n" +
		"2026-13-01 09:00,Sandbox · shop,Bad month,,\n" +
		"2025-12-01 09:00,Sandbox · shop,Past,,\n" +
		"\n" +
		"2026-12-02 10:30,Sandbox · shop,,,\n" +
		"2026-12-03 08:00,Sandbox · shop,Link,ftp://x,\n"
	rows, errs := Parse(strings.NewReader(in), Options{Format: Tribune, Now: now, TZ: "Europe/Paris"})
	if len(rows) != 1 || rows[0].Local != "2026-12-01T09:00" || rows[0].Line != 2 || len(rows[0].Tags) != 2 {
		t.Fatalf("rows = %+v", rows)
	}
	want := map[int]string{3: "bad_time", 4: "in_the_past", 6: "empty_text", 7: "bad_url"}
	if len(errs) != len(want) {
		t.Fatalf("errors = %+v", errs)
	}
	for _, e := range errs {
		if want[e.Line] != e.Code {
			t.Errorf("line %d: code %q, want %q", e.Line, e.Code, want[e.Line])
		}
	}
}

func TestParseHootsuiteDateOrders(t *testing.T) {
	in := "03/12/2026 09:15,Bonjour,https://example.com\n12/03/2026 09:17,Odd minute\n"
	rows, errs := Parse(strings.NewReader(in), Options{Format: Hootsuite, Now: now})
	if len(rows) != 1 || rows[0].Local != "2026-12-03T09:15" || rows[0].Link != "https://example.com" {
		t.Fatalf("dmy rows = %+v", rows)
	}
	if len(errs) != 1 || errs[0].Code != "not_multiple_of_5" || errs[0].Line != 2 {
		t.Fatalf("dmy errors = %+v", errs)
	}
	rows, _ = Parse(strings.NewReader("12/03/2026 09:15,Hello\n"), Options{Format: Hootsuite, DateOrder: "mdy", Now: now})
	if len(rows) != 1 || rows[0].Local != "2026-12-03T09:15" {
		t.Fatalf("mdy rows = %+v", rows)
	}
}

func TestParseRefusesBrokenFiles(t *testing.T) {
	if _, errs := Parse(strings.NewReader("when,text\n"), Options{Format: Tribune}); len(errs) != 1 || errs[0].Code != "missing_column" {
		t.Errorf("missing column: %+v", errs)
	}
	if _, errs := Parse(strings.NewReader("scheduled_at,channel,text\n2027-01-04 10:00,1,a\x00b\n"), Options{Format: Tribune}); len(errs) != 1 || errs[0].Code != "not_utf8" {
		t.Errorf("a NUL in a cell: %+v, want one not_utf8 error", errs)
	}
	if _, errs := Parse(bytes.NewReader([]byte{0xff, 0xfe, 'a'}), Options{Format: Tribune}); len(errs) != 1 || errs[0].Code != "not_utf8" {
		t.Errorf("latin-1: %+v", errs)
	}
	if _, errs := Parse(strings.NewReader("scheduled_at,text\n2026-12-01 09:00,\"open quote\n"), Options{Format: Tribune}); len(errs) == 0 || errs[0].Code != "bad_csv" {
		t.Errorf("bad quoting: %+v", errs)
	}
}

func TestExportReadsBack(t *testing.T) {
	var buf bytes.Buffer
	if err := Export(&buf, []ExportPost{{Local: "2026-12-01T09:00", TZ: "Europe/Paris", Status: "scheduled", Channel: "Sandbox · a", Text: "Hi, \"you\"", Tags: []string{"x", "y"}}}); err != nil {
		t.Fatal(err)
	}
	rows, errs := Parse(&buf, Options{Format: Tribune})
	if len(errs) != 0 || len(rows) != 1 || rows[0].Text != "Hi, \"you\"" || rows[0].Channel != "Sandbox · a" || len(rows[0].Tags) != 2 {
		t.Fatalf("round trip: %+v %+v", rows, errs)
	}
}

func TestICalEscapesAndFolds(t *testing.T) {
	var buf bytes.Buffer
	long := strings.Repeat("é", 60)
	err := ICal(&buf, "Tribune · Shop", []Event{{UID: "post-1@tribune", Start: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), Summary: "a; b, c", Description: long + "\nline"}})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "DTSTART:20261201T080000Z\r\n", `SUMMARY:a\; b\, c`, "END:VCALENDAR\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
	}
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	if !strings.Contains(unfolded, "DESCRIPTION:"+long+`\nline`) {
		t.Error("folding broke the description")
	}
}

// A quote left open swallows the rest of the file into one field for
// encoding/csv: the line is reported, and every row after it is still read
// and checked.
func TestParseReadsPastAnUnterminatedQuote(t *testing.T) {
	for _, c := range []struct {
		name, in  string
		wantLines []int // rows read, by line
		wantBad   map[int]string
	}{
		{"open quote mid-file",
			"scheduled_at,text\n2026-12-01 09:00,first\n2026-12-01 10:00,\"open quote\n2026-12-01 11:00,third\n2026-13-01 12:00,bad month\n2026-12-01 13:00,fifth\n",
			[]int{2, 4, 6}, map[int]string{3: "bad_csv", 5: "bad_time"}},
		{"bare quote, then a multi-line field",
			"scheduled_at,text\n2026-12-01 09:00,say \"hi\n2026-12-01 10:00,\"two\nlines\"\n2026-12-01 11:00,last\n",
			[]int{3, 5}, map[int]string{2: "bad_csv"}},
		{"open quote on the last line",
			"scheduled_at,text\n2026-12-01 09:00,first\n2026-12-01 10:00,\"open",
			[]int{2}, map[int]string{3: "bad_csv"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, errs := Parse(strings.NewReader(c.in), Options{Format: Tribune, Now: now, TZ: "Europe/Paris"})
			var lines []int
			for _, r := range rows {
				lines = append(lines, r.Line)
			}
			if fmt.Sprint(lines) != fmt.Sprint(c.wantLines) {
				t.Errorf("rows read on lines %v, want %v", lines, c.wantLines)
			}
			got := map[int]string{}
			for _, e := range errs {
				got[e.Line] = e.Code
				if e.Code == "bad_csv" && strings.Contains(e.Localized("en"), "on line") {
					t.Errorf("line %d: the message names a line of its own (%q): the report's line is the file's", e.Line, e.Localized("en"))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.wantBad) {
				t.Errorf("errors %v, want %v", got, c.wantBad)
			}
		})
	}
}

// A cell a spreadsheet would run as a formula is exported as text (a
// leading apostrophe), and the export imports back unchanged.
func TestExportNeutralisesFormulas(t *testing.T) {
	texts := []string{"=HYPERLINK(\"https://evil.example\",\"click\")", "+33 1 23 45 67 89", "-5% today", "@SUM(A1:A9)", "\tcmd", "\r=1+1", "plain text", "'quoted already"}
	var in []ExportPost
	for _, txt := range texts {
		in = append(in, ExportPost{Local: "2026-12-01T09:00", TZ: "UTC", Status: "scheduled", Channel: "=chan", Network: "sandbox", Text: txt})
	}
	var buf bytes.Buffer
	if err := Export(&buf, in); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs[1:] {
		for j, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d column %d starts a formula: %q", i+1, j, cell)
			}
		}
		if want := texts[i]; strings.ContainsRune("=+-@\t\r", rune(want[0])) && rec[2] != "'"+want {
			t.Errorf("text %q exported as %q, want it behind an apostrophe", want, rec[2])
		}
	}
	rows, errs := Parse(bytes.NewReader(buf.Bytes()), Options{Format: Tribune, Now: now})
	if len(errs) != 0 || len(rows) != len(texts) {
		t.Fatalf("reading the export back: %d rows, errors %+v", len(rows), errs)
	}
	for i, r := range rows {
		if want := strings.TrimSpace(texts[i]); r.Text != want || r.Channel != "=chan" {
			t.Errorf("row %d read back as %q on %q, want %q on =chan", i+1, r.Text, r.Channel, want)
		}
	}
}
