package cache

import (
	"bytes"
	"testing"
)

func FuzzDecodeEnvelope(f *testing.F) {
	f.Add(encodeEnvelope(envelope{soft: 123, payload: []byte(`{"a":1}`)}))
	f.Add(encodeEnvelope(envelope{neg: true, soft: -1}))
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3})
	f.Add(append([]byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 'x'))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEnvelope(b)
		if err != nil {
			return
		}
		again, err := decodeEnvelope(encodeEnvelope(e))
		if err != nil || again.neg != e.neg || again.soft != e.soft || !bytes.Equal(again.payload, e.payload) {
			t.Fatalf("round trip of %+v: %+v, %v", e, again, err)
		}
	})
}

func FuzzDecodeInvalidation(f *testing.F) {
	var id [idLen]byte
	copy(id[:], "0123456789abcdef")
	f.Add(encodeInvalidation(id, []string{"a", "user:1", ""}))
	f.Add(encodeInvalidation(id, nil))
	f.Add([]byte{1})
	f.Add(append(encodeInvalidation(id, nil), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01))
	f.Fuzz(func(t *testing.T, b []byte) {
		gotID, keys, err := decodeInvalidation(b)
		if err != nil {
			return
		}
		id2, keys2, err := decodeInvalidation(encodeInvalidation(gotID, keys))
		if err != nil || id2 != gotID || len(keys2) != len(keys) {
			t.Fatalf("round trip: %v %q vs %q", err, keys, keys2)
		}
		for i := range keys {
			if keys[i] != keys2[i] {
				t.Fatalf("key %d: %q vs %q", i, keys[i], keys2[i])
			}
		}
	})
}
