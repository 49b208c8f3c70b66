package auth

import "testing"

// FuzzParsePHC checks that no stored hash makes the PHC parser panic or
// accept parameters outside the bounds.
func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=,t=,p=$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePHC(s)
		if err != nil {
			return
		}
		if p.Memory > maxArgonMemory || p.Time > maxArgonTime || p.Threads == 0 || len(p.salt) < 8 || len(p.key) < 16 {
			t.Fatalf("accepted out-of-bounds parameters %+v", p)
		}
	})
}
