package sandbox

import (
	"math/rand/v2"
	"strings"
)

// The audience's own words. A text is put together from an opening, a body
// and an ending drawn from these lists, per language, sentiment and kind of
// item, so that a few hundred items do not read as the same sentence; the
// lists were written for the Sandbox and are not taken from any data set.
// "@@" stands for the account's own handle.

type phraseSet struct {
	openers, bodies, closers []string
}

// phrases[lang][label][kind]; kind "" holds what fits any comment.
var phrases = map[string]map[string]map[string]phraseSet{
	"fr": {
		"positive": {
			"": {
				openers: []string{"Franchement,", "Wow,", "Alors là,", "Ah ben ça,", "Coup de cœur :", "Bravo,", "Oh que oui,", ""},
				bodies: []string{
					"c'est exactement ce que j'attendais", "j'adore ce que vous faites", "superbe travail, vraiment",
					"vous avez encore fait fort", "ça donne envie de passer vous voir", "quelle belle idée",
					"le résultat est magnifique", "je suis conquise", "on sent le soin dans chaque détail",
					"je recommande à tout le monde autour de moi", "un plaisir de vous suivre", "toujours au top",
				},
				closers: []string{"Merci !", "Continuez comme ça !", "Vivement la suite.", "Hâte de voir la prochaine !", "Bravo à toute l'équipe.", ""},
			},
			"reply": {openers: []string{"Tout à fait d'accord,", "Pareil pour moi,", "Je confirme,", "Trop vrai,"}},
			"mention": {bodies: []string{
				"Petit coup de cœur pour @@ aujourd'hui", "Si vous ne connaissez pas encore @@, foncez",
				"Merci @@ pour l'accueil de ce matin", "Reçu ma commande de chez @@, parfait", "@@ ne déçoit jamais",
			}},
			"quote": {bodies: []string{"Ça, c'est une belle annonce", "À partager sans modération", "Voilà qui fait plaisir", "Exactement ce qu'il fallait"}},
			"message": {
				openers: []string{"Bonjour,", "Hello !", "Bonsoir,"},
				bodies:  []string{"je voulais juste vous dire merci pour votre aide", "ma commande est arrivée, elle est parfaite", "votre conseiller a été adorable au téléphone", "merci d'avoir répondu si vite"},
				closers: []string{"Bonne journée !", "Belle soirée à vous.", "À bientôt !"},
			},
			"review": {bodies: []string{
				"Accueil chaleureux et produits de grande qualité", "Service impeccable, livraison rapide",
				"Très bonne adresse, je reviendrai", "Des conseils précieux et un suivi parfait", "Rien à redire, tout était parfait",
			}},
		},
		"neutral": {
			"": {
				openers: []string{"Question :", "Petite question,", "Bonjour,", "Au fait,", ""},
				bodies: []string{
					"c'est disponible en boutique ou seulement en ligne ?", "quels sont les horaires ce week-end ?",
					"vous livrez en Belgique ?", "il existe une autre taille ?", "c'est fabriqué où exactement ?",
					"la promo vaut aussi pour les anciens clients ?", "on peut réserver à l'avance ?",
					"je verrai bien sur place", "ça ressemble à la version de l'an dernier", "je vais regarder ça de plus près",
				},
				closers: []string{"Merci d'avance.", "Merci.", ""},
			},
			"reply": {openers: []string{"Je me posais la même question,", "Bonne question,", "Pour info,"}},
			"mention": {bodies: []string{
				"Quelqu'un a déjà essayé @@ ?", "@@ vous ouvrez à quelle heure demain ?", "Je cherche un avis sur @@",
				"@@ est-ce que le retrait en magasin est possible ?",
			}},
			"quote": {bodies: []string{"À voir", "Je note", "Intéressant, à suivre", "Pour ceux que ça concerne"}},
			"message": {
				openers: []string{"Bonjour,", "Bonjour à l'équipe,"},
				bodies:  []string{"j'ai une question sur ma commande", "pouvez-vous me dire où en est ma livraison ?", "je souhaiterais modifier mon adresse", "est-il possible d'avoir une facture ?"},
				closers: []string{"Merci d'avance.", "Cordialement.", ""},
			},
			"review": {bodies: []string{"Correct, sans plus", "Conforme à la description", "Bien dans l'ensemble, un peu d'attente", "Ni déçu ni emballé"}},
		},
		"negative": {
			"": {
				openers: []string{"Sérieusement ?", "Franchement déçu,", "Encore une fois,", "Honnêtement,", "Inadmissible :", ""},
				bodies: []string{
					"c'est une honte", "trois semaines que j'attends ma commande", "personne ne répond au service client",
					"la qualité a vraiment baissé", "c'est beaucoup trop cher pour ce que c'est", "produit cassé à l'arrivée",
					"on se moque des clients", "je ne commanderai plus jamais chez vous", "votre site plante sans arrêt",
					"remboursement toujours pas reçu", "publicité mensongère",
				},
				closers: []string{"Lamentable.", "Je suis furieux.", "Vraiment nul.", "Quelle arnaque.", "Décevant.", ""},
			},
			"reply": {openers: []string{"Pareil, horrible,", "Même problème ici,", "Pas mieux de mon côté,", "Je confirme, c'est nul,"}},
			"mention": {bodies: []string{
				"@@ toujours aucune réponse à mes messages", "Évitez @@, service catastrophique", "@@ ma commande n'est jamais arrivée",
				"Très déçu par @@ cette fois", "@@ c'est une arnaque",
			}},
			"quote": {bodies: []string{"Et pendant ce temps, toujours pas remboursé", "Belle com', service nul", "Ils osent encore poster ça", "N'y croyez pas"}},
			"message": {
				openers: []string{"Bonjour,", "Madame, Monsieur,"},
				bodies:  []string{"je suis très mécontent de ma commande", "mon colis est arrivé abîmé", "je n'ai toujours pas reçu mon remboursement", "c'est la troisième fois que je vous écris sans réponse"},
				closers: []string{"C'est inacceptable.", "J'attends une réponse rapide.", "Je suis vraiment déçu."},
			},
			"review": {bodies: []string{"Service déplorable, à éviter", "Commande perdue, personne pour aider", "Très mauvaise expérience", "Produit de mauvaise qualité, jamais plus"}},
		},
	},
	"en": {
		"positive": {
			"": {
				openers: []string{"Honestly,", "Wow,", "Oh my,", "Love it:", "Brilliant,", "Yes!", ""},
				bodies: []string{
					"this is exactly what I was looking for", "love what you are doing", "great job, really",
					"you nailed it again", "makes me want to visit you", "what a lovely idea", "the result is stunning",
					"totally won me over", "you can feel the care in every detail", "I recommend you to all my friends",
					"always a pleasure to follow you", "best thing I've seen all week",
				},
				closers: []string{"Thank you!", "Keep it up!", "Can't wait for the next one.", "Well done, team.", "Amazing.", ""},
			},
			"reply": {openers: []string{"Totally agree,", "Same here,", "Can confirm,", "So true,"}},
			"mention": {bodies: []string{
				"Shout-out to @@ today", "If you don't know @@ yet, go check them out", "Thanks @@ for the warm welcome this morning",
				"Got my order from @@, perfect", "@@ never disappoints",
			}},
			"quote": {bodies: []string{"Now that's good news", "Sharing this everywhere", "This made my day", "Exactly what we needed"}},
			"message": {
				openers: []string{"Hi,", "Hello!", "Good evening,"},
				bodies:  []string{"just wanted to say thanks for your help", "my order arrived and it's perfect", "your support person was lovely on the phone", "thanks for answering so quickly"},
				closers: []string{"Have a great day!", "Cheers!", "See you soon!"},
			},
			"review": {bodies: []string{
				"Warm welcome and top quality products", "Flawless service, fast delivery", "Great place, I'll be back",
				"Helpful advice and perfect follow-up", "Nothing to fault, everything was perfect",
			}},
		},
		"neutral": {
			"": {
				openers: []string{"Question:", "Quick question,", "Hi,", "By the way,", ""},
				bodies: []string{
					"is it available in store or only online?", "what are your opening hours this weekend?",
					"do you ship to Ireland?", "does it come in another size?", "where exactly is it made?",
					"does the offer apply to existing customers?", "can we book in advance?",
					"I'll see when I'm there", "looks like last year's version", "I'll take a closer look",
				},
				closers: []string{"Thanks in advance.", "Thanks.", ""},
			},
			"reply": {openers: []string{"Was wondering the same,", "Good question,", "For what it's worth,"}},
			"mention": {bodies: []string{
				"Has anyone tried @@?", "@@ what time do you open tomorrow?", "Looking for opinions on @@",
				"@@ can I pick up in store?",
			}},
			"quote": {bodies: []string{"Worth a look", "Noted", "Interesting, let's see", "For those who care"}},
			"message": {
				openers: []string{"Hello,", "Hi team,"},
				bodies:  []string{"I have a question about my order", "could you tell me where my delivery is?", "I'd like to change my address", "could I get an invoice?"},
				closers: []string{"Thanks in advance.", "Regards.", ""},
			},
			"review": {bodies: []string{"Fine, nothing special", "As described", "Good overall, a bit of a wait", "Neither disappointed nor thrilled"}},
		},
		"negative": {
			"": {
				openers: []string{"Seriously?", "Really disappointed,", "Once again,", "Honestly,", "Unacceptable:", ""},
				bodies: []string{
					"this is a disgrace", "three weeks waiting for my order", "nobody answers at customer service",
					"the quality has really gone down", "way too expensive for what it is", "arrived broken",
					"you're taking customers for fools", "never ordering from you again", "your website keeps crashing",
					"still no refund", "misleading advertising",
				},
				closers: []string{"Pathetic.", "I'm furious.", "Terrible.", "What a scam.", "So disappointing.", ""},
			},
			"reply": {openers: []string{"Same, awful,", "Same problem here,", "No better on my side,", "Can confirm, it's bad,"}},
			"mention": {bodies: []string{
				"@@ still no answer to my messages", "Avoid @@, terrible service", "@@ my order never arrived",
				"Very disappointed by @@ this time", "@@ is a scam",
			}},
			"quote": {bodies: []string{"Meanwhile, still no refund", "Nice marketing, awful service", "They still dare post this", "Don't believe it"}},
			"message": {
				openers: []string{"Hello,", "To whom it may concern,"},
				bodies:  []string{"I'm very unhappy with my order", "my parcel arrived damaged", "I still haven't received my refund", "this is the third time I write without an answer"},
				closers: []string{"This is unacceptable.", "I expect a quick answer.", "Really disappointed."},
			},
			"review": {bodies: []string{"Dreadful service, avoid", "Order lost, nobody to help", "Very bad experience", "Poor quality product, never again"}},
		},
	},
}

var emojis = map[string][]string{
	"positive": {"😍", "👏", "❤️", "✨", "🙌", "😊"},
	"neutral":  {"🤔", "👀", "🙂"},
	"negative": {"😡", "👎", "🤬", "😤", "💔"},
}

// phrase composes a text of the kind ("comment", "reply", "mention",
// "quote", "message", "review") in lang with the sentiment label.
func phrase(r *rand.Rand, lang, label, kind string) string {
	l := phrases[lang]
	if l == nil {
		l = phrases[audienceLanguage]
	}
	base, own := l[label][""], l[label][kind]
	pick := func(own, base []string) string {
		list := own
		if len(list) == 0 {
			list = base
		}
		if len(list) == 0 {
			return ""
		}
		return list[r.IntN(len(list))]
	}
	var opener, body, closer string
	switch kind {
	case "comment", "reply":
		opener, body, closer = pick(own.openers, base.openers), pick(own.bodies, base.bodies), pick(nil, base.closers)
	case "mention", "quote", "review":
		body, closer = pick(own.bodies, nil), pick(nil, base.closers)
	case "message":
		opener, body, closer = pick(own.openers, nil), pick(own.bodies, nil), pick(own.closers, nil)
	}
	// A sentence ends with a full stop for a question or a remark, with an
	// exclamation mark otherwise (French sets a space before it).
	end := func(s string) string {
		if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?") {
			return s
		}
		switch {
		case label == "neutral":
			return s + "."
		case lang == "fr":
			return s + " !"
		default:
			return s + "!"
		}
	}
	text := capitalize(body)
	if opener != "" {
		if strings.ContainsAny(opener[len(opener)-1:], ".!?") {
			text = opener + " " + text
		} else {
			text = opener + " " + body
		}
	}
	if closer != "" && !(kind == "mention" && r.IntN(2) == 0) {
		text = end(text) + " " + closer
	}
	text = end(text)
	if kind != "message" && kind != "review" && r.IntN(2) == 0 {
		e := emojis[label]
		text += " " + e[r.IntN(len(e))]
	}
	return text
}

func capitalize(s string) string {
	for i, c := range s {
		if c >= 'a' && c <= 'z' {
			return s[:i] + string(c-'a'+'A') + s[i+1:]
		}
		if c == 'é' {
			return s[:i] + "É" + s[i+len("é"):]
		}
		return s
	}
	return s
}

// editNote is what an author adds when editing an item.
func editNote(lang string, n int64) string {
	notes := map[string][]string{
		"fr": {"(édit : faute de frappe)", "(modifié : précision ajoutée)", "(édit : je précise)", "(édité)"},
		"en": {"(edit: typo)", "(edited to add details)", "(edit: clarified)", "(edited)"},
	}[lang]
	if len(notes) == 0 {
		return "(edited)"
	}
	return notes[int(n%int64(len(notes)))]
}

// The audience's members: first and last names per language.
var (
	firstNames = map[string][]string{
		"fr": {"Camille", "Léa", "Hugo", "Manon", "Lucas", "Chloé", "Théo", "Inès", "Nathan", "Jade", "Julien", "Sarah", "Antoine", "Zoé", "Mathis", "Élise"},
		"en": {"Olivia", "Jack", "Emily", "Harry", "Sophie", "George", "Grace", "Oscar", "Ella", "Noah", "Ruby", "Liam", "Amelia", "Leo", "Mia", "Finn"},
	}
	lastNames = map[string][]string{
		"fr": {"Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Girard", "Roux", "Fournier", "Mercier", "Blanc", "Faure", "Chevalier"},
		"en": {"Smith", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright", "Hughes", "Clarke", "Hall", "Turner", "Baker"},
	}
)

// pickAuthor draws a member of the audience writing in lang, none of the
// blocked ones (when every draw is blocked, a newcomer writes).
func pickAuthor(r *rand.Rand, lang string, blocked map[string]bool) InboxAuthor {
	fs, ls := firstNames[lang], lastNames[lang]
	if len(fs) == 0 {
		fs, ls = firstNames[audienceLanguage], lastNames[audienceLanguage]
	}
	var a InboxAuthor
	for try := range 20 {
		f, l := fs[r.IntN(len(fs))], ls[r.IntN(len(ls))]
		a = InboxAuthor{Name: f + " " + l, Handle: strings.ToLower(ascii(f) + "_" + ascii(l))}
		if try > 0 && try == 19 {
			a.Handle += "_new"
			a.Name += " (new)"
		}
		a.ID = "aud-" + a.Handle
		if !blocked[a.ID] {
			break
		}
	}
	return a
}

// ascii drops the accents of a name for its handle.
func ascii(s string) string {
	return strings.NewReplacer("é", "e", "è", "e", "É", "e", "ï", "i", "ë", "e").Replace(s)
}
