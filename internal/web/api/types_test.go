package api

import (
	"testing"

	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/store"
)

// external_url is documented as the post's web address: the API gives it
// only when the network's answer is an http(s) address, so a client that
// makes it a link cannot be handed javascript: by a hostile server.
func TestExternalURLIsGivenOnlyWhenHTTP(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://social.example/@alice/1", "https://social.example/@alice/1"},
		{"javascript:alert(1)", ""},
		{"data:text/html,x", ""},
	} {
		t.Run(c.in, func(t *testing.T) {
			out := toPost(posts.View{Variants: []posts.VariantView{{PostVariant: store.PostVariant{ExternalURL: c.in, Visibility: "private"}}}})
			if got := out.Variants[0].ExternalURL; got != c.want {
				t.Errorf("external_url %q, want %q", got, c.want)
			}
			if got := out.Variants[0].Visibility; got != "private" {
				t.Errorf("visibility %q, want private", got)
			}
		})
	}
}
