-- GCRA (generic cell rate algorithm) for one key, on Redis's clock.
-- KEYS[1]: the key, holding the theoretical arrival time (TAT) in µs.
-- ARGV[1]: emission interval in µs, a whole number (all arithmetic is on
--          integers below 2^53, so exact)
-- ARGV[2]: burst
-- ARGV[3]: n, the events asked for
-- Returns {allowed, remaining, retry_after_us, reset_after_us, retry_one_us}.
if redis.replicate_commands then pcall(redis.replicate_commands) end
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tolerance = interval * burst
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then tat = now end
local new_tat = tat + n * interval
if new_tat - now > tolerance then
  local remaining = math.floor((tolerance - (tat - now)) / interval)
  if remaining < 0 then remaining = 0 end
  local retry_one = tat + interval - tolerance - now
  if retry_one < 0 then retry_one = 0 end
  return {0, remaining, new_tat - tolerance - now, tat - now, retry_one}
end
local ttl = math.ceil((new_tat - now) / 1000)
if ttl < 1 then ttl = 1 end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', ttl)
return {1, math.floor((tolerance - (new_tat - now)) / interval), 0, new_tat - now, 0}
