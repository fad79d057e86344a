package network

import "testing"

func TestWebURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://social.example/@alice/1", "https://social.example/@alice/1"},
		{" HTTP://social.example/x ", "HTTP://social.example/x"},
		{"javascript:alert(1)", ""},
		{"JAVASCRIPT://social.example/%0aalert(1)", ""},
		{"data:text/html,x", ""},
		{"vbscript:x", ""},
		{"//social.example/x", ""},
		{"/relative", ""},
		{"https:///nohost", ""},
		{"", ""},
	} {
		if got := WebURL(c.in); got != c.want {
			t.Errorf("WebURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestVisibilityValid(t *testing.T) {
	for _, v := range Visibilities {
		if !v.Valid() {
			t.Errorf("%q invalid", v)
		}
	}
	for _, v := range []Visibility{"", "friends", "Public", "limited"} {
		if v.Valid() {
			t.Errorf("%q valid", v)
		}
	}
}
