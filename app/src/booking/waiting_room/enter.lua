-- A visitor asks to hold seats of a show: through at once, or a place in its line.
-- KEYS[1] the show's next admission (unix ms), KEYS[2] this visitor's place (unix ms).
-- ARGV[1] ms between admissions, ARGV[2] how far ahead a burst may go (ms),
-- ARGV[3] how long an admission lasts (ms).
-- Returns {place, now}: place 0 is "through at once"; a place at or before now is admitted.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local mine = redis.call('GET', KEYS[2])
if mine then return {tonumber(mine), now} end
local interval, ahead, lasts = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local next_free = math.max(tonumber(redis.call('GET', KEYS[1]) or 0), now)
redis.call('SET', KEYS[1], next_free + interval, 'PX', next_free + interval - now + lasts)
local place = next_free - ahead
if place <= now then return {0, now} end
redis.call('SET', KEYS[2], place, 'PX', place - now + lasts)
return {place, now}
