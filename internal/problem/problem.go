// Package problem pairs an error with what a user may be told about it: an
// HTTP status, a stable code and a safe message. The web and API renderers
// show the safe part, in the reader's language, and log the rest.
//
// Messages are written in English only: the English is the key of the one
// catalogue (internal/i18n), which holds the French, looked up when the
// message is rendered (Localized, and the API's message_fr). A message with
// values is an English fmt format with its values in Args, translated then
// formatted: Detail{Message: "Same content as post #%d", Args: []any{id}}.
package problem

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/tribune-social/tribune/internal/i18n"
)

// Error is an error a user can be shown.
type Error struct {
	Status  int
	Code    string // stable, snake_case
	Message string // English, the catalogue key; a fmt format when Args are set
	Args    []any  // values of Message's verbs
	Details []Detail
	Err     error // the cause, logged, never shown
}

// Detail locates one problem in the input (a form field, a CSV row, a
// channel). Its JSON carries the message in English and in French.
type Detail struct {
	Location string `json:"location"`
	Code     string `json:"code"`
	Message  string `json:"message"` // English, the catalogue key; a fmt format when Args are set
	Args     []any  `json:"-"`       // values of Message's verbs
}

// Localized returns the message in lang (English when lang is unknown).
func (d Detail) Localized(lang string) string { return i18n.T(lang, d.Message, d.Args...) }

// MarshalJSON writes the detail as the API has always shown it: location,
// code, message (English) and message_fr.
func (d Detail) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Location  string `json:"location"`
		Code      string `json:"code"`
		Message   string `json:"message"`
		MessageFR string `json:"message_fr,omitempty"`
	}{d.Location, d.Code, d.Localized("en"), d.Localized("fr")})
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Localized("en"), e.Err)
	}
	return e.Code + ": " + e.Localized("en")
}

func (e *Error) Unwrap() error { return e.Err }

// Localized returns the message in lang (English when lang is unknown).
func (e *Error) Localized(lang string) string { return i18n.T(lang, e.Message, e.Args...) }

// New builds an Error; en is the English message, its French is in the
// catalogue.
func New(status int, code, en string) *Error {
	return &Error{Status: status, Code: code, Message: en}
}

// Format returns a copy of e whose message is formatted with args (e's
// Message is then a fmt format, in English and in the catalogue).
func (e *Error) Format(args ...any) *Error {
	c := *e
	c.Args = args
	return &c
}

// Wrap attaches a cause to a copy of e.
func (e *Error) Wrap(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// With attaches details to a copy of e.
func (e *Error) With(details ...Detail) *Error {
	c := *e
	c.Details = append(append([]Detail(nil), e.Details...), details...)
	return &c
}

// As returns err as a *Error, or a generic 500 that hides the cause.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal.Wrap(err)
}

// Common problems.
var (
	Internal     = New(http.StatusInternalServerError, "internal", "Something went wrong on our side. It has been logged.")
	Unauthorized = New(http.StatusUnauthorized, "unauthorized", "Please sign in.")
	Forbidden    = New(http.StatusForbidden, "forbidden", "You do not have access to this.")
	NotFound     = New(http.StatusNotFound, "not_found", "Not found.")
	Invalid      = New(http.StatusUnprocessableEntity, "invalid", "Some fields are not valid.")
	Conflict     = New(http.StatusConflict, "conflict", "This conflicts with the current state.")
)

// Invalidf is a 422 about one field; en is the English message, its French
// is in the catalogue.
func Invalidf(location, code, en string) *Error {
	return Invalid.With(Detail{Location: location, Code: code, Message: en})
}
