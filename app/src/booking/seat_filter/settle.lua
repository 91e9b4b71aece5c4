-- KEYS: the seats of the owner's written hold, then the seats it gave up; ARGV: owner, ttl in
-- ms, how many KEYS are the hold's. The hold's claims become the owner's for the ttl, and so do
-- pending claims someone took over meanwhile (their write must lose), while claims kept for
-- others are left alone; of the given-up seats, only the keys this owner still has are deleted.
local owner, ttl, kept = ARGV[1], ARGV[2], tonumber(ARGV[3])
local mine = 'pending:' .. owner
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if i <= kept then
    if current == owner or (current and string.sub(current, 1, 8) == 'pending:') then
      redis.call('SET', key, owner, 'PX', ttl)
    end
  elseif current == owner or current == mine then
    redis.call('DEL', key)
  end
end
return 0
