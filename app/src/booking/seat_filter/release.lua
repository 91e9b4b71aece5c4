-- KEYS: one per seat; ARGV: owner. Deletes only the keys this owner still has.
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then released = released + redis.call('DEL', key) end
end
return released
