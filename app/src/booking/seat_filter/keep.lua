-- KEYS: one per seat; ARGV: owner, ttl in ms. The owner's hold is written: its claims become
-- the owner's for the ttl, and so do pending claims someone took over meanwhile (their write
-- must lose); claims kept for others are left alone.
for _, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == ARGV[1] or (current and string.sub(current, 1, 8) == 'pending:') then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  end
end
return 0
