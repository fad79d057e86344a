package firehose

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// A CAR v1 reader (ipld.io/specs/transport/car/carv1): a varint-prefixed
// DAG-CBOR header {version: 1, roots: [CID…]}, then sections, each a
// varint length followed by a CID and the block it names. A firehose
// commit carries the blocks it changed as such a slice.

// Multicodec and multihash codes used by atproto.
const (
	codecDagCBOR = 0x71
	codecRaw     = 0x55
	hashSHA256   = 0x12
)

// maxBlocks bounds the blocks of one commit (the lexicon bounds the CAR
// to 2 MB; a block is at least a few dozen bytes).
const maxBlocks = 100_000

// readCAR returns the blocks of a CAR v1 keyed by their CID's bytes,
// checking every sha2-256 CID against its block.
func readCAR(car []byte) (map[string][]byte, error) {
	hlen, n := binary.Uvarint(car)
	if n <= 0 || hlen == 0 || hlen > uint64(len(car)-n) {
		return nil, errors.New("car: the header length is not valid")
	}
	var header struct {
		Version int       `cbor:"version"`
		Roots   []cidLink `cbor:"roots"`
	}
	if err := cbor.Unmarshal(car[n:n+int(hlen)], &header); err != nil {
		return nil, fmt.Errorf("car: the header does not decode: %w", err)
	}
	if header.Version != 1 {
		return nil, fmt.Errorf("car: version %d, only CAR v1 is read", header.Version)
	}
	rest := car[n+int(hlen):]
	blocks := map[string][]byte{}
	for len(rest) > 0 {
		if len(blocks) >= maxBlocks {
			return nil, fmt.Errorf("car: more than %d blocks", maxBlocks)
		}
		slen, n := binary.Uvarint(rest)
		if n <= 0 || slen == 0 || slen > uint64(len(rest)-n) {
			return nil, errors.New("car: a section length runs past the end")
		}
		section := rest[n : n+int(slen)]
		rest = rest[n+int(slen):]
		cidLen, err := cidLength(section)
		if err != nil {
			return nil, err
		}
		cid, block := section[:cidLen], section[cidLen:]
		if err := verify(cid, block); err != nil {
			return nil, err
		}
		blocks[string(cid)] = block
	}
	return blocks, nil
}

// cidLength is the length of the binary CID at the start of b: a CIDv0
// (a bare sha2-256 multihash, 34 bytes) or a CIDv1 (version, codec,
// multihash).
func cidLength(b []byte) (int, error) {
	if len(b) >= 34 && b[0] == hashSHA256 && b[1] == 0x20 {
		return 34, nil
	}
	i := 0
	for range 2 { // version, codec
		v, n := binary.Uvarint(b[i:])
		if n <= 0 {
			return 0, errors.New("car: a CID does not decode")
		}
		if i == 0 && v != 1 {
			return 0, fmt.Errorf("car: CID version %d", v)
		}
		i += n
	}
	_, n := binary.Uvarint(b[i:]) // hash code
	if n <= 0 {
		return 0, errors.New("car: a CID's multihash does not decode")
	}
	i += n
	dlen, n := binary.Uvarint(b[i:])
	if n <= 0 || dlen > uint64(len(b)-i-n) {
		return 0, errors.New("car: a CID's digest runs past the end")
	}
	return i + n + int(dlen), nil
}

// verify checks a block against its CID when the CID says sha2-256 (all
// of atproto's do); other hashes are taken as they are.
func verify(cid, block []byte) error {
	digest := cid
	if !(len(cid) == 34 && cid[0] == hashSHA256) {
		_, n1 := binary.Uvarint(cid)
		_, n2 := binary.Uvarint(cid[n1:])
		digest = cid[n1+n2:]
	}
	code, n := binary.Uvarint(digest)
	if code != hashSHA256 {
		return nil
	}
	dlen, m := binary.Uvarint(digest[n:])
	sum := sha256.Sum256(block)
	if dlen != 32 || !bytes.Equal(digest[n+m:], sum[:]) {
		return errors.New("car: a block does not match its CID (sha2-256)")
	}
	return nil
}

// cidLink is a DAG-CBOR link: tag 42 over a byte string holding a 0x00
// (the identity multibase) and the binary CID. Null decodes as empty.
type cidLink []byte

// UnmarshalCBOR reads a link.
func (c *cidLink) UnmarshalCBOR(data []byte) error {
	if len(data) == 1 && data[0] == 0xf6 { // null
		*c = nil
		return nil
	}
	var tag cbor.RawTag
	if err := cbor.Unmarshal(data, &tag); err != nil {
		return fmt.Errorf("a CID link does not decode: %w", err)
	}
	if tag.Number != 42 {
		return fmt.Errorf("a CID link with tag %d, not 42", tag.Number)
	}
	var b []byte
	if err := cbor.Unmarshal(tag.Content, &b); err != nil || len(b) < 2 || b[0] != 0x00 {
		return errors.New("a CID link's bytes are not a binary CID")
	}
	*c = b[1:]
	return nil
}
