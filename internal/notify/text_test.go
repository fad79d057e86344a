package notify

import "testing"

// Stored texts are translated with the value they carry; other texts (a
// person's words, a network's answer) are left as written.
func TestText(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"fr", "Publishing resumed by Alice", "Publications reprises par Alice"},
		{"fr", "Approved.", "Approuvée."},
		{"fr", "Rejected: too long", "Refusée : too long"},
		{"en", "Publishing resumed by Alice", "Publishing resumed by Alice"},
		{"fr", "Rate limit exceeded", "Rate limit exceeded"},
	} {
		t.Run(c.lang+" "+c.in, func(t *testing.T) {
			if got := Text(c.lang, c.in); got != c.want {
				t.Errorf("Text(%q, %q) = %q, want %q", c.lang, c.in, got, c.want)
			}
		})
	}
}
