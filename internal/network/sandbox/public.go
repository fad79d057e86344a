package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The public stream (issue 15 §2): everything the Sandbox's simulated
// public says, not addressed to any account — many authors writing about
// the demo brand (Maison Lumière), its two competitors (Atelier Néon,
// Lustra), lighting and home decoration, and everything else, in French and
// English. Now and then a storm breaks: for a few minutes the brand is
// everywhere and the tone turns negative. Listening's Sandbox source reads
// it with a cursor, the sequence number of the last post it stored, so a
// restart resumes where it stopped.
//
// Posts are generated lazily, up to the Sandbox's clock, at PublicRate a
// second (StormRate during a storm), and kept in a ring of PublicKeep: a
// reader further behind than that resumes at the oldest kept post.
const (
	PublicRate  = 2
	StormRate   = 12
	PublicKeep  = 20000
	PublicPage  = 500
	stormEvery  = 53 * time.Minute
	stormLength = 5 * time.Minute
)

// The storm modes: auto breaks one for stormLength every stormEvery; on
// and off force it.
const (
	StormAuto = "auto"
	StormOn   = "on"
	StormOff  = "off"
)

// PublicPost is a post of the public stream.
type PublicPost struct {
	Seq        int64     `json:"seq"`
	ID         string    `json:"id"`
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name"`
	Followers  int64     `json:"followers"`
	Text       string    `json:"text"`
	Lang       string    `json:"lang"`
	URL        string    `json:"url"`
	CreatedAt  time.Time `json:"created_at"`
}

// PublicPageOut is one answer of GET /api/public/stream.
type PublicPageOut struct {
	Posts []PublicPost `json:"posts"`
	// Next is the cursor to ask from next time (the last post's seq).
	Next int64 `json:"next"`
	// Storm says whether a storm blows now.
	Storm bool `json:"storm"`
}

// PublicStorm is the storm switch's state.
type PublicStorm struct {
	Mode  string `json:"mode"`
	Storm bool   `json:"storm"`
}

type publicStream struct {
	mu      sync.Mutex
	rng     *rand.Rand
	posts   []PublicPost // ring: seq s at s % PublicKeep
	kept    int64        // how many of posts hold a post
	seq     int64
	genTo   time.Time
	mode    string
	started time.Time
}

func newPublicStream(seed uint64) *publicStream {
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	return &publicStream{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), mode: StormAuto}
}

// storming says whether a storm blows at t.
func (p *publicStream) storming(t time.Time) bool {
	switch p.mode {
	case StormOn:
		return true
	case StormOff:
		return false
	}
	// Auto: the first storm comes a quarter of an hour after the start,
	// so the demo shows a calm baseline first.
	since := t.Sub(p.started) - 15*time.Minute
	return since >= 0 && since%stormEvery < stormLength
}

// generate writes posts up to now.
func (p *publicStream) generate(now time.Time, base string) {
	if p.genTo.IsZero() {
		p.started = now
		// Sequence numbers start from the clock (in milliseconds), so they
		// keep growing across restarts of a Sandbox that forgot its posts
		// (it keeps them in memory): a reader's cursor is never ahead.
		p.seq = now.UnixMilli()
		p.posts = make([]PublicPost, PublicKeep)
		// A start with a little history, so a reader from the start sees
		// posts at once.
		p.genTo = now.Add(-2 * time.Minute)
	}
	if now.Sub(p.genTo) > time.Hour {
		// Idle for long: what it would have said is beyond the ring anyway.
		p.genTo = now.Add(-time.Hour)
	}
	for p.genTo.Before(now) {
		storm := p.storming(p.genTo)
		rate := PublicRate
		if storm {
			rate = StormRate
		}
		step := time.Second / time.Duration(rate)
		jitter := time.Duration(p.rng.Int64N(int64(step)))
		at := p.genTo.Add(jitter)
		if at.After(now) {
			break
		}
		p.seq++
		post := p.compose(at, storm, base)
		p.posts[p.seq%PublicKeep] = post
		p.kept = min(p.kept+1, PublicKeep)
		p.genTo = p.genTo.Add(step)
	}
}

// since returns the posts after seq, oldest first, at most limit.
func (p *publicStream) since(seq int64, limit int) []PublicPost {
	oldest := p.seq - p.kept + 1
	if seq+1 < oldest {
		seq = oldest - 1
	}
	out := []PublicPost{}
	for s := seq + 1; s <= p.seq && len(out) < limit; s++ {
		out = append(out, p.posts[s%PublicKeep])
	}
	return out
}

func (s *Server) publicStream(w http.ResponseWriter, r *http.Request) {
	limit := PublicPage
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 && l < PublicPage {
		limit = l
	}
	p := s.public
	p.mu.Lock()
	defer p.mu.Unlock()
	now := s.now()
	p.generate(now, s.opt.PublicURL)
	var since int64
	switch v := r.URL.Query().Get("since"); v {
	case "":
		// No cursor: from the posts of the last minutes (the source's
		// "from now", with something to show).
		since = p.seq - int64(limit)
	default:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fail(w, http.StatusBadRequest, "since is a sequence number")
			return
		}
		// A cursor ahead of the stream (another Sandbox's) reads from now.
		since = min(n, p.seq)
	}
	out := PublicPageOut{Posts: p.since(since, limit), Next: since, Storm: p.storming(now)}
	if n := len(out.Posts); n > 0 {
		out.Next = out.Posts[n-1].Seq
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getStorm(w http.ResponseWriter, r *http.Request) {
	p := s.public
	p.mu.Lock()
	defer p.mu.Unlock()
	writeJSON(w, http.StatusOK, PublicStorm{Mode: p.mode, Storm: p.storming(s.now())})
}

func (s *Server) postStorm(w http.ResponseWriter, r *http.Request) {
	var in PublicStorm
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<10)).Decode(&in); err != nil || (in.Mode != StormAuto && in.Mode != StormOn && in.Mode != StormOff) {
		fail(w, http.StatusUnprocessableEntity, "mode is auto, on or off")
		return
	}
	p := s.public
	p.mu.Lock()
	defer p.mu.Unlock()
	now := s.now()
	p.generate(now, s.opt.PublicURL) // what was said before the switch stays as it was
	p.mode = in.Mode
	writeJSON(w, http.StatusOK, PublicStorm{Mode: p.mode, Storm: p.storming(now)})
}

// SetPublicStorm switches the public stream's storm (auto, on, off).
func (c *Connector) SetPublicStorm(ctx context.Context, baseURL, mode string) (PublicStorm, error) {
	var out PublicStorm
	_, err := c.do(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+"/_sandbox/storm", c.ControlToken, jsonBody(PublicStorm{Mode: mode}), "application/json", nil, &out)
	return out, err
}

// PublicStormState reads the storm switch.
func (c *Connector) PublicStormState(ctx context.Context, baseURL string) (PublicStorm, error) {
	var out PublicStorm
	_, err := c.do(ctx, http.MethodGet, strings.TrimRight(baseURL, "/")+"/_sandbox/storm", c.ControlToken, nil, "", nil, &out)
	return out, err
}

// The simulated public: authors are drawn from name parts, each with a
// stable follower count; what they write is drawn from the subjects below.
var (
	firstFR = []string{"Camille", "Léa", "Hugo", "Manon", "Louis", "Chloé", "Jules", "Inès", "Nathan", "Zoé", "Théo", "Jade", "Lucas", "Emma", "Paul", "Anaïs", "Yanis", "Sarah", "Maël", "Lina"}
	firstEN = []string{"Olivia", "Jack", "Amelia", "Harry", "Isla", "George", "Ava", "Noah", "Mia", "Leo", "Ruby", "Oscar", "Grace", "Arthur", "Ella", "Henry"}
	lastAll = []string{"Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Girard", "Roux", "Fournier", "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Hughes", "Garnier", "Faure", "Mercier", "Blanc"}
)

type subject struct {
	weight, stormWeight int
	fr, en              []string
}

// Brand and competitor texts carry a tone: {+} positive, {-} negative, {=}
// neutral; the composer picks the tone first, then a text of that tone.
var subjects = []subject{
	{15, 65, // the brand
		[]string{
			"{+}Ma nouvelle lampe Maison Lumière est arrivée, elle est magnifique dans le salon",
			"{+}Merci Maison Lumière pour le SAV ultra rapide, pièce changée en deux jours",
			"{+}Coup de cœur pour la collection d'automne de Maison Lumière #deco",
			"{=}Quelqu'un a testé les suspensions Maison Lumière ? Je cherche un avis",
			"{=}Maison Lumière ouvre une boutique à Lyon le mois prochain",
			"{-}Commande Maison Lumière toujours pas livrée après trois semaines, aucune réponse",
			"{-}Ampoule grillée au bout d'une semaine, franchement déçue par Maison Lumière",
			"{-}Le service client de Maison Lumière ne répond plus, c'est inadmissible #badbuzz",
			"{-}Lampe Maison Lumière qui chauffe anormalement, j'ai peur pour mes enfants #lampegate",
			"{-}Rappel produit chez Maison Lumière ? Plusieurs lampes auraient pris feu #lampegate",
		},
		[]string{
			"{+}Love my new Maison Lumière floor lamp, the light is so warm",
			"{+}Maison Lumière customer service sorted my order in a day, impressed",
			"{=}Has anyone tried the Maison Lumière pendant lights? Looking for reviews",
			"{=}Maison Lumière is opening a shop in London next spring",
			"{-}My Maison Lumière order is three weeks late and nobody answers",
			"{-}Maison Lumière lamp overheating again, this is dangerous #lampgate",
			"{-}Is Maison Lumière recalling its lamps? Reports of fires everywhere #lampgate",
		}},
	{8, 5, // competitor one
		[]string{
			"{+}Les néons d'Atelier Néon donnent un style fou à la cuisine",
			"{=}Atelier Néon lance une gamme de rubans LED connectés",
			"{-}Atelier Néon m'a envoyé le mauvais modèle, retour compliqué",
		},
		[]string{
			"{+}Atelier Néon signs look amazing in our café",
			"{=}Atelier Néon announced a smart LED strip range",
			"{-}Atelier Néon shipped the wrong model and returns are a pain",
		}},
	{7, 5, // competitor two
		[]string{
			"{+}Lustra a des prix imbattables sur les appliques cette semaine",
			"{=}Lustra ou Maison Lumière pour un lustre de salle à manger ?",
			"{-}Lustra a encore augmenté ses prix, dommage",
		},
		[]string{
			"{+}Lustra has unbeatable prices on wall lights this week",
			"{=}Lustra vs Maison Lumière for a dining room chandelier?",
			"{-}Lustra raised prices again, shame",
		}},
	{15, 5, // the industry
		[]string{
			"{=}Quelle température de couleur choisir pour un éclairage de bureau ?",
			"{=}Tendance déco : les luminaires en rotin reviennent en force #deco",
			"{+}J'ai enfin trouvé la lampe de chevet parfaite pour la chambre",
			"{=}Le prix des ampoules LED a baissé de 20 % cette année",
			"{-}Impossible de trouver une suspension design à un prix raisonnable",
		},
		[]string{
			"{=}Which colour temperature is best for a home office lighting setup?",
			"{=}Rattan light fixtures are back in home decor trends",
			"{+}Finally found the perfect bedside lamp",
			"{=}LED bulb prices dropped 20% this year",
		}},
	{55, 20, // everything else
		[]string{
			"{=}Quelqu'un connaît un bon resto près de la gare ?",
			"{+}Quelle belle journée au marché ce matin",
			"{=}Réunion de rentrée à l'école ce soir",
			"{-}Encore une grève des trains, journée perdue",
			"{+}Le match d'hier soir était incroyable",
			"{=}Je cherche des idées de recettes avec des courges",
			"{=}Nouvel épisode du podcast en ligne #podcast",
		},
		[]string{
			"{=}Anyone know a good place for brunch downtown?",
			"{+}What a beautiful morning for a run",
			"{-}Train delayed again, I'm going to be late",
			"{=}New podcast episode is out #podcast",
			"{+}That match last night was unbelievable",
		}},
}

func (p *publicStream) compose(at time.Time, storm bool, base string) PublicPost {
	r := p.rng
	total := 0
	for _, s := range subjects {
		total += pick(s.weight, s.stormWeight, storm)
	}
	n := r.IntN(total)
	var sub subject
	for _, s := range subjects {
		w := pick(s.weight, s.stormWeight, storm)
		if n < w {
			sub = s
			break
		}
		n -= w
	}
	lang, texts, names := "fr", sub.fr, firstFR
	if r.IntN(10) < 4 {
		lang, texts, names = "en", sub.en, firstEN
	}
	// The tone: mostly positive in calm times; a storm turns it.
	tone := "{+}"
	switch x := r.IntN(100); {
	case storm && x < 80, !storm && x < 20:
		tone = "{-}"
	case x < 55:
		tone = "{=}"
	}
	var choice []string
	for _, t := range texts {
		if strings.HasPrefix(t, tone) {
			choice = append(choice, t)
		}
	}
	if len(choice) == 0 {
		choice = texts
	}
	text := choice[r.IntN(len(choice))][3:]
	first, last := names[r.IntN(len(names))], lastAll[r.IntN(len(lastAll))]
	handle := strings.ToLower(ascii(first) + "." + ascii(last))
	// A stable follower count per author: a few with a large audience.
	h := uint64(0)
	for _, c := range handle {
		h = h*31 + uint64(c)
	}
	followers := int64(h%900) + 20
	if h%17 == 0 {
		followers *= 100
	}
	seq := p.seq
	id := fmt.Sprintf("pub-%d", seq)
	return PublicPost{Seq: seq, ID: id, Author: handle, AuthorName: first + " " + last, Followers: followers, Text: text, Lang: lang,
		URL: strings.TrimRight(base, "/") + "/public/" + id, CreatedAt: at.UTC()}
}

func pick(calm, storm int, storming bool) int {
	if storming {
		return storm
	}
	return calm
}
