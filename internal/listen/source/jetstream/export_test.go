package jetstream

import "github.com/klauspost/compress/zstd"

// LegacyDictionary is v1's embedded dictionary, for the fake server.
var LegacyDictionary = legacyDictionary

// Decode is decode, for benchmarks: one frame through dec (nil for an
// uncompressed stream).
func (s *Source) Decode(msg []byte, dec *zstd.Decoder) error {
	var last cursor
	_, err := s.decode(msg, dec, &last)
	return err
}
