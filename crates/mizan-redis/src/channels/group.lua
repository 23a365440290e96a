-- One group's position, history and publishing, atomically (crates/mizan-redis/src/channels/group.rs).
--
-- KEYS[1]  the position: a hash with `epoch` and `offset` (the last message's; 0 before the first)
-- KEYS[2]  the history: a stream whose entry ids are `0-<offset>`, one field `d` holding the data
-- ARGV[1]  `publish` or `history`
-- ARGV[2]  a fresh epoch, used when the group has none (the caller draws it, so the script stays
--          deterministic)
-- ARGV[3]  the history's lifetime in milliseconds
-- publish: ARGV[4] messages kept, ARGV[5] the Pub/Sub channel, ARGV[6] the data
--          returns {epoch, offset}
-- history: ARGV[4] the offset to read after, or '' for none
--          returns {epoch, offset, complete (0 or 1), entries as XRANGE gives them}

local position, history = KEYS[1], KEYS[2]
local fresh_epoch, lifetime = ARGV[2], ARGV[3]
-- Offsets stay exact integers in Lua's doubles, and in JavaScript, up to 2^53 - 1 (spec §2.15.4).
local max_offset = 9007199254740991

-- A new run of the history: a fresh epoch at offset 0 and none of the old entries.
local function start_epoch()
  redis.call('DEL', history)
  redis.call('HSET', position, 'epoch', fresh_epoch, 'offset', '0')
  return fresh_epoch, 0
end

-- Offsets are formatted with %d: tostring would give 9.007199254741e+15 past 14 digits.
local function text(offset)
  return string.format('%d', offset)
end

local epoch = redis.call('HGET', position, 'epoch')
local offset = tonumber(redis.call('HGET', position, 'offset') or '')

if ARGV[1] == 'publish' then
  if not epoch or not offset or offset >= max_offset then
    epoch, offset = start_epoch()
  end
  offset = offset + 1
  local data = ARGV[6]
  redis.call('HSET', position, 'offset', text(offset))
  local keep = tonumber(ARGV[4])
  if keep > 0 then
    redis.call('XADD', history, 'MAXLEN', keep, '0-' .. text(offset), 'd', data)
    redis.call('PEXPIRE', history, lifetime)
  end
  redis.call('PEXPIRE', position, lifetime)
  redis.call('PUBLISH', ARGV[5], epoch .. ' ' .. text(offset) .. ' ' .. data)
  return {epoch, text(offset)}
end

if not epoch or not offset then
  epoch, offset = start_epoch()
  redis.call('PEXPIRE', position, lifetime)
end
-- Nothing asked for is nothing missing: complete.
if ARGV[4] == '' then
  return {epoch, text(offset), 1, {}}
end
local after = tonumber(ARGV[4])
if after > offset then
  return {epoch, text(offset), 0, {}}
end
local entries = redis.call('XRANGE', history, '0-' .. text(after + 1), '+')
local complete = 0
if #entries == offset - after then
  complete = 1
end
return {epoch, text(offset), complete, entries}
