package bulk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each vendor's file (testdata, written for these tests in the layout the
// vendor documents) is recognised from its first line, and read the same
// when the layout is chosen explicitly.
func TestParseEveryLayout(t *testing.T) {
	for _, tc := range []struct {
		file      string
		format    Format
		order     string
		rows      int
		local     string // of the first row
		text      string // start of the first row's text
		link      string
		media     string // the first row's media URLs, joined with spaces
		channel   string
		lastLocal string
	}{
		{"hootsuite.csv", Hootsuite, "", 3, "2027-03-15T09:00", "Our spring opening hours", "https://bakery.example/hours", "", "", "2027-03-16T08:05"},
		{"hootsuite_two_columns.csv", Hootsuite, "mdy", 2, "2027-03-22T10:00", "Webinar on Thursday", "https://agency.example/webinar", "", "", "2027-03-23T17:45"},
		{"hootsuite_header.csv", Hootsuite, "", 2, "2027-03-20T11:00", "First day of spring", "https://market.example", "", "", "2027-03-27T11:00"},
		{"sprout.csv", SproutSocial, "", 2, "2027-05-04T09:30", "New guide", "https://blog.example/reuse", "https://cdn.example/reuse.png", "", "2027-05-04T14:00"},
		{"agorapulse.csv", Agorapulse, "", 2, "2027-04-09T10:00", "The new collection", "https://shop.example/new", "https://cdn.example/a.jpg https://cdn.example/b.jpg", "", "2027-04-10T18:00"},
		// The ISO time with an offset is shown in the workspace's zone
		// (Europe/Paris, +02:00 in April): 12:00 stays 12:00.
		{"socialbee.csv", SocialBee, "", 2, "2027-04-28T07:30", "Three podcast episodes", "https://pod.example/april", "", "", "2027-04-29T12:00"},
		// 09:00Z is 11:00 in Paris in May.
		{"buffer.csv", Buffer, "", 2, "2027-04-30T16:00", "Our shop is closed", "", "", "@corner_shop", "2027-05-01T11:00"},
		{"tribune.csv", Tribune, "", 1, "2027-05-10T09:00", "Monday menu", "", "", "Corner shop", "2027-05-10T09:00"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, chosen := range []Format{Auto, tc.format} {
				rows, errs, got := ParseDetected(strings.NewReader(string(data)), Options{Format: chosen, DateOrder: tc.order, Now: now, TZ: "Europe/Paris"})
				if got != tc.format {
					t.Errorf("%s: read as %q, want %q", chosen, got, tc.format)
				}
				if len(errs) != 0 || len(rows) != tc.rows {
					t.Fatalf("%s: %d rows, errors %+v; want %d rows and no error", chosen, len(rows), errs, tc.rows)
				}
				r := rows[0]
				if r.Local != tc.local || !strings.HasPrefix(r.Text, tc.text) || r.Link != tc.link || strings.Join(r.MediaURLs, " ") != tc.media || r.Channel != tc.channel {
					t.Errorf("%s: first row %+v", chosen, r)
				}
				if last := rows[len(rows)-1].Local; last != tc.lastLocal {
					t.Errorf("%s: last row at %s, want %s", chosen, last, tc.lastLocal)
				}
			}
		})
	}
}

// Detection reads the header only; a file it cannot place is refused with
// a message asking for the layout, not read as Tribune's.
func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		first string
		want  Format
	}{
		{"date,time_24hr,message_text", SproutSocial},
		{"post_content,post_link,image_url,video_url", Agorapulse},
		{"text,link,imageUrls,postAtSpecificTime", SocialBee},
		{"Text,Image URL,Scheduled At,Profile,Tags", Buffer},
		{"scheduled_at,channel,text", Tribune},
		{"Date,Message,Link", Hootsuite},
		{"01/06/2027 10:00,Hello,https://example.com", Hootsuite},
		{"01/06/2027,10:00,Hello", Hootsuite},
		{"when,what", Auto},
	} {
		if got := Detect(strings.Split(tc.first, ",")); got != tc.want {
			t.Errorf("Detect(%q) = %q, want %q", tc.first, got, tc.want)
		}
	}
	_, errs := Parse(strings.NewReader("when,what\n2027-01-01 10:00,hi\n"), Options{Format: Auto})
	if len(errs) != 1 || errs[0].Code != "unknown_layout" || !strings.Contains(errs[0].Localized("fr"), "format") {
		t.Errorf("unknown layout: %+v", errs)
	}
}

// No 350-row cap: 5,000 rows parse; the 5,001st is reported.
func TestParseFiveThousandRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("scheduled_at,channel,text\n")
	for i := range MaxRows + 1 {
		b.WriteString("2027-02-01 10:00,1,post ")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("\n")
	}
	rows, errs := Parse(strings.NewReader(b.String()), Options{Format: Auto, Now: now})
	if len(rows) != 5000 || len(errs) != 1 || errs[0].Code != "too_many_rows" {
		t.Fatalf("%d rows, errors %+v; want 5000 rows and too_many_rows", len(rows), errs)
	}
}
