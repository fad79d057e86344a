package moderation

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/text/links"
)

// Input is what the engine knows of one item: the item as fetched, the
// network it came from, what the sentiment package said of it, and
// optionally what that network allows.
type Input struct {
	Item network.Item
	// Network is the channel's network key ("mastodon", "bluesky").
	Network string
	// Sentiment is internal/sentiment's result; a zero Result (no Label)
	// means the item was not analysed and no sentiment condition matches.
	// Its Lang is Tribune's own detection, preferred to the item's Lang.
	Sentiment sentiment.Result
	// Capabilities, when set, mark the actions the network refuses
	// (Planned.Unsupported) so that the inbox does not call it in vain.
	Capabilities *network.InboxCapabilities
	// AuthorRecent are the same author's earlier texts in the workspace
	// (the last day, at most AuthorRecentMax), for the spam condition's
	// repeated text; read only when Engine.NeedsAuthorRecent says so.
	AuthorRecent []string
}

// AuthorRecentMax is how many of an author's earlier texts the inbox
// passes in Input.AuthorRecent, and AuthorRecentHours how far back.
const (
	AuthorRecentMax   = 20
	AuthorRecentHours = 24
)

// lang is the item's language as the language condition compares it.
func (in *Input) lang() string {
	if in.Sentiment.Lang != "" {
		return in.Sentiment.Lang
	}
	l, _, _ := strings.Cut(strings.ToLower(in.Item.Lang), "-")
	switch l {
	case "":
		return ""
	case sentiment.French, sentiment.English:
		return l
	}
	return sentiment.Other
}

// Engine holds a workspace's rules, checked, ordered and compiled once: it
// is safe for concurrent use and is meant to be kept until the rules change.
type Engine struct {
	rules []compiledRule
}

type compiledRule struct {
	id      int64
	name    string
	all     []matcher
	anyOf   [][]matcher
	planned []Planned
	stop    bool
}

// matcher is one compiled condition.
type matcher struct {
	kind       ConditionKind
	not        bool
	terms      map[string]bool     // one-word keywords
	prefixes   []string            // one-word keywords written with a final *
	phrases    map[string][]phrase // phrases by their first word
	re         *regexp.Regexp
	threshold  float64
	values     map[string]bool
	minLetters int
}

// Compile checks every rule (a *problem.Error locating each problem, see
// Validate) and keeps the enabled ones in their order.
func Compile(rules []Rule) (*Engine, error) {
	if err := validateAll(rules); err != nil {
		return nil, err
	}
	e := &Engine{}
	for _, i := range order(rules) {
		if rules[i].Enabled {
			e.rules = append(e.rules, compile(rules[i]))
		}
	}
	return e, nil
}

// order returns the indices of rules in evaluation order: Order, then ID,
// then name, then as given.
func order(rules []Rule) []int {
	idx := make([]int, len(rules))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		a, b := &rules[i], &rules[j]
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.ID, b.ID), strings.Compare(a.Name, b.Name))
	})
	return idx
}

// compile turns a valid rule into matchers.
func compile(r Rule) compiledRule {
	c := compiledRule{id: r.ID, name: r.Name, stop: r.Stop}
	for _, cond := range r.Conditions {
		c.all = append(c.all, compileCondition(cond))
	}
	for _, g := range r.AnyOf {
		var ms []matcher
		for _, cond := range g {
			ms = append(ms, compileCondition(cond))
		}
		c.anyOf = append(c.anyOf, ms)
	}
	for _, a := range r.Actions {
		c.planned = append(c.planned, Planned{Action: a, Undo: UndoOf(a.Kind)})
	}
	return c
}

func compileCondition(c Condition) matcher {
	m := matcher{kind: c.Kind, not: c.Not, threshold: c.Threshold, minLetters: c.MinLetters}
	switch c.Kind {
	case CondKeywords:
		m.terms, m.phrases = map[string]bool{}, map[string][]phrase{}
		for _, t := range c.Terms {
			ws, prefix := keywordWords(t)
			switch {
			case len(ws) == 0:
			case len(ws) == 1 && prefix:
				m.prefixes = append(m.prefixes, ws[0])
			case len(ws) == 1:
				m.terms[ws[0]] = true
			default:
				m.phrases[ws[0]] = append(m.phrases[ws[0]], phrase{ws, prefix})
			}
		}
	case CondRegex:
		m.re = regexp.MustCompile(regexSource(c.Pattern)) // validated before
	case CondLanguage, CondNetwork, CondKind:
		m.values = map[string]bool{}
		for _, v := range c.Values {
			m.values[strings.ToLower(strings.TrimSpace(v))] = true
		}
	case CondAuthor:
		m.values = map[string]bool{}
		for _, v := range c.Values {
			m.values[authorKey(v)] = true
		}
	case CondAllCaps:
		if m.minLetters == 0 {
			m.minLetters = DefaultMinLetters
		}
	}
	return m
}

// phrase is a keyword of several words; with prefix, its last word is the
// start of a word (service client* finds "service clientèle").
type phrase struct {
	words  []string
	prefix bool
}

// keywordWords splits a keyword into its normalised words, and says
// whether it ends with * (arnaq* finds arnaque, arnaqueur, arnaqués).
func keywordWords(term string) ([]string, bool) {
	t := strings.TrimSpace(term)
	prefix := strings.HasSuffix(t, "*")
	return words(strings.TrimSuffix(t, "*")), prefix
}

func (p phrase) at(ws []string) bool {
	n := len(p.words)
	if len(ws) < n || !slices.Equal(ws[:n-1], p.words[:n-1]) {
		return false
	}
	if p.prefix {
		return strings.HasPrefix(ws[n-1], p.words[n-1])
	}
	return ws[n-1] == p.words[n-1]
}

// regexSource is the pattern as compiled: case-insensitive unless it says
// otherwise with (?-i), because a moderator writing "arnaque" means
// "Arnaque" too.
func regexSource(p string) string { return "(?i)" + p }

// authorKey is a handle or id as compared: without the leading @, in lower
// case (handles are case-insensitive on every network Tribune speaks to).
func authorKey(v string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(v), "@"))
}

// facts are what the conditions ask of one item's text, each computed at
// most once per item, and only if a rule asks.
type facts struct {
	in      *Input
	words   []string
	wordsOK bool
	links   []links.Link
	linksOK bool
	email   int8 // 0 unknown, 1 no, 2 yes
	emoji   int8
}

func (f *facts) textWords() []string {
	if !f.wordsOK {
		f.words, f.wordsOK = words(f.in.Item.Text), true
	}
	return f.words
}

func (f *facts) textLinks() []links.Link {
	if !f.linksOK {
		if t := f.in.Item.Text; mayHaveLink(t) {
			f.links = links.Find(t, links.Default)
		}
		f.linksOK = true
	}
	return f.links
}

func (f *facts) hasEmail() bool {
	if f.email == 0 {
		f.email = 1
		if hasEmail(f.in.Item.Text) {
			f.email = 2
		}
	}
	return f.email == 2
}

func (f *facts) onlyEmojis() bool {
	if f.emoji == 0 {
		f.emoji = 1
		if onlyEmojis(f.in.Item.Text) {
			f.emoji = 2
		}
	}
	return f.emoji == 2
}

// match reports whether m holds for the item.
func (m *matcher) match(f *facts) bool {
	return m.test(f) != m.not
}

func (m *matcher) test(f *facts) bool {
	in := f.in
	switch m.kind {
	case CondKeywords:
		ws := f.textWords()
		for i, w := range ws {
			if m.terms[w] {
				return true
			}
			for _, p := range m.prefixes {
				if strings.HasPrefix(w, p) {
					return true
				}
			}
			for _, p := range m.phrases[w] {
				if p.at(ws[i:]) {
					return true
				}
			}
		}
		return false
	case CondRegex:
		return m.re.MatchString(in.Item.Text)
	case CondSentimentBelow:
		return in.Sentiment.Label != "" && in.Sentiment.Score < m.threshold
	case CondSentimentAbove:
		return in.Sentiment.Label != "" && in.Sentiment.Score > m.threshold
	case CondLanguage:
		return m.values[in.lang()]
	case CondNetwork:
		return m.values[in.Network]
	case CondKind:
		return m.values[string(in.Item.Kind)]
	case CondAuthor:
		a := in.Item.Author
		return a.Handle != "" && m.values[authorKey(a.Handle)] || a.ExternalID != "" && m.values[strings.ToLower(a.ExternalID)]
	case CondLink:
		return len(f.textLinks()) > 0
	case CondEmail:
		return f.hasEmail()
	case CondAllCaps:
		return allCaps(in.Item.Text, f.textLinks(), m.minLetters)
	case CondOnlyEmojis:
		return f.onlyEmojis()
	case CondToxic:
		return Toxic(in.Item.Text, in.Sentiment.Score, in.Sentiment.Label != "")
	case CondSpam:
		return Spam(in.Item.Text, f.textLinks(), in.AuthorRecent) != SpamNone
	}
	return false
}

func (r *compiledRule) match(f *facts) bool {
	for i := range r.all {
		if !r.all[i].match(f) {
			return false
		}
	}
	for _, g := range r.anyOf {
		ok := false
		for i := range g {
			if g[i].match(f) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Evaluate returns the decisions of the rules that match in, in order,
// ending with the first matching rule that says stop. It does nothing: the
// inbox performs the actions. The Planned slices may be shared between
// calls and must not be modified. An item the network says is deleted
// gets no decision: there is nothing left to act on.
func (e *Engine) Evaluate(in Input) []Decision {
	if in.Item.Deleted {
		return nil
	}
	f := facts{in: &in}
	var out []Decision
	for i := range e.rules {
		r := &e.rules[i]
		if !r.match(&f) {
			continue
		}
		out = append(out, Decision{RuleID: r.id, RuleName: r.name, Actions: r.plannedFor(&in), Stopped: r.stop})
		if r.stop {
			break
		}
	}
	return out
}

// plannedFor marks the actions the item's network refuses. The rule's own
// slice is shared by every evaluation, so a refusal is written on a copy.
func (r *compiledRule) plannedFor(in *Input) []Planned {
	if in.Capabilities == nil {
		return r.planned
	}
	out := r.planned
	copied := false
	for i, p := range r.planned {
		na := p.Action.NetworkAction()
		if na == "" {
			continue
		}
		if s := in.Capabilities.Action(na); !s.OK {
			if !copied {
				out, copied = slices.Clone(r.planned), true
			}
			out[i].Unsupported = s.Reason
		}
	}
	return out
}

// NeedsAuthorRecent reports whether a rule asks about spam, which reads
// Input.AuthorRecent: the inbox looks the author's texts up only then.
func (e *Engine) NeedsAuthorRecent() bool {
	for _, r := range e.rules {
		for _, m := range r.all {
			if m.kind == CondSpam {
				return true
			}
		}
		for _, g := range r.anyOf {
			for _, m := range g {
				if m.kind == CondSpam {
					return true
				}
			}
		}
	}
	return false
}

// Len is the number of enabled rules the engine runs.
func (e *Engine) Len() int { return len(e.rules) }
