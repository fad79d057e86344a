package rules

import (
	"strings"
	"testing"
)

func TestDisplayCutsAtTheDocumentedSeeMore(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 200)
	for _, tc := range []struct {
		network string
		text    string
		cut     bool
		shown   int
	}{
		{"instagram", long, true, 125},
		{"instagram", strings.Repeat("a", 125), false, 125},
		{"linkedin", long, true, 150},
		{"facebook", long, true, 125},
		{"mastodon", long, false, 200}, // no documented cut: shown whole
		{"bluesky", long, false, 200},
		{"x", long, false, 200},
		{"threads", long, false, 200},
	} {
		t.Run(tc.network, func(t *testing.T) {
			d := Display(tc.network, tc.text)
			shown := 0
			for _, s := range d.Segments {
				shown += len([]rune(s.Text))
			}
			if d.Cut != tc.cut || shown != tc.shown {
				t.Errorf("cut %v, %d shown; want %v, %d", d.Cut, shown, tc.cut, tc.shown)
			}
		})
	}
}

func TestDisplayMarksLinksAndHashtagsAsTheNetworkShowsThem(t *testing.T) {
	t.Parallel()
	text := "Lancement #soldes chez @alice https://www.example.com/une/tres/longue/adresse/de/page fin"
	for _, tc := range []struct {
		network string
		want    []Segment
	}{
		{"mastodon", []Segment{
			{SegmentText, "Lancement ", ""}, {SegmentHashtag, "#soldes", ""}, {SegmentText, " chez ", ""},
			{SegmentMention, "@alice", ""}, {SegmentText, " ", ""},
			{SegmentLink, "example.com/une/tres/longue/ad…", "https://www.example.com/une/tres/longue/adresse/de/page"},
			{SegmentText, " fin", ""}}},
		// Instagram: links are plain text in captions, hashtags are links.
		{"instagram", []Segment{
			{SegmentText, "Lancement ", ""}, {SegmentHashtag, "#soldes", ""}, {SegmentText, " chez ", ""},
			{SegmentMention, "@alice", ""}, {SegmentText, " https://www.example.com/une/tres/longue/adresse/de/page fin", ""}}},
		// LinkedIn shows the link in full.
		{"linkedin", []Segment{
			{SegmentText, "Lancement ", ""}, {SegmentHashtag, "#soldes", ""}, {SegmentText, " chez ", ""},
			{SegmentMention, "@alice", ""}, {SegmentText, " ", ""},
			{SegmentLink, "https://www.example.com/une/tres/longue/adresse/de/page", "https://www.example.com/une/tres/longue/adresse/de/page"},
			{SegmentText, " fin", ""}}},
	} {
		t.Run(tc.network, func(t *testing.T) {
			d := Display(tc.network, text)
			if len(d.Segments) != len(tc.want) {
				t.Fatalf("segments %+v\nwant %+v", d.Segments, tc.want)
			}
			for i := range tc.want {
				if d.Segments[i] != tc.want[i] {
					t.Errorf("segment %d = %+v, want %+v", i, d.Segments[i], tc.want[i])
				}
			}
			if d.FirstLink != "https://www.example.com/une/tres/longue/adresse/de/page" {
				t.Errorf("first link %q", d.FirstLink)
			}
		})
	}
}

func TestDisplayCutIsNeverInsideAMarkedLink(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("a", 120) + " https://example.com/page"
	d := Display("linkedin", text+strings.Repeat(" b", 20))
	for _, s := range d.Segments {
		if s.Kind == SegmentLink && !strings.HasSuffix(s.Href, "/page") {
			t.Errorf("a cut link stays a link: %+v", s)
		}
	}
	if !d.Cut {
		t.Error("not cut")
	}
}

func TestEveryNetworkWithARuleHasAPreview(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"x", "mastodon", "bluesky", "linkedin", "instagram", "facebook", "threads"} {
		if p := PreviewOf(key); p.Source == "" || p.GridMax == 0 {
			t.Errorf("%s: no preview description", key)
		}
	}
}

func TestThreadsMarksOnlyItsOneTopicTag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		network string
		want    int
	}{{"threads", 1}, {"mastodon", 3}, {"instagram", 3}} {
		t.Run(tc.network, func(t *testing.T) {
			n := 0
			for _, s := range Display(tc.network, "#un #deux #trois").Segments {
				if s.Kind == SegmentHashtag {
					n++
				}
			}
			if n != tc.want {
				t.Errorf("%d hashtags marked, want %d", n, tc.want)
			}
		})
	}
}

// LinkedIn, Facebook and Instagram publish a length to stay under, not
// where their feed cuts an ordinary post: their cut is marked approximate
// and names the network's own page; networks without a cut have neither.
func TestSeeMoreCutsSayWhetherTheyAreApproximate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		network, source string
		approx          bool
	}{
		{"linkedin", "https://www.linkedin.com/help/lms/answer/a426534", true},
		{"facebook", "https://www.facebook.com/business/ads-guide", true},
		{"instagram", "https://help.instagram.com/1643471055915254", true},
		{"mastodon", "", false},
		{"threads", "", false},
	} {
		t.Run(tc.network, func(t *testing.T) {
			p := PreviewOf(tc.network)
			if p.SeeMoreApprox != tc.approx {
				t.Errorf("SeeMoreApprox = %v, want %v", p.SeeMoreApprox, tc.approx)
			}
			if p.SeeMoreApprox && p.SeeMoreAt == 0 {
				t.Error("approximate cut without a length")
			}
			if !strings.Contains(p.Source, tc.source) {
				t.Errorf("source %q does not cite %q", p.Source, tc.source)
			}
		})
	}
}
