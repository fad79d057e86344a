package query

import (
	"github.com/tribune-social/tribune/internal/i18n"
)

// expectation is what the parser wanted where it stopped; each has its
// text in the catalogue, so the editor shows the error in the reader's
// language.
type expectation int

const (
	expOperand expectation = iota
	expCloseParen
	expCloseQuote
	expEnd
	expTildeNumber
	expNearNumber
	expNearWord
	expStem
	expStarEnd
	expFilter
	expFilterValue
	expPositive
	expPhraseWords
	expWord
)

// text is the English of e, translated into lang. Each case is a literal
// so that the catalogue test sees every message.
func (e expectation) text(lang string) string {
	switch e {
	case expCloseParen:
		return i18n.T(lang, "a closing parenthesis")
	case expCloseQuote:
		return i18n.T(lang, "a closing quotation mark")
	case expEnd:
		return i18n.T(lang, "an operator or the end of the query")
	case expTildeNumber:
		return i18n.T(lang, "a number of words after ~, as in \"price rise\"~5")
	case expNearNumber:
		return i18n.T(lang, "a number of words after NEAR/, as in NEAR/5")
	case expNearWord:
		return i18n.T(lang, "a single word on each side of NEAR")
	case expStem:
		return i18n.T(lang, "at least two letters before *")
	case expStarEnd:
		return i18n.T(lang, "* only at the end of a word")
	case expFilter:
		return i18n.T(lang, "a filter lang:, network:, author: or -author:")
	case expFilterValue:
		return i18n.T(lang, "a value after the filter, as in lang:fr")
	case expPositive:
		return i18n.T(lang, "a word, phrase, hashtag or mention that the posts must contain, not only NOT and filters")
	case expPhraseWords:
		return i18n.T(lang, "words between the quotation marks")
	case expWord:
		return i18n.T(lang, "a word")
	default:
		return i18n.T(lang, "a word, a phrase, a hashtag, a mention, a filter or an opening parenthesis")
	}
}

// SyntaxError says where a query stops making sense and what was expected
// there.
type SyntaxError struct {
	// Offset counts the runes of the query before the error (0-based).
	Offset int
	// Column is Offset+1, as an editor shows it.
	Column   int
	expected expectation
}

// Error is the English message, e.g. "column 12: expected a closing
// parenthesis".
func (e *SyntaxError) Error() string { return e.Message(i18n.Default) }

// Message is the error in lang ("en" or "fr").
func (e *SyntaxError) Message(lang string) string {
	return i18n.T(lang, "column %d: expected %s", e.Column, e.expected.text(lang))
}

// Expected is what was expected, in lang, without the position.
func (e *SyntaxError) Expected(lang string) string { return e.expected.text(lang) }

func errAt(offset int, e expectation) *SyntaxError {
	return &SyntaxError{Offset: offset, Column: offset + 1, expected: e}
}
