package secret

import (
	"errors"
	"testing"
)

func TestSealOpenAndRotation(t *testing.T) {
	t.Parallel()
	old, err := ParseKeyring(NewKeySpec("k1"))
	if err != nil {
		t.Fatal(err)
	}
	ct, id := old.Seal([]byte("access-token"), "channel:1")
	if id != "k1" {
		t.Fatalf("key id = %q, want k1", id)
	}
	// rotation: k2 is current, k1 still opens old data
	rotated, err := ParseKeyring(NewKeySpec("k2") + "," + NewKeySpec("k3"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotated.Open(ct, id, "channel:1"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("open with a ring lacking k1: %v, want ErrUnknownKey", err)
	}
	rotated.aeads["k1"] = old.aeads["k1"]
	got, err := rotated.Open(ct, id, "channel:1")
	if err != nil || string(got) != "access-token" {
		t.Errorf("Open = %q, %v; want access-token", got, err)
	}
	if _, err := rotated.Open(ct, id, "channel:2"); err == nil {
		t.Error("ciphertext moved to another row opened; want an error")
	}
	if _, id := rotated.Seal([]byte("x"), ""); id != "k2" {
		t.Errorf("new data sealed with %q, want the current key k2", id)
	}
}

func TestParseKeyringRejectsBadKeys(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"", "k1", "k1:notbase64!", "k1:c2hvcnQ="} {
		if _, err := ParseKeyring(spec); err == nil {
			t.Errorf("ParseKeyring(%q) accepted a bad key", spec)
		}
	}
}

func TestPasswords(t *testing.T) {
	t.Parallel()
	h := HashPassword("correct horse")
	if !CheckPassword(h, "correct horse") {
		t.Error("right password refused")
	}
	if CheckPassword(h, "wrong horse") {
		t.Error("wrong password accepted")
	}
	if CheckPassword("garbage", "x") {
		t.Error("garbage hash accepted")
	}
}
