package ui

import (
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/calendar/keydates"
	"github.com/tribune-social/tribune/internal/i18n"
	webi18n "github.com/tribune-social/tribune/internal/web/i18n"
)

// The calendar's feed carries the view's key dates as background events,
// named in the viewer's language, on the viewer's wall-clock days.
func TestCalendarFeedCarriesKeyDates(t *testing.T) {
	b, err := webi18n.New()
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	// April 2026 as a month view in Paris asks for it: 30 March to 11 May.
	evs := keyDateEvents(b.Localizer("fr"), time.Date(2026, 3, 30, 0, 0, 0, 0, paris), time.Date(2026, 5, 11, 0, 0, 0, 0, paris))
	byDay := map[string]calendarEvent{}
	for _, e := range evs {
		byDay[e.Start] = e
	}
	for day, name := range map[string]string{"2026-04-06": "Lundi de Pâques", "2026-04-22": "Jour de la Terre", "2026-05-01": "Fête du Travail", "2026-05-08": "Victoire 1945"} {
		e, ok := byDay[day]
		if !ok {
			t.Errorf("no key date on %s: %v", day, evs)
			continue
		}
		if e.Title != name || e.Display != "background" || !e.AllDay || e.Editable || e.URL != "" {
			t.Errorf("%s: %+v, want the background event %q", day, e, name)
		}
	}
	if _, ok := byDay["2026-05-14"]; ok {
		t.Errorf("Ascension (14 May) is outside the view but was sent")
	}
}

// Every key date has its French name in the catalogue.
func TestEveryKeyDateIsTranslated(t *testing.T) {
	for _, d := range keydates.Year(2026) {
		if !i18n.Has("fr", d.Name) {
			t.Errorf("no French for the key date %q", d.Name)
		}
	}
}
