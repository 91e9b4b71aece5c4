-- KEYS: one per seat; ARGV: owner, ttl in ms. Extends only the keys this owner still has.
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) end
end
return 0
