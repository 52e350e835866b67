"""Lua scripts: the steps of a distributed crawl that must be atomic on the server.

Times come from the server's clock (``TIME``), so workers on machines whose
clocks disagree still agree on heartbeats and rate windows. A pending entry
is ``<queue score>:<encoded request>``, so a dead worker's requests go back
into the priority queue where they were.
"""

from __future__ import annotations

_NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"

# Requeue every pending request of workers silent for longer than the visibility timeout.
_REAP = """
local function reap(workers, requests, prefix, before)
  local moved = 0
  for _, w in ipairs(redis.call('ZRANGEBYSCORE', workers, '-inf', before)) do
    local key = prefix .. w
    for _, v in ipairs(redis.call('HVALS', key)) do
      local i = string.find(v, ':', 1, true)
      redis.call('ZADD', requests, tonumber(string.sub(v, 1, i - 1)), string.sub(v, i + 1))
      moved = moved + 1
    end
    redis.call('DEL', key)
    redis.call('ZREM', workers, w)
  end
  return moved
end
local function pending_total(workers, prefix)
  local total = 0
  for _, w in ipairs(redis.call('ZRANGE', workers, 0, -1)) do
    total = total + redis.call('HLEN', prefix .. w)
  end
  return total
end
"""

# KEYS: run, requests, dupefilter, workers. ARGV: new run id, worker, visibility timeout, pending prefix.
# Joins the current run of the seed, or starts a new one when the current one is over
# (no live worker, nothing queued, nothing pending). Returns {run id, 1 if new}.
JOIN = _NOW + _REAP + """
local run = redis.call('GET', KEYS[1])
local visibility = tonumber(ARGV[3])
if run then
  local live = redis.call('ZCOUNT', KEYS[4], now - visibility, '+inf')
  if live == 0 and redis.call('ZCARD', KEYS[2]) == 0 and pending_total(KEYS[4], ARGV[4]) == 0 then
    run = false
  end
end
local fresh = 0
if not run then
  for _, w in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do redis.call('DEL', ARGV[4] .. w) end
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  redis.call('SET', KEYS[1], ARGV[1])
  run = ARGV[1]
  fresh = 1
end
redis.call('ZADD', KEYS[4], now, ARGV[2])
return {run, fresh}
"""

# KEYS: requests, pending hash of this worker. Pops the best request and keeps it as pending.
# Returns {token, encoded request} or nil.
POP = """
local r = redis.call('ZPOPMIN', KEYS[1])
if #r == 0 then return false end
local token = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], token, r[2] .. ':' .. r[1])
return {token, r[1]}
"""

# KEYS: workers, requests. ARGV: worker, visibility timeout, pending prefix, acknowledged tokens...
# The heartbeat: refresh this worker and drop finished requests from its pending set.
# Returns {queued, pending (all workers), workers silent for longer than the visibility timeout}.
BEAT = _NOW + _REAP + """
redis.call('ZADD', KEYS[1], now, ARGV[1])
if #ARGV > 3 then redis.call('HDEL', ARGV[3] .. ARGV[1], unpack(ARGV, 4)) end
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return {redis.call('ZCARD', KEYS[2]), pending_total(KEYS[1], ARGV[3]), dead}
"""

# KEYS: workers. ARGV: worker. A sign of life from the worker's liveness thread: refreshes its
# heartbeat time, only while it is a member (it never brings back a worker that has left).
ALIVE = _NOW + """
return redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
"""

# KEYS: workers, requests. ARGV: visibility timeout, pending prefix, worker.
# Puts a dead worker's pending requests back into the queue (if it is still silent). Returns how many.
REQUEUE = _NOW + """
local beat = redis.call('ZSCORE', KEYS[1], ARGV[3])
if beat and tonumber(beat) >= now - tonumber(ARGV[1]) then return 0 end
local key = ARGV[2] .. ARGV[3]
local moved = 0
for _, v in ipairs(redis.call('HVALS', key)) do
  local i = string.find(v, ':', 1, true)
  redis.call('ZADD', KEYS[2], tonumber(string.sub(v, 1, i - 1)), string.sub(v, i + 1))
  moved = moved + 1
end
redis.call('DEL', key)
redis.call('ZREM', KEYS[1], ARGV[3])
return moved
"""

# KEYS: run, requests, dupefilter, workers. ARGV: worker, visibility timeout, pending prefix, run id.
# A worker leaves: its unfinished requests go back to the queue; the last live worker of a
# finished run (nothing queued or pending) removes the run, so the next start begins a new one.
# Returns 1 when the run was removed.
LEAVE = _NOW + _REAP + """
local mine = ARGV[3] .. ARGV[1]
for _, v in ipairs(redis.call('HVALS', mine)) do
  local i = string.find(v, ':', 1, true)
  redis.call('ZADD', KEYS[2], tonumber(string.sub(v, 1, i - 1)), string.sub(v, i + 1))
end
redis.call('DEL', mine)
redis.call('ZREM', KEYS[4], ARGV[1])
reap(KEYS[4], KEYS[2], ARGV[3], now - tonumber(ARGV[2]))
if redis.call('GET', KEYS[1]) ~= ARGV[4] then return 0 end
if redis.call('ZCOUNT', KEYS[4], now - tonumber(ARGV[2]), '+inf') > 0 then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 or pending_total(KEYS[4], ARGV[3]) > 0 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return 1
"""

# KEYS: grants, leases, throttle. ARGV: token, max grants per window, window seconds, max leases,
# lease seconds, AutoThrottle start delay (0: no shared AutoThrottle), seconds to keep the throttle.
# One politeness budget per host: a sliding window of grants, a set of expiring leases (requests
# in flight) and, with AutoThrottle, a spacing of at least the host's shared delay between two
# grants (hash: delay, last grant). Returns 0 when granted, else the seconds to wait before asking again.
ACQUIRE = _NOW + """
local window, limit = tonumber(ARGV[3]), tonumber(ARGV[2])
local leases = tonumber(ARGV[4])
local start = tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if limit > 0 and redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(math.max(0.01, tonumber(oldest[2]) + window - now))
end
if start > 0 then
  local state = redis.call('HMGET', KEYS[3], 'delay', 'last')
  local delay, last = tonumber(state[1]) or start, tonumber(state[2])
  if last and now < last + delay then
    return tostring(math.max(0.01, last + delay - now))
  end
end
if leases > 0 and redis.call('ZCARD', KEYS[2]) >= leases then
  return '0.05'
end
if limit > 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  redis.call('EXPIRE', KEYS[1], math.ceil(window) + 1)
end
if leases > 0 then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[1])
  redis.call('EXPIRE', KEYS[2], math.ceil(tonumber(ARGV[5])) + 1)
end
if start > 0 then
  redis.call('HSET', KEYS[3], 'last', tostring(now))
  redis.call('EXPIRE', KEYS[3], ARGV[7])
end
return '0'
"""

# KEYS: leases, throttle. ARGV: lease token ('' for none), download latency ('' for none), status,
# target concurrency, min delay, max delay, start delay, seconds to keep the throttle.
# A response came back: its lease ends, and its latency adjusts the host's shared delay by
# Scrapy's AutoThrottle policy (scrapy/extensions/throttle.py), here for all workers at once.
# Returns the host's delay after the adjustment (nil without a latency).
SETTLE = """
if ARGV[1] ~= '' then redis.call('ZREM', KEYS[1], ARGV[1]) end
if ARGV[2] == '' then return false end
local latency, concurrency = tonumber(ARGV[2]), tonumber(ARGV[4])
local mindelay, maxdelay = tonumber(ARGV[5]), tonumber(ARGV[6])
local old = tonumber(redis.call('HGET', KEYS[2], 'delay')) or tonumber(ARGV[7])
local target = latency / concurrency
local new = math.min(math.max(mindelay, math.max(target, (old + target) / 2)), maxdelay)
if tonumber(ARGV[3]) ~= 200 and new <= old then return tostring(old) end
redis.call('HSET', KEYS[2], 'delay', tostring(new))
redis.call('EXPIRE', KEYS[2], ARGV[8])
return tostring(new)
"""
