package moderation

import (
	"net/http"
	"strings"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
)

// Saved replies are texts with variables: "Bonjour {name}, merci pour votre
// message sur {post_link} !". A moderator writes them once; the inbox
// renders one for an item when someone answers with it or a rule
// auto-replies. {{ and }} write a brace.

// The variables a saved reply may use.
const (
	// VarName is the author's display name, or their handle when they have none.
	VarName = "name"
	// VarHandle is the author's handle with its @.
	VarHandle = "handle"
	// VarPostLink is the address of our post the item answers.
	VarPostLink = "post_link"
)

// ReplyVariables lists the variables, in the order a form offers them.
var ReplyVariables = []string{VarName, VarHandle, VarPostLink}

// ReplyTemplate is a parsed saved reply.
type ReplyTemplate struct {
	parts []replyPart
}

// replyPart is literal text or, when v is set, a variable.
type replyPart struct {
	text, v string
}

// ReplyVars are the values of one item.
type ReplyVars struct {
	Name, Handle, PostLink string
}

// VarsOf takes an item's values; postLink is the address of the Tribune
// post it answers ("" when none: a direct message, a mention).
func VarsOf(it network.Item, postLink string) ReplyVars {
	return ReplyVars{Name: it.Author.DisplayName, Handle: it.Author.Handle, PostLink: postLink}
}

// ParseReply checks and parses a saved reply's text: an empty text, an
// unknown variable or an unclosed brace is a *problem.Error (422) located
// at "text".
func ParseReply(text string) (ReplyTemplate, error) {
	if strings.TrimSpace(text) == "" {
		return ReplyTemplate{}, problem.Invalid.With(problem.Detail{Location: "text", Code: "required", Message: "Write the reply."})
	}
	var t ReplyTemplate
	var lit strings.Builder
	var details []problem.Detail
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, replyPart{text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '{' && strings.HasPrefix(text[i:], "{{"), c == '}' && strings.HasPrefix(text[i:], "}}"):
			lit.WriteByte(c)
			i++
		case c == '{':
			end := strings.IndexByte(text[i:], '}')
			if end < 0 || strings.ContainsAny(text[i+1:i+end], "{ \n") {
				details = append(details, problem.Detail{Location: "text", Code: "unclosed_brace", Message: "A “{” is not closed: write {{ for a brace."})
				lit.WriteByte(c)
				continue
			}
			name := text[i+1 : i+end]
			if !isReplyVariable(name) {
				details = append(details, problem.Detail{Location: "text", Code: "unknown_variable", Message: "Unknown variable {%s}: use {name}, {handle} or {post_link}.", Args: []any{name}})
			}
			flush()
			t.parts = append(t.parts, replyPart{v: name})
			i += end
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	if len(details) > 0 {
		return ReplyTemplate{}, problem.Invalid.With(details...)
	}
	return t, nil
}

func isReplyVariable(name string) bool {
	for _, v := range ReplyVariables {
		if v == name {
			return true
		}
	}
	return false
}

// Uses reports whether the reply uses variable v: a reply that needs
// {post_link} cannot answer a direct message.
func (t ReplyTemplate) Uses(v string) bool {
	for _, p := range t.parts {
		if p.v == v {
			return true
		}
	}
	return false
}

// errNoPostLink: the reply names our post and the item answers none.
var errNoPostLink = problem.New(http.StatusUnprocessableEntity, "reply_needs_post_link", "This reply uses {post_link}, and this item answers none of our posts.")

// Render writes the reply for one item. A missing name falls back to the
// handle; a missing post link is an error rather than a reply with a hole.
func (t ReplyTemplate) Render(v ReplyVars) (string, error) {
	var b strings.Builder
	handle := v.Handle
	if handle != "" && !strings.HasPrefix(handle, "@") {
		handle = "@" + handle
	}
	for _, p := range t.parts {
		switch p.v {
		case "":
			b.WriteString(p.text)
		case VarName:
			if v.Name != "" {
				b.WriteString(v.Name)
			} else {
				b.WriteString(handle)
			}
		case VarHandle:
			b.WriteString(handle)
		case VarPostLink:
			if v.PostLink == "" {
				return "", errNoPostLink
			}
			b.WriteString(v.PostLink)
		}
	}
	return b.String(), nil
}
