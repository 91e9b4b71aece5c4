-- KEYS: one per seat; ARGV: owner, ttl in ms. The owner's claims, pending or not, become
-- theirs for the ttl; others' are left alone.
local mine = 'pending:' .. ARGV[1]
for _, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == ARGV[1] or current == mine then redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
end
return 0
