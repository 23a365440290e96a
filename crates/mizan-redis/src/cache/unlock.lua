-- Releases a fill lock only if it is still the caller's (crates/mizan-redis/src/cache/ops.rs).
--
-- KEYS[1]  the lock
-- ARGV[1]  the holder's token
-- returns 1 when released, 0 when it had expired or another holder has it

if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
