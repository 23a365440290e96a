-- Purges tags: issues a rev, remembers it for each tag, deletes their answers, tells every process
-- (crates/mizan-redis/src/cache/ops.rs).
--
-- KEYS[1]         the last issued rev
-- KEYS[2]         the log of purges: a stream, each entry's field `p` holding `<rev> <tail>`
-- KEYS[2i+1], KEYS[2i+2]  for each tag: its set of cache keys, its remembered rev
-- ARGV[1]  how long a tag's rev (and a purge in the log) is remembered, in milliseconds
-- ARGV[2]  the Pub/Sub channel of purges, on which `<log entry id> <rev> <tail>` is published
-- ARGV[3]  the prefix of answer keys
-- ARGV[4]  the message's tail (the purging store and the tags, encoded by the caller)
-- returns the new rev, in decimal

-- max(last + 1, Unix time in ms) (spec §2.16.4): increasing even when the clock goes back, close
-- to the time otherwise. Redis's clock, not the callers': one clock for every process.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local rev = math.max(last + 1, now)
-- %d: tostring gives 1.76e+12 past 14 digits.
local text = string.format('%d', rev)
redis.call('SET', KEYS[1], text)

for i = 3, #KEYS, 2 do
  redis.call('SET', KEYS[i + 1], text, 'PX', ARGV[1])
  local members = redis.call('SMEMBERS', KEYS[i])
  -- In slices: unpack has a limit on how many values it spreads.
  for first = 1, #members, 500 do
    local keys = {}
    for j = first, math.min(first + 499, #members) do
      keys[#keys + 1] = ARGV[3] .. members[j]
    end
    redis.call('DEL', unpack(keys))
  end
  redis.call('DEL', KEYS[i])
end

-- The log lets a process whose Pub/Sub connection was down hand over the purges it missed.
local message = text .. ' ' .. ARGV[4]
local oldest = string.format('%d', math.max(0, now - tonumber(ARGV[1])))
local id = redis.call('XADD', KEYS[2], 'MINID', '~', oldest, '*', 'p', message)
redis.call('PUBLISH', ARGV[2], id .. ' ' .. message)
return text
