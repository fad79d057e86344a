package moderation

import (
	"errors"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
)

func TestReplyRender(t *testing.T) {
	t.Parallel()
	alice := VarsOf(network.Item{Author: network.Author{Handle: "alice@example.social", DisplayName: "Alice Martin"}}, "https://example.social/@marque/1")
	for _, c := range []struct {
		name, text string
		vars       ReplyVars
		want       string
	}{
		{"all variables", "Bonjour {name} ({handle}), merci pour votre réponse à {post_link} !", alice,
			"Bonjour Alice Martin (@alice@example.social), merci pour votre réponse à https://example.social/@marque/1 !"},
		{"no display name: the handle", "Hi {name}!", ReplyVars{Handle: "bob.bsky.social"}, "Hi @bob.bsky.social!"},
		{"handle already with @", "{handle}", ReplyVars{Handle: "@bob"}, "@bob"},
		{"escaped braces", "{{name}} stays, {name} goes", alice, "{name} stays, Alice Martin goes"},
		{"no variable", "Merci !", ReplyVars{}, "Merci !"},
		{"repeated", "{name}, {name}", alice, "Alice Martin, Alice Martin"},
		{"accents and emoji around", "Merci {name} 🙏 — l’équipe", alice, "Merci Alice Martin 🙏 — l’équipe"},
		{"a lone closing brace is text", "smile :}", alice, "smile :}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := ParseReply(c.text)
			if err != nil {
				t.Fatalf("ParseReply: %v", err)
			}
			got, err := tpl.Render(c.vars)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestReplyErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text     string
		code, fr string
	}{
		{"  ", "required", "Rédigez la réponse."},
		{"Bonjour {prenom} !", "unknown_variable", "Variable inconnue {prenom} : utilisez {name}, {handle} ou {post_link}."},
		{"Bonjour {Name}", "unknown_variable", "Variable inconnue {Name} : utilisez {name}, {handle} ou {post_link}."},
		{"Bonjour {name", "unclosed_brace", "Une « { » n’est pas fermée : écrivez {{ pour une accolade."},
		{"un { seul } ici", "unclosed_brace", "Une « { » n’est pas fermée : écrivez {{ pour une accolade."},
	} {
		t.Run(c.text, func(t *testing.T) {
			t.Parallel()
			_, err := ParseReply(c.text)
			var pe *problem.Error
			if !errors.As(err, &pe) || len(pe.Details) != 1 {
				t.Fatalf("ParseReply = %v, want one problem", err)
			}
			if d := pe.Details[0]; d.Code != c.code || d.Localized("fr") != c.fr || d.Location != "text" {
				t.Errorf("got %s %q at %s, want %s %q", d.Code, d.Localized("fr"), d.Location, c.code, c.fr)
			}
		})
	}
	t.Run("post link missing", func(t *testing.T) {
		t.Parallel()
		tpl, err := ParseReply("Voir {post_link}")
		if err != nil {
			t.Fatal(err)
		}
		if !tpl.Uses(VarPostLink) || tpl.Uses(VarName) {
			t.Errorf("Uses wrong")
		}
		_, err = tpl.Render(ReplyVars{Name: "Alice"})
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Code != "reply_needs_post_link" || pe.Localized("fr") == pe.Localized("en") {
			t.Errorf("Render without a post link = %v", err)
		}
	})
}
