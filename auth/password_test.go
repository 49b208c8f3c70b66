package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gokeel/keel/auth"
	"golang.org/x/crypto/bcrypt"
)

// fast are cheap parameters for tests; the default ones are tested once.
var fast = auth.PasswordParams{Memory: 64, Time: 1}

func TestPasswordDefaults(t *testing.T) {
	t.Parallel()
	h, err := auth.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash = %s", h)
	}
	if rehash, err := auth.VerifyPassword("correct horse", h); err != nil || rehash {
		t.Errorf("verify = %v, %v", rehash, err)
	}
	if _, err := auth.VerifyPassword("wrong", h); !errors.Is(err, auth.ErrPasswordMismatch) {
		t.Errorf("wrong password: %v", err)
	}
}

func TestPasswordRehashAndBcrypt(t *testing.T) {
	t.Parallel()
	weak, err := fast.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if rehash, err := auth.VerifyPassword("pw", weak); err != nil || !rehash {
		t.Errorf("weak params: rehash=%v err=%v", rehash, err)
	}
	if rehash, err := fast.Verify("pw", weak); err != nil || rehash {
		t.Errorf("same params: rehash=%v err=%v", rehash, err)
	}
	b, _ := bcrypt.GenerateFromPassword([]byte("legacy"), bcrypt.MinCost)
	if rehash, err := auth.VerifyPassword("legacy", string(b)); err != nil || !rehash {
		t.Errorf("bcrypt: rehash=%v err=%v", rehash, err)
	}
	if _, err := auth.VerifyPassword("Legacy", string(b)); !errors.Is(err, auth.ErrPasswordMismatch) {
		t.Errorf("bcrypt mismatch: %v", err)
	}
	if _, err := auth.VerifyPassword(strings.Repeat("x", auth.MaxPasswordLength+1), weak); !errors.Is(err, auth.ErrPasswordTooLong) {
		t.Errorf("long password: %v", err)
	}
}

func TestPasswordBadHashes(t *testing.T) {
	t.Parallel()
	for _, h := range []string{
		"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", // 95 GiB
		"$argon2id$v=19$m=64,t=1000000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=0$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1,x=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$",
		"$2a$04$short",
	} {
		if _, err := auth.VerifyPassword("pw", h); !errors.Is(err, auth.ErrHashFormat) {
			t.Errorf("VerifyPassword(%q) = %v, want ErrHashFormat", h, err)
		}
	}
}
