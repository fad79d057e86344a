package bulk

import (
	"bytes"
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
