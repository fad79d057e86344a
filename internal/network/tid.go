package network

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// NewAttemptKey returns a fresh attempt key for t: an atproto TID, 53 bits of
// microseconds since the Unix epoch and 10 random bits of clock id, written in
// base32-sortable. Keys sort by time, which keeps publish logs readable, and
// Bluesky accepts them as record keys, which makes its Publish idempotent.
func NewAttemptKey(t time.Time) string {
	var b [2]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	clock := uint64(binary.BigEndian.Uint16(b[:])) & 0x3ff
	v := (uint64(t.UnixMicro())&(1<<53-1))<<10 | clock
	out := make([]byte, 13)
	for i := 12; i >= 0; i-- {
		out[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(out)
}
