package auth

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisTokenStore is a [TokenStore] in Redis, shared by every instance of
// an app. Each operation is one Lua script, so rotation is atomic across
// instances. Keys expire with the tokens they hold.
//
// Layout, with P the prefix: "{P}t:<hash>" (a hash per token), "{P}f:<family>"
// (a hash per family: subject, revoked flag), "{P}s:<subject>" (the set of a
// subject's families). The braces make the prefix a hash tag, so in a Redis
// Cluster all keys of a store share one slot, as multi-key scripts need.
//
// Build one with [NewRedisTokenStore]; it is safe for concurrent use.
type RedisTokenStore struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedisTokenStore returns a store in rdb under keys built from prefix
// (such as "myapp:refresh:").
func NewRedisTokenStore(rdb redis.UniversalClient, prefix string) (*RedisTokenStore, error) {
	if rdb == nil {
		return nil, fmt.Errorf("%w: NewRedisTokenStore: nil client", ErrConfig)
	}
	return &RedisTokenStore{rdb: rdb, prefix: "{" + prefix + "}"}, nil
}

// luaExtend sets a key's expiry to the absolute time exp (ms) unless it
// already lives longer.
const luaExtend = `
local function extend(key, exp, now)
  local ttl = redis.call('PTTL', key)
  local want = exp - now
  if want < 1 then want = 1 end
  if ttl < want then redis.call('PEXPIRE', key, want) end
end
`

var saveScript = redis.NewScript(luaExtend + `
-- KEYS: token, family, subject. ARGV: family, subject, data, exp ms, now ms
local exp, now = tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'f', ARGV[1], 's', ARGV[2], 'd', ARGV[3], 'e', ARGV[4], 'u', '0')
extend(KEYS[1], exp, now)
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('HSET', KEYS[2], 's', ARGV[2], 'r', '0')
end
extend(KEYS[2], exp, now)
redis.call('SADD', KEYS[3], ARGV[1])
extend(KEYS[3], exp, now)
return 'ok'
`)

// checkLua loads token KEYS[1] into v and sets fam, or returns an error code.
const checkLua = `
local v = redis.call('HMGET', KEYS[1], 'f', 's', 'd', 'e', 'u', 'ut')
if not v[1] then return {'notfound'} end
local fam = ARGV[1] .. 'f:' .. v[1]
local r = redis.call('HGET', fam, 'r')
if r ~= '0' then return {'revoked'} end
`

var lookupScript = redis.NewScript(checkLua + `
-- KEYS: token. ARGV: prefix, now ms
if v[5] == '1' then return {'reused'} end
if tonumber(v[4]) <= tonumber(ARGV[2]) then return {'expired'} end
return {'ok', v[1], v[2], v[3], v[4]}
`)

var rotateScript = redis.NewScript(luaExtend + checkLua + `
-- KEYS: old token, new token. ARGV: prefix, now ms, new exp ms, has data, data, grace ms
local now, exp = tonumber(ARGV[2]), tonumber(ARGV[3])
if v[5] == '1' then
  if now - tonumber(v[6] or '0') >= tonumber(ARGV[6]) then
    redis.call('HSET', fam, 'r', '1')
  end
  return {'reused'}
end
if tonumber(v[4]) <= now then return {'expired'} end
redis.call('HSET', KEYS[1], 'u', '1', 'ut', ARGV[2])
local data = v[3]
if ARGV[4] == '1' then data = ARGV[5] end
redis.call('HSET', KEYS[2], 'f', v[1], 's', v[2], 'd', data, 'e', ARGV[3], 'u', '0')
extend(KEYS[2], exp, now)
extend(fam, exp, now)
extend(ARGV[1] .. 's:' .. v[2], exp, now)
return {'ok', v[1], v[2], data, ARGV[3]}
`)

var revokeFamilyScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'r', '1') end
return 'ok'
`)

var revokeSubjectScript = redis.NewScript(`
-- KEYS: subject set. ARGV: prefix
local fams = redis.call('SMEMBERS', KEYS[1])
for _, f in ipairs(fams) do
  local k = ARGV[1] .. 'f:' .. f
  if redis.call('EXISTS', k) == 1 then redis.call('HSET', k, 'r', '1') end
end
redis.call('DEL', KEYS[1])
return 'ok'
`)

func (s *RedisTokenStore) tokKey(hash string) string { return s.prefix + "t:" + hash }
func (s *RedisTokenStore) famKey(fam string) string  { return s.prefix + "f:" + fam }
func (s *RedisTokenStore) subKey(sub string) string  { return s.prefix + "s:" + sub }

// Save stores a new token.
func (s *RedisTokenStore) Save(ctx context.Context, t StoredToken) error {
	if t.Hash == "" || t.Family == "" {
		return fmt.Errorf("%w: token without hash or family", ErrConfig)
	}
	err := saveScript.Run(ctx, s.rdb,
		[]string{s.tokKey(t.Hash), s.famKey(t.Family), s.subKey(t.Subject)},
		t.Family, t.Subject, t.Data, t.ExpiresAt.UnixMilli(), time.Now().UnixMilli()).Err()
	if err != nil {
		return fmt.Errorf("auth: token store save: %w", err)
	}
	return nil
}

// Lookup returns the token if it is usable at now.
func (s *RedisTokenStore) Lookup(ctx context.Context, hash string, now time.Time) (StoredToken, error) {
	res, err := lookupScript.Run(ctx, s.rdb, []string{s.tokKey(hash)}, s.prefix, now.UnixMilli()).StringSlice()
	if err != nil {
		return StoredToken{}, fmt.Errorf("auth: token store lookup: %w", err)
	}
	return decodeStored(hash, res)
}

// Rotate marks oldHash used and stores next in its family.
func (s *RedisTokenStore) Rotate(ctx context.Context, oldHash string, next StoredToken, now time.Time, grace time.Duration) (StoredToken, error) {
	if next.Hash == "" {
		return StoredToken{}, fmt.Errorf("%w: token without hash", ErrConfig)
	}
	hasData := "0"
	if next.Data != nil {
		hasData = "1"
	}
	res, err := rotateScript.Run(ctx, s.rdb, []string{s.tokKey(oldHash), s.tokKey(next.Hash)},
		s.prefix, now.UnixMilli(), next.ExpiresAt.UnixMilli(), hasData, next.Data, grace.Milliseconds()).StringSlice()
	if err != nil {
		return StoredToken{}, fmt.Errorf("auth: token store rotate: %w", err)
	}
	return decodeStored(next.Hash, res)
}

func decodeStored(hash string, res []string) (StoredToken, error) {
	if len(res) == 0 {
		return StoredToken{}, fmt.Errorf("auth: token store: empty reply")
	}
	switch res[0] {
	case "ok":
	case "notfound":
		return StoredToken{}, ErrTokenNotFound
	case "revoked":
		return StoredToken{}, ErrTokenRevoked
	case "reused":
		return StoredToken{}, ErrTokenReused
	case "expired":
		return StoredToken{}, ErrTokenExpired
	default:
		return StoredToken{}, fmt.Errorf("auth: token store: unexpected reply %q", res[0])
	}
	if len(res) != 5 {
		return StoredToken{}, fmt.Errorf("auth: token store: reply of %d fields", len(res))
	}
	ms, err := strconv.ParseInt(res[4], 10, 64)
	if err != nil {
		return StoredToken{}, fmt.Errorf("auth: token store: bad expiry %q", res[4])
	}
	return StoredToken{Hash: hash, Family: res[1], Subject: res[2], Data: []byte(res[3]),
		ExpiresAt: time.UnixMilli(ms)}, nil
}

// RevokeFamily revokes every token of family.
func (s *RedisTokenStore) RevokeFamily(ctx context.Context, family string) error {
	if err := revokeFamilyScript.Run(ctx, s.rdb, []string{s.famKey(family)}).Err(); err != nil {
		return fmt.Errorf("auth: token store revoke: %w", err)
	}
	return nil
}

// RevokeSubject revokes every family of subject.
func (s *RedisTokenStore) RevokeSubject(ctx context.Context, subject string) error {
	if err := revokeSubjectScript.Run(ctx, s.rdb, []string{s.subKey(subject)}, s.prefix).Err(); err != nil {
		return fmt.Errorf("auth: token store revoke: %w", err)
	}
	return nil
}
