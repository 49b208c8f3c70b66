package auth

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzWireClaims checks the payload decoding of Verify (claimsWire) against
// a plain json.Unmarshal into Claims: whatever it accepts, the plain
// decoder accepts too, with the same result. (It may be stricter: it
// refuses times written as strings, which RFC 7519 does not allow.)
func FuzzWireClaims(f *testing.F) {
	for _, s := range []string{
		`{"iss":"i","sub":"s","aud":"a","exp":1700000000,"nbf":1.5,"iat":1e9,"jti":"j","tenant":"t","roles":["a","b"],"scope":"x y","ext":{"k":[1,"v"]}}`,
		`{"aud":["a","b"],"exp":1700000000.123456}`,
		`{"aud":[],"exp":null,"roles":null}`,
		`{"aud":null,"scope":["x"]}`,
		`{"aud":5}`,
		`{"aud":["a",5]}`,
		`{"exp":"123"}`,
		`{"sub":"a","sub":"b"}`,
		`{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var w claimsWire
		if err := json.Unmarshal(b, &w); err != nil {
			return
		}
		fast, err := w.claims()
		if err != nil {
			return
		}
		var plain Claims
		if err := json.Unmarshal(b, &plain); err != nil {
			t.Fatalf("wire decoding accepted what json.Unmarshal refuses (%v): %s", err, b)
		}
		if !reflect.DeepEqual(*fast, plain) {
			t.Fatalf("decoders differ on %s:\nwire  %+v\nplain %+v", b, *fast, plain)
		}
	})
}
