// Package problem pairs an error with what a user may be told about it: an
// HTTP status, a stable code and a safe message (English and French). The web
// and API renderers show the safe part and log the rest.
package problem

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error a user can be shown.
type Error struct {
	Status    int
	Code      string // stable, snake_case
	Message   string // English
	MessageFR string // French
	Details   []Detail
	Err       error // the cause, logged, never shown
}

// Detail locates one problem in the input (a form field, a CSV row, a channel).
type Detail struct {
	Location  string `json:"location"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageFR string `json:"message_fr,omitempty"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Localized returns the message in lang ("fr" or anything else for English).
func (e *Error) Localized(lang string) string {
	if lang == "fr" && e.MessageFR != "" {
		return e.MessageFR
	}
	return e.Message
}

// New builds an Error.
func New(status int, code, en, fr string) *Error {
	return &Error{Status: status, Code: code, Message: en, MessageFR: fr}
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
	Internal     = New(http.StatusInternalServerError, "internal", "Something went wrong on our side. It has been logged.", "Une erreur est survenue de notre côté. Elle a été journalisée.")
	Unauthorized = New(http.StatusUnauthorized, "unauthorized", "Please sign in.", "Veuillez vous connecter.")
	Forbidden    = New(http.StatusForbidden, "forbidden", "You do not have access to this.", "Vous n’avez pas accès à cette ressource.")
	NotFound     = New(http.StatusNotFound, "not_found", "Not found.", "Introuvable.")
	Invalid      = New(http.StatusUnprocessableEntity, "invalid", "Some fields are not valid.", "Certains champs ne sont pas valides.")
	Conflict     = New(http.StatusConflict, "conflict", "This conflicts with the current state.", "Cette action est en conflit avec l’état actuel.")
)

// Invalidf is a 422 about one field.
func Invalidf(location, code, en, fr string) *Error {
	return Invalid.With(Detail{Location: location, Code: code, Message: en, MessageFR: fr})
}
