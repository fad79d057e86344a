package moderation

import (
	"errors"
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// The limits of a rule. They keep a rule readable and its evaluation cheap:
// it runs on every item the inbox stores.
const (
	MaxNameLen    = 100
	MaxConditions = 20
	MaxActions    = 10
	MaxTerms      = 200
	MaxTermLen    = 100
	// MinPrefixLen keeps a keyword ending with * from finding half the
	// dictionary (a* would).
	MinPrefixLen = 3
	// MaxPatternLen bounds a regular expression; RE2 then bounds its
	// matching time by the text's length, whatever the pattern.
	MaxPatternLen = 500
	// MaxPatternSize bounds the compiled expression, in RE2 instructions:
	// its matching time grows with that size too, and counted repetitions
	// make it large from a short pattern ((?:.?){1000} is 2,000).
	// Expressions moderators write (alternatives of words, \d{2}, an
	// e-mail or a telephone number) stay far below.
	MaxPatternSize = 500
	MaxValues      = 100
	MaxTagLen      = 40 // the inbox's tag length
	MaxEmails      = 10
	MinCapitals    = 2
	MaxCapitals    = 100
)

// regexpProblems explains RE2's complaints in words a moderator reads, in
// the catalogue's languages (the value is the place it complains about).
var regexpProblems = map[syntax.ErrorCode]string{
	syntax.ErrMissingParen:          "The regular expression is not valid: a parenthesis is not closed (%s).",
	syntax.ErrUnexpectedParen:       "The regular expression is not valid: a closing parenthesis has no opening one (%s).",
	syntax.ErrMissingBracket:        "The regular expression is not valid: a bracket is not closed (%s).",
	syntax.ErrMissingRepeatArgument: "The regular expression is not valid: *, + or ? follows nothing (%s).",
	syntax.ErrInvalidRepeatOp:       "The regular expression is not valid: repetition operators follow each other (%s).",
	syntax.ErrInvalidRepeatSize:     "The regular expression is not valid: a repetition count is too large or inverted (%s).",
	syntax.ErrInvalidEscape:         "The regular expression is not valid: unknown escape sequence (%s).",
	syntax.ErrInvalidCharRange:      "The regular expression is not valid: a character range is inverted or wrong (%s).",
	syntax.ErrInvalidCharClass:      "The regular expression is not valid: unknown character class (%s).",
	syntax.ErrInvalidPerlOp:         "The regular expression is not valid: unsupported (?…) group; Go expressions have no look-ahead nor look-behind (%s).",
	syntax.ErrTrailingBackslash:     "The regular expression is not valid: it ends with a backslash (%s).",
	syntax.ErrInvalidNamedCapture:   "The regular expression is not valid: invalid group name (%s).",
	syntax.ErrLarge:                 "The regular expression is too large or too deeply nested (%s).",
	syntax.ErrNestingDepth:          "The regular expression is too large or too deeply nested (%s).",
}

// checker gathers every problem of a rule, each located by its path in the
// rule's JSON ("conditions[0].pattern"), so a form shows them all at once.
type checker struct {
	prefix  string
	details []problem.Detail
}

func (c *checker) add(d problem.Detail) {
	d.Location = c.prefix + d.Location
	c.details = append(c.details, d)
}

func (c *checker) err() error {
	if len(c.details) == 0 {
		return nil
	}
	return problem.Invalid.With(c.details...)
}

// Validate checks one rule: nil, or a *problem.Error (422) whose details
// locate every problem, in English and French.
func Validate(r Rule) error {
	var c checker
	c.rule(r)
	return c.err()
}

// validateAll checks a workspace's rules, locating problems as
// "rules[i]…".
func validateAll(rs []Rule) error {
	var c checker
	for i, r := range rs {
		c.prefix = fmt.Sprintf("rules[%d].", i)
		c.rule(r)
	}
	return c.err()
}

func (c *checker) rule(r Rule) {
	switch name := strings.TrimSpace(r.Name); {
	case name == "":
		c.add(problem.Detail{Location: "name", Code: "required", Message: "Give the rule a name."})
	case utf8.RuneCountInString(name) > MaxNameLen:
		c.add(problem.Detail{Location: "name", Code: "too_long", Message: "The name is longer than %d characters.", Args: []any{MaxNameLen}})
	}
	n := len(r.Conditions)
	for _, g := range r.AnyOf {
		n += len(g)
	}
	switch {
	case n == 0:
		c.add(problem.Detail{Location: "conditions", Code: "required", Message: "Add at least one condition: a rule without one would act on every item."})
	case n > MaxConditions:
		c.add(problem.Detail{Location: "conditions", Code: "too_many", Message: "At most %d conditions per rule.", Args: []any{MaxConditions}})
	}
	for i, cond := range r.Conditions {
		c.condition(fmt.Sprintf("conditions[%d].", i), cond)
	}
	for i, g := range r.AnyOf {
		if len(g) == 0 {
			c.add(problem.Detail{Location: fmt.Sprintf("any_of[%d]", i), Code: "required", Message: "A group of alternatives needs at least one condition."})
		}
		for j, cond := range g {
			c.condition(fmt.Sprintf("any_of[%d][%d].", i, j), cond)
		}
	}
	switch {
	case len(r.Actions) == 0:
		c.add(problem.Detail{Location: "actions", Code: "required", Message: "Add at least one action."})
	case len(r.Actions) > MaxActions:
		c.add(problem.Detail{Location: "actions", Code: "too_many", Message: "At most %d actions per rule.", Args: []any{MaxActions}})
	}
	for i, a := range r.Actions {
		c.action(fmt.Sprintf("actions[%d].", i), a)
	}
}

func (c *checker) condition(at string, cond Condition) {
	switch cond.Kind {
	case CondKeywords:
		c.keywords(at, cond.Terms)
	case CondRegex:
		c.regex(at+"pattern", cond.Pattern)
	case CondSentimentBelow, CondSentimentAbove:
		if math.IsNaN(cond.Threshold) || cond.Threshold < -1 || cond.Threshold > 1 {
			c.add(problem.Detail{Location: at + "threshold", Code: "out_of_range", Message: "The sentiment threshold must be between -1 and 1."})
		}
	case CondLanguage:
		if len(cond.Values) == 0 {
			c.add(problem.Detail{Location: at + "values", Code: "required", Message: "Choose at least one language."})
		}
		for i, v := range cond.Values {
			if l := strings.ToLower(strings.TrimSpace(v)); l != sentiment.French && l != sentiment.English && l != sentiment.Other {
				c.add(problem.Detail{Location: fmt.Sprintf("%svalues[%d]", at, i), Code: "unknown_language", Message: "Unknown language “%s”: use fr, en or other.", Args: []any{v}})
			}
		}
	case CondNetwork:
		if len(cond.Values) == 0 {
			c.add(problem.Detail{Location: at + "values", Code: "required", Message: "Choose at least one network."})
		}
		for i, v := range cond.Values {
			if _, ok := rules.Get(strings.ToLower(strings.TrimSpace(v))); !ok {
				c.add(problem.Detail{Location: fmt.Sprintf("%svalues[%d]", at, i), Code: "unknown_network", Message: "Unknown network “%s”.", Args: []any{v}})
			}
		}
	case CondKind:
		if len(cond.Values) == 0 {
			c.add(problem.Detail{Location: at + "values", Code: "required", Message: "Choose at least one item type."})
		}
		for i, v := range cond.Values {
			if !slices.Contains(network.ItemKinds, network.ItemKind(strings.ToLower(strings.TrimSpace(v)))) {
				c.add(problem.Detail{Location: fmt.Sprintf("%svalues[%d]", at, i), Code: "unknown_kind", Message: "Unknown item type “%s”.", Args: []any{v}})
			}
		}
	case CondAuthor:
		if len(cond.Values) == 0 {
			c.add(problem.Detail{Location: at + "values", Code: "required", Message: "Add at least one author (handle or id)."})
		}
		for i, v := range cond.Values {
			if authorKey(v) == "" {
				c.add(problem.Detail{Location: fmt.Sprintf("%svalues[%d]", at, i), Code: "required", Message: "An author handle or id is empty."})
			}
		}
	case CondAllCaps:
		if m := cond.MinLetters; m != 0 && (m < MinCapitals || m > MaxCapitals) {
			c.add(problem.Detail{Location: at + "min_letters", Code: "out_of_range", Message: "The least number of capital letters must be between %d and %d.", Args: []any{MinCapitals, MaxCapitals}})
		}
	case CondLink, CondEmail, CondOnlyEmojis, CondToxic, CondSpam:
	default:
		c.add(problem.Detail{Location: at + "kind", Code: "unknown_condition", Message: "Unknown condition “%s”.", Args: []any{string(cond.Kind)}})
		return
	}
	if len(cond.Values) > MaxValues {
		c.add(problem.Detail{Location: at + "values", Code: "too_many", Message: "At most %d values per condition.", Args: []any{MaxValues}})
	}
}

func (c *checker) keywords(at string, terms []string) {
	switch {
	case len(terms) == 0:
		c.add(problem.Detail{Location: at + "terms", Code: "required", Message: "Add at least one word or phrase."})
	case len(terms) > MaxTerms:
		c.add(problem.Detail{Location: at + "terms", Code: "too_many", Message: "At most %d words or phrases per condition.", Args: []any{MaxTerms}})
	}
	for i, t := range terms {
		loc := fmt.Sprintf("%sterms[%d]", at, i)
		switch {
		case utf8.RuneCountInString(t) > MaxTermLen:
			c.add(problem.Detail{Location: loc, Code: "too_long", Message: "A word or phrase is longer than %d characters.", Args: []any{MaxTermLen}})
		default:
			ws, prefix := keywordWords(t)
			switch {
			case len(ws) == 0:
				c.add(problem.Detail{Location: loc, Code: "no_word", Message: "“%s” has no letter, digit or emoji to look for.", Args: []any{t}})
			case prefix && utf8.RuneCountInString(ws[len(ws)-1]) < MinPrefixLen:
				c.add(problem.Detail{Location: loc, Code: "short_prefix", Message: "“%s”: write at least %d letters before the *.", Args: []any{t, MinPrefixLen}})
			}
		}
	}
}

func (c *checker) regex(at, pattern string) {
	if strings.TrimSpace(pattern) == "" {
		c.add(problem.Detail{Location: at, Code: "required", Message: "Enter a regular expression."})
		return
	}
	if utf8.RuneCountInString(pattern) > MaxPatternLen {
		c.add(problem.Detail{Location: at, Code: "too_long", Message: "The regular expression is longer than %d characters.", Args: []any{MaxPatternLen}})
		return
	}
	_, err := regexp.Compile(regexSource(pattern))
	if err == nil {
		if patternSize(pattern) > MaxPatternSize {
			c.add(problem.Detail{Location: at, Code: "too_complex",
				Message: "The regular expression is too complex: make its repetitions ({n}, {n,m}) smaller or fewer."})
		}
		return
	}
	msg, near := "The regular expression is not valid (%s).", pattern
	var se *syntax.Error
	if errors.As(err, &se) {
		if m, ok := regexpProblems[se.Code]; ok {
			msg = m
		}
		// RE2 quotes the expression as compiled: the (?i) is ours.
		if e := strings.TrimPrefix(se.Expr, "(?i)"); e != "" {
			near = e
		}
	}
	c.add(problem.Detail{Location: at, Code: "invalid_regex", Message: msg, Args: []any{near}})
}

func (c *checker) action(at string, a Action) {
	switch a.Kind {
	case ActHide, ActDelete, ActDone:
	case ActTag:
		switch t := strings.TrimSpace(a.Tag); {
		case t == "":
			c.add(problem.Detail{Location: at + "tag", Code: "required", Message: "Enter a tag."})
		case utf8.RuneCountInString(t) > MaxTagLen:
			c.add(problem.Detail{Location: at + "tag", Code: "too_long", Message: "The tag is longer than %d characters.", Args: []any{MaxTagLen}})
		}
	case ActAssign:
		if a.MemberID <= 0 {
			c.add(problem.Detail{Location: at + "member_id", Code: "required", Message: "Choose a member to assign."})
		}
	case ActPriority:
		if !slices.Contains(Priorities, a.Priority) {
			c.add(problem.Detail{Location: at + "priority", Code: "unknown_priority", Message: "Unknown priority “%s”: use low, normal, high or urgent.", Args: []any{string(a.Priority)}})
		}
	case ActAutoReply:
		if a.ReplyID <= 0 {
			c.add(problem.Detail{Location: at + "reply_id", Code: "required", Message: "Choose a saved reply."})
		}
	case ActEmail:
		switch {
		case len(a.Emails) == 0:
			c.add(problem.Detail{Location: at + "emails", Code: "required", Message: "Add at least one e-mail address."})
		case len(a.Emails) > MaxEmails:
			c.add(problem.Detail{Location: at + "emails", Code: "too_many", Message: "At most %d e-mail addresses.", Args: []any{MaxEmails}})
		}
		for i, e := range a.Emails {
			if !isAddress(e) {
				c.add(problem.Detail{Location: fmt.Sprintf("%semails[%d]", at, i), Code: "invalid_email", Message: "“%s” is not an e-mail address.", Args: []any{e}})
			}
		}
	case ActWebhook:
		if a.WebhookID <= 0 {
			c.add(problem.Detail{Location: at + "webhook_id", Code: "required", Message: "Choose a webhook endpoint."})
		}
	default:
		c.add(problem.Detail{Location: at + "kind", Code: "unknown_action", Message: "Unknown action “%s”.", Args: []any{string(a.Kind)}})
	}
}

// isAddress: a bare address (no display name) whose domain has a dot, the
// only form an escalation sends to.
func isAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(strings.Trim(domain, "."), ".")
}

// patternSize is the number of RE2 instructions pattern compiles to (as
// the engine compiles it); a pattern that does not compile counts as
// over any limit.
func patternSize(pattern string) int {
	re, err := syntax.Parse(regexSource(pattern), syntax.Perl)
	if err != nil {
		return math.MaxInt
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return math.MaxInt
	}
	return len(prog.Inst)
}
