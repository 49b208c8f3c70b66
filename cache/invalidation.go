package cache

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// An invalidation message, published by a Tiered store on its channel:
//
//	byte 0      format version (1)
//	bytes 1-16  the sender's instance id
//	then, per key, its length as a uvarint and its bytes
const (
	invVersion = 1
	idLen      = 16
	maxInvKeys = 1 << 16
)

var errBadInvalidation = errors.New("cache: bad invalidation message")

func encodeInvalidation(id [idLen]byte, keys []string) []byte {
	n := 1 + idLen
	for _, k := range keys {
		n += binary.MaxVarintLen64 + len(k)
	}
	b := make([]byte, 0, n)
	b = append(b, invVersion)
	b = append(b, id[:]...)
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
	}
	return b
}

// decodeInvalidation parses a message. It never panics.
func decodeInvalidation(b []byte) (id [idLen]byte, keys []string, err error) {
	if len(b) < 1+idLen || b[0] != invVersion {
		return id, nil, fmt.Errorf("%w: header", errBadInvalidation)
	}
	copy(id[:], b[1:1+idLen])
	rest := b[1+idLen:]
	for len(rest) > 0 {
		l, n := binary.Uvarint(rest)
		if n <= 0 || l > uint64(len(rest)-n) {
			return id, nil, fmt.Errorf("%w: key length", errBadInvalidation)
		}
		if len(keys) == maxInvKeys {
			return id, nil, fmt.Errorf("%w: too many keys", errBadInvalidation)
		}
		keys = append(keys, string(rest[n:n+int(l)]))
		rest = rest[n+int(l):]
	}
	return id, keys, nil
}
