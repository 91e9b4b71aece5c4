-- KEYS: one per seat; ARGV: owner, ttl in ms, '1' to take over others' pending claims. A key
-- holds its owner's id when a written hold (or PostgreSQL's word) backs it, and 'pending:' and
-- the id while its hold is being written. Answers {1, {}} having claimed every key as pending
-- for the owner; {0, indexes} (1-based) of the seats someone else has; or {2, indexes} of seats
-- others are still writing holds for, claiming nothing.
local owner, ttl, take_over = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
local mine = 'pending:' .. owner
local taken, busy = {}, {}
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current and current ~= owner and current ~= mine then
    if string.sub(current, 1, 8) == 'pending:' then busy[#busy + 1] = i else taken[#taken + 1] = i end
  end
end
if #taken > 0 then return {0, taken} end
if #busy > 0 and not take_over then return {2, busy} end
for _, key in ipairs(KEYS) do
  redis.call('SET', key, mine, 'PX', ttl)
end
return {1, {}}
