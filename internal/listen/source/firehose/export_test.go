package firehose

import "github.com/tribune-social/tribune/internal/listen/source/atproto"

// Decode is decode, for benchmarks.
func (s *Source) Decode(msg []byte) (atproto.Event, error) { return s.decode(msg) }
