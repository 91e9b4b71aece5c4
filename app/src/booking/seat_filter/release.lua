-- KEYS: one per seat; ARGV: owner. Deletes only the keys this owner still has, pending or not.
local mine = 'pending:' .. ARGV[1]
local released = 0
for _, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == ARGV[1] or current == mine then released = released + redis.call('DEL', key) end
end
return released
