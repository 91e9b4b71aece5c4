-- KEYS: one per seat; ARGV: owner and ttl in ms for each key in turn. Sets the keys that do
-- not exist yet, never overwriting a claim.
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[2 * i - 1], 'PX', ARGV[2 * i], 'NX')
end
return #KEYS
