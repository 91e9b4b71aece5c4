-- KEYS[1] a visitor's place in a show's line. Returns {place or 0, now in unix ms}.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
return {tonumber(redis.call('GET', KEYS[1]) or 0), now}
