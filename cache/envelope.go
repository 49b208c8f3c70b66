package cache

import (
	"encoding/binary"
	"fmt"
)

// A typed Cache stores each value in a byte store inside an envelope:
//
//	byte 0     format version (1)
//	byte 1     flags (bit 0: negative entry, no payload)
//	bytes 2-9  soft expiry, Unix nanoseconds, big-endian (0: none)
//	bytes 10-  the codec's payload
const (
	envVersion   = 1
	envHeader    = 10
	flagNegative = 1
)

// envelope is a decoded stored value.
type envelope struct {
	neg     bool
	soft    int64
	payload []byte
}

func encodeEnvelope(e envelope) []byte {
	b := make([]byte, envHeader+len(e.payload))
	b[0] = envVersion
	if e.neg {
		b[1] = flagNegative
	}
	binary.BigEndian.PutUint64(b[2:10], uint64(e.soft))
	copy(b[envHeader:], e.payload)
	return b
}

// decodeEnvelope parses b. It never panics; a malformed b is an error
// wrapping errCorrupt.
func decodeEnvelope(b []byte) (envelope, error) {
	if len(b) < envHeader {
		return envelope{}, fmt.Errorf("%w: %d bytes", errCorrupt, len(b))
	}
	if b[0] != envVersion {
		return envelope{}, fmt.Errorf("%w: version %d", errCorrupt, b[0])
	}
	if b[1]&^flagNegative != 0 {
		return envelope{}, fmt.Errorf("%w: flags %#x", errCorrupt, b[1])
	}
	e := envelope{neg: b[1]&flagNegative != 0, soft: int64(binary.BigEndian.Uint64(b[2:10])), payload: b[envHeader:]}
	if e.neg && len(e.payload) != 0 {
		return envelope{}, fmt.Errorf("%w: negative entry with payload", errCorrupt)
	}
	return e, nil
}
