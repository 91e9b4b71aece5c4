-- KEYS: one per seat; ARGV: owner, ttl in ms. Refuses with the indexes (1-based) of seats that
-- someone else owns, or claims every key.
local owner, ttl = ARGV[1], tonumber(ARGV[2])
local taken = {}
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current and current ~= owner then taken[#taken + 1] = i end
end
if #taken > 0 then return {0, taken} end
for _, key in ipairs(KEYS) do
  redis.call('SET', key, owner, 'PX', ttl)
end
return {1, {}}
