package problem

import (
	"encoding/json"
	"net/http"
	"testing"
)

// A message with a value is written in English once and reaches the reader
// in either language, in the UI (Localized) and in the API's JSON.
func TestMessageWithValueInBothLanguages(t *testing.T) {
	d := Detail{Location: "post", Code: "duplicate_of", Message: "Same content as post #%d", Args: []any{12}}
	for lang, want := range map[string]string{"en": "Same content as post #12", "fr": "Même contenu que la publication n°12", "de": "Same content as post #12"} {
		t.Run(lang, func(t *testing.T) {
			if got := d.Localized(lang); got != want {
				t.Errorf("Localized(%q) = %q, want %q", lang, got, want)
			}
		})
	}
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"location":"post","code":"duplicate_of","message":"Same content as post #12","message_fr":"Même contenu que la publication n°12"}`; string(raw) != want {
		t.Errorf("JSON %s, want %s", raw, want)
	}

	e := New(http.StatusBadGateway, "network_refused", "The network answered: %s").Format("HTTP 500")
	if got := e.Localized("fr"); got != "Le réseau a répondu : HTTP 500" {
		t.Errorf("French %q", got)
	}
	if got := e.Error(); got != "network_refused: The network answered: HTTP 500" {
		t.Errorf("Error() %q", got)
	}
	if got := Invalidf("name", "required", "Enter your name.").Details[0].Localized("fr"); got != "Indiquez votre nom." {
		t.Errorf("Invalidf in French %q", got)
	}
	if got := NotFound.Localized("fr"); got != "Introuvable." {
		t.Errorf("NotFound in French %q", got)
	}
}
