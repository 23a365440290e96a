-- Stores one answer unless a purge of one of its tags raced its fill (crates/mizan-redis/src/cache/ops.rs).
--
-- KEYS[1]         the answer's key
-- KEYS[2i], KEYS[2i+1]  for each tag: its set of cache keys, its remembered rev
-- ARGV[1]  the encoded answer
-- ARGV[2]  its time to live in milliseconds (at least 1)
-- ARGV[3]  the rev read before the fill started, in decimal
-- ARGV[4]  the cache key, the member added to each tag's set
-- ARGV[5]  the prefix of answer keys, to prune members whose answer is gone
-- returns 1 when stored, 0 when refused

local ttl = tonumber(ARGV[2])
local started = tonumber(ARGV[3])

-- Every rev is checked before anything is written: a script that fails halfway keeps its writes.
for i = 2, #KEYS, 2 do
  local rev = redis.call('GET', KEYS[i + 1])
  if rev and tonumber(rev) > started then
    return 0
  end
end

redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 2, #KEYS, 2 do
  local set = KEYS[i]
  redis.call('SADD', set, ARGV[4])
  -- The set lives at least as long as its newest member (PTTL is -1 for a new set).
  if redis.call('PTTL', set) < ttl then
    redis.call('PEXPIRE', set, ttl)
  end
  -- A busy tag's set would never expire and keep the keys of long-expired answers: each put
  -- looks at two random members and drops those whose answer is gone, so the set tracks its live
  -- members.
  for _, member in ipairs(redis.call('SRANDMEMBER', set, 2)) do
    if member ~= ARGV[4] and redis.call('EXISTS', ARGV[5] .. member) == 0 then
      redis.call('SREM', set, member)
    end
  end
end
return 1
