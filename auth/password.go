package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// MaxPasswordLength bounds the passwords [HashPassword] and
// [VerifyPassword] accept, in bytes, so hashing cannot be used for denial
// of service.
const MaxPasswordLength = 1024

// PasswordParams are argon2id parameters. A zero PasswordParams uses the
// OWASP Password Storage Cheat Sheet's recommendation: 19 MiB of memory,
// 2 iterations, 1 thread, a 16-byte salt and a 32-byte hash.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32 // iterations
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// Argon2id parameters recommended by OWASP (m=19456, t=2, p=1).
const (
	DefaultArgonMemory  = 19 * 1024
	DefaultArgonTime    = 2
	DefaultArgonThreads = 1
)

func (p PasswordParams) withDefaults() PasswordParams {
	if p.Memory == 0 {
		p.Memory = DefaultArgonMemory
	}
	if p.Time == 0 {
		p.Time = DefaultArgonTime
	}
	if p.Threads == 0 {
		p.Threads = DefaultArgonThreads
	}
	if p.SaltLen == 0 {
		p.SaltLen = 16
	}
	if p.KeyLen == 0 {
		p.KeyLen = 32
	}
	return p
}

// HashPassword hashes password with argon2id and the default parameters,
// in PHC string format: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(password string) (string, error) { return PasswordParams{}.Hash(password) }

// Hash hashes password with argon2id and p's parameters (see
// [HashPassword]).
func (p PasswordParams) Hash(password string) (string, error) {
	if len(password) > MaxPasswordLength {
		return "", ErrPasswordTooLong
	}
	p = p.withDefaults()
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword checks password against hash, an argon2id PHC string or a
// bcrypt hash ($2a$, $2b$, $2y$). A nil error means it matches; a mismatch
// is [ErrPasswordMismatch]; an unreadable hash wraps [ErrHashFormat].
// needsRehash reports, on a match, that the hash is bcrypt or uses weaker
// argon2id parameters than the defaults: hash the password again with
// [HashPassword] and store the new hash. The comparison is constant-time.
func VerifyPassword(password, hash string) (needsRehash bool, err error) {
	return PasswordParams{}.Verify(password, hash)
}

// Verify is [VerifyPassword] with p as the parameters a hash should have
// to not need a rehash.
func (p PasswordParams) Verify(password, hash string) (needsRehash bool, err error) {
	if len(password) > MaxPasswordLength {
		return false, ErrPasswordTooLong
	}
	p = p.withDefaults()
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		got, err := parsePHC(hash)
		if err != nil {
			return false, err
		}
		key := argon2.IDKey([]byte(password), got.salt, got.Time, got.Memory, got.Threads, uint32(len(got.key)))
		if subtle.ConstantTimeCompare(key, got.key) != 1 {
			return false, ErrPasswordMismatch
		}
		weaker := got.Memory < p.Memory || got.Time < p.Time || got.Threads < p.Threads ||
			uint32(len(got.key)) < p.KeyLen || uint32(len(got.salt)) < p.SaltLen
		return weaker, nil
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		if len(password) > 72 {
			// bcrypt ignores bytes past 72; refuse rather than match a prefix.
			return false, ErrPasswordMismatch
		}
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
			return false, ErrPasswordMismatch
		default:
			return false, fmt.Errorf("%w: bcrypt: %v", ErrHashFormat, err)
		}
	default:
		return false, fmt.Errorf("%w: unknown scheme", ErrHashFormat)
	}
}

type phc struct {
	PasswordParams
	salt, key []byte
}

// Bounds on parameters read from stored hashes, so a tampered hash cannot
// make verification use unbounded memory or time.
const (
	maxArgonMemory = 256 << 10 // 256 MiB in KiB
	maxArgonTime   = 100
)

func parsePHC(s string) (phc, error) {
	var out phc
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return out, fmt.Errorf("%w: argon2id PHC string", ErrHashFormat)
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return out, fmt.Errorf("%w: argon2id parameter %q", ErrHashFormat, kv)
		}
		switch k {
		case "m":
			out.Memory = uint32(n)
		case "t":
			out.Time = uint32(n)
		case "p":
			if n > 255 {
				return out, fmt.Errorf("%w: argon2id threads %d", ErrHashFormat, n)
			}
			out.Threads = uint8(n)
		default:
			return out, fmt.Errorf("%w: argon2id parameter %q", ErrHashFormat, k)
		}
	}
	if out.Memory < 8*uint32(max(out.Threads, 1)) || out.Memory > maxArgonMemory || out.Time < 1 ||
		out.Time > maxArgonTime || out.Threads < 1 {
		return out, fmt.Errorf("%w: argon2id parameters out of range", ErrHashFormat)
	}
	var err error
	enc := base64.RawStdEncoding
	if out.salt, err = enc.DecodeString(parts[4]); err != nil || len(out.salt) < 8 {
		return out, fmt.Errorf("%w: argon2id salt", ErrHashFormat)
	}
	if out.key, err = enc.DecodeString(parts[5]); err != nil || len(out.key) < 16 || len(out.key) > 1024 {
		return out, fmt.Errorf("%w: argon2id hash", ErrHashFormat)
	}
	return out, nil
}
