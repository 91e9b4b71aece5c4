-- KEYS: one per seat; ARGV: owner. The indexes (1-based) of seats someone else has (claims
-- still pending are not counted: their holds may yet fail).
local taken = {}
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current and current ~= ARGV[1] and string.sub(current, 1, 8) ~= 'pending:' then
    taken[#taken + 1] = i
  end
end
return taken
