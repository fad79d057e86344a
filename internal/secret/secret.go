// Package secret seals network tokens at rest (AES-256-GCM with named keys, so
// keys can be rotated), hashes passwords (argon2id) and makes and hashes the
// random tokens behind sessions, API tokens, invitations and secret links.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Keyring holds the encryption keys by id. New data is sealed with the
// current key; data sealed with an older key still opens while that key is
// in the ring.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// ErrUnknownKey means the data was sealed with a key that is not configured.
var ErrUnknownKey = errors.New("secret: unknown key id")

// ParseKeyring reads keys written as "id:base64key[,id:base64key…]"; the first
// is the current one. Each key must decode to 32 bytes.
func ParseKeyring(spec string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	for i, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		id, b64, ok := strings.Cut(part, ":")
		if !ok || id == "" {
			return nil, fmt.Errorf("secret: key %d: want id:base64", i+1)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("secret: key %q must be 32 bytes in base64", id)
		}
		if err := k.add(id, raw); err != nil {
			return nil, err
		}
		if i == 0 {
			k.current = id
		}
	}
	return k, nil
}

// NewKeySpec returns a fresh "id:base64key" for a new installation.
func NewKeySpec(id string) string {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	return id + ":" + base64.StdEncoding.EncodeToString(raw)
}

func (k *Keyring) add(id string, raw []byte) error {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	k.aeads[id] = aead
	return nil
}

// CurrentID is the id new data is sealed with.
func (k *Keyring) CurrentID() string { return k.current }

// Seal encrypts plaintext with the current key; additional binds the
// ciphertext to its row (for example "channel:42"), so it cannot be moved to
// another row. It returns the nonce-prefixed ciphertext and the key id.
func (k *Keyring) Seal(plaintext []byte, additional string) ([]byte, string) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plaintext, []byte(additional)), k.current
}

// Open decrypts what Seal returned.
func (k *Keyring) Open(ciphertext []byte, keyID, additional string) ([]byte, error) {
	aead, ok := k.aeads[keyID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownKey, keyID)
	}
	if len(ciphertext) < aead.NonceSize() {
		return nil, errors.New("secret: ciphertext too short")
	}
	n := aead.NonceSize()
	return aead.Open(nil, ciphertext[:n], ciphertext[n:], []byte(additional))
}

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash of password.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	sum := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(sum))
}

// CheckPassword reports whether password matches an encoded hash.
func CheckPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewToken returns a random URL-safe token with a readable prefix
// ("tri_" for API tokens, for example), 32 bytes of entropy.
func NewToken(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is how tokens are stored: a leaked database does not leak
// usable tokens. SHA-256 is enough for 256-bit random values.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
