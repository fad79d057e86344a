package sentiment

import (
	"sync"
	"testing"
)

// One model for the package's tests: New parses the embedded data.
var testModel = sync.OnceValue(New)

func TestDetect(t *testing.T) {
	t.Parallel()
	m := testModel()
	tests := []struct {
		text, want string
	}{
		{"Merci beaucoup !", French},
		{"merci", French},
		{"Génial", French},
		{"C'est nul.", French},
		{"Je n'aime pas du tout ce produit, livraison en retard.", French},
		{"@marie trop bien la soirée d'hier 😍 http://t.co/x", French},
		{"Quelle journée", French},
		{"nul", French},
		{"Bof", French},
		{"Thanks a lot!", English},
		{"great stuff", English},
		{"I love it", English},
		{"This is the worst service I have ever had.", English},
		{"@bob can't wait for the weekend 🎉", English},
		{"Awesome", English},
		{"Muchas gracias por todo, el servicio es muy bueno", Other},
		{"Das ist nicht gut und ich bin sehr enttäuscht", Other},
		{"Grazie mille, è stato molto bello", Other},
		{"Это очень хорошо", Other},
		{"これはとても良いです", Other},
		{"👍👍👍", Other},
		{"", Other},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := m.Detect(tt.text); got != tt.want {
				t.Errorf("Detect(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestAnalyze(t *testing.T) {
	t.Parallel()
	m := testModel()
	tests := []struct {
		text string
		lang string
		want Label
	}{
		{"I love this, it is great!", English, Positive},
		{"This is not good at all", English, Negative},
		{"The meeting is at 3pm.", English, Neutral},
		{"Terrible service, never again 😡", English, Negative},
		{"😍😍", Other, Positive},
		{"J'adore, c'est génial, merci !", French, Positive},
		{"C'est vraiment nul, je suis déçu et en colère", French, Negative},
		{"Ce n'est pas bon du tout, une honte", French, Negative},
		// Customer comments, far from the train split's news on energy and
		// the climate: the lexicon carries them.
		{"Je ne suis pas content du tout !!!", French, Negative},
		{"Service client lamentable, je suis furieux", French, Negative},
		{"Merci beaucoup, c'est parfait", French, Positive},
		{"Super produit, je recommande", French, Positive},
		{"génial", French, Positive},
		{"C'est nul", French, Negative},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := m.Analyze(tt.text)
			if got.Lang != tt.lang || got.Label != tt.want {
				t.Errorf("Analyze(%q) = %+v, want lang %q label %q", tt.text, got, tt.lang, tt.want)
			}
			if got.Score < -1 || got.Score > 1 {
				t.Errorf("score %v outside [-1, 1]", got.Score)
			}
		})
	}
}

// TestEnglishNegation: negation and "but" change the score the way VADER's
// rules say.
func TestEnglishRules(t *testing.T) {
	t.Parallel()
	m := testModel()
	score := func(s string) float64 { return m.AnalyzeLang(s, English).Score }
	if a, b := score("The food is good"), score("The food is not good"); !(a > 0 && b < 0) {
		t.Errorf("negation: %v then %v, want positive then negative", a, b)
	}
	if a, b := score("The food is good"), score("The food is very good"); !(b > a) {
		t.Errorf("booster: %v then %v, want an increase", a, b)
	}
	if a, b := score("The food is good"), score("The food is GOOD"); !(b > a) {
		t.Errorf("capitals: %v then %v, want an increase", a, b)
	}
	if a, b := score("The food is good"), score("The food is good!!!"); !(b > a) {
		t.Errorf("exclamation: %v then %v, want an increase", a, b)
	}
	if s := score("The food is good but the service is horrible"); !(s < 0) {
		t.Errorf("but: %v, want negative (what follows 'but' dominates)", s)
	}
}

func TestFrenchNegation(t *testing.T) {
	t.Parallel()
	m := testModel()
	for _, tt := range []struct{ pos, neg string }{
		{"C'est bon", "Ce n'est pas bon"},
	} {
		a, b := m.fr.polarity(new(scratch), tt.pos), m.fr.polarity(new(scratch), tt.neg)
		if !(a > 0 && b < 0) {
			t.Errorf("lexicon score %q = %v, %q = %v: want positive then negative", tt.pos, a, tt.neg, b)
		}
	}
}

// A language tag as networks declare it forces the language; another
// language is detected.
func TestAnalyzeLangTags(t *testing.T) {
	t.Parallel()
	m := testModel()
	for _, tt := range []struct{ text, tag, want string }{
		{"merci", "en-GB", English},
		{"great", "fr-CA", French},
		{"great", "FR", French},
		{"great stuff", "auto", English},
		{"Das ist nicht gut und ich bin sehr enttäuscht", "de", Other},
		{"Je suis très content", "", French},
	} {
		if got := m.AnalyzeLang(tt.text, tt.tag).Lang; got != tt.want {
			t.Errorf("AnalyzeLang(%q, %q).Lang = %q, want %q", tt.text, tt.tag, got, tt.want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	m := testModel()
	want := m.Analyze("J'adore ce produit, merci !")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := m.Analyze("J'adore ce produit, merci !"); got != want {
					t.Errorf("concurrent Analyze = %+v, want %+v", got, want)
					return
				}
				m.Analyze("This is awful")
			}
		})
	}
	wg.Wait()
}

// BenchmarkSentiment measures Analyze (detection included) on one core;
// run it with -cpu 1. The inbox scores every item it stores.
func BenchmarkSentiment(b *testing.B) {
	m := New()
	en := []string{
		"Somehow I was blessed with some really amazing friends in my life who love me. So lucky.",
		"The meeting is moved to Thursday at 3pm, see the agenda http",
	}
	fr := []string{
		"Ce n'est vraiment pas terrible, la livraison a encore pris trois semaines 😡 @user",
		"Nouveau record pour l'éolien en France ce mois-ci ! http",
	}
	for _, bb := range []struct {
		name  string
		texts []string
	}{{"mixed", append(append([]string{}, en...), fr...)}, {"en", en}, {"fr", fr}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for i := 0; b.Loop(); i++ {
				m.Analyze(bb.texts[i%len(bb.texts)])
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
			if used := cpuTime() - cpu; used > 0 {
				b.ReportMetric(float64(b.N)/used.Seconds(), "texts/cpu-s")
			}
		})
	}
}
