/**
 * The Lua scripts of the Redis backend: each is one atomic step on the engine, so no reader ever
 * sees half of a delivery, an acknowledgement or a registration. Every key a script touches is
 * passed in KEYS (an ACL confined to a prefix checks them).
 *
 * Layout (P = the team's prefix):
 *   P:s:<code>             presence record, JSON, PX ttl (renewed by the heartbeat of its `serve`)
 *   P:pid:<machine>:<pid>  -> code, PX ttl: the session of a Claude Code process on a machine
 *   P:codes                set of codes, to list sessions without SCAN (expired ones pruned on read)
 *   P:in:<code>            stream: the inbox; consumer group `g`. Delivered-but-pending = shown,
 *                          after the group's last-delivered-id = unread, XACK + XDEL = acknowledged
 *   P:ix:<code>            hash message id -> stream id (ack by message id, idempotent delivery)
 *   P:log, P:logix         the history: a capped stream and its index
 *   P:lease:<code>         the watcher lease
 *   P:own:<code>           the session that owns the inbox (machine|pid|start): a lapsed session that
 *                          comes back (the engine was down longer than the ttl) finds its inbox again
 *   channels P:ch:<code>, P:ch:log, P:reg:<machine>:<pid>: wake-ups (pub/sub)
 */

/** Compare two stream ids "ms-seq" in Lua (numbers, not strings: "9-0" < "10-0"). */
const ID_GT = `
local function gt(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am > bm or (am == bm and as > bs)
end
local function lastDelivered(stream)
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', stream)
  if not ok then return nil end
  for _, g in ipairs(groups) do
    local name, last
    for i = 1, #g, 2 do
      if g[i] == 'name' then name = g[i + 1] end
      if g[i] == 'last-delivered-id' then last = g[i + 1] end
    end
    if name == 'g' then return last end
  end
  return nil
end
`;

/** KEYS: inbox, presence. Unacknowledged entries of a live session. */
export const INBOX_SIZE = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
return redis.call('XLEN', KEYS[1])
`;

/**
 * KEYS: log, logix, then (inbox, index, presence) per recipient. ARGV: id, json, limit, logChannel,
 * then a channel per recipient. Returns the (1-based) positions of the recipients it reached.
 */
export const DELIVER = `
local id, json, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
local n = (#KEYS - 2) / 3
local delivered = {}
for i = 1, n do
  local s, ix, p = KEYS[3 * i], KEYS[3 * i + 1], KEYS[3 * i + 2]
  -- A recipient whose presence has lapsed has ended (or is cut off): nothing is created for it.
  if redis.call('EXISTS', p) == 1 and redis.call('EXISTS', s) == 1 and redis.call('HEXISTS', ix, id) == 0 then
    local sid = redis.call('XADD', s, '*', 'i', id, 'm', json)
    redis.call('HSET', ix, id, sid)
    delivered[#delivered + 1] = i
  end
end
if redis.call('HEXISTS', KEYS[2], id) == 0 then
  local sid = redis.call('XADD', KEYS[1], '*', 'i', id, 'm', json)
  redis.call('HSET', KEYS[2], id, sid)
  local excess = redis.call('XLEN', KEYS[1]) - limit
  if excess > 0 then
    for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)) do
      redis.call('XDEL', KEYS[1], e[1])
      redis.call('HDEL', KEYS[2], e[2][2])
    end
  end
end
-- Wake-ups only once every copy is in place.
for _, i in ipairs(delivered) do redis.call('PUBLISH', ARGV[4 + i], 'm') end
redis.call('PUBLISH', ARGV[4], 'm')
return delivered
`;

/** KEYS: inbox, presence. ARGV: limit (0 = all). Returns {lastDelivered or '', entries}. */
export const INBOX = `${ID_GT}
if redis.call('EXISTS', KEYS[2]) == 0 then return {'', {}} end
local last = lastDelivered(KEYS[1])
if not last then return {'', {}} end
local entries
if tonumber(ARGV[1]) > 0 then
  entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', ARGV[1])
else
  entries = redis.call('XRANGE', KEYS[1], '-', '+')
end
return {last, entries}
`;

/** KEYS: inbox, index, presence. ARGV: message id. Returns {lastDelivered, entry} or {}. */
export const INBOX_ENTRY = `${ID_GT}
if redis.call('EXISTS', KEYS[3]) == 0 then return {} end
local sid = redis.call('HGET', KEYS[2], ARGV[1])
if not sid then return {} end
local e = redis.call('XRANGE', KEYS[1], sid, sid)
if #e == 0 then return {} end
return {lastDelivered(KEYS[1]) or '', e[1]}
`;

/** KEYS: inbox, presence. 1 when an entry lies after the group's last-delivered-id. */
export const HAS_UNREAD = `${ID_GT}
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local last = lastDelivered(KEYS[1])
if not last then return 0 end
return #redis.call('XRANGE', KEYS[1], '(' .. last, '+', 'COUNT', 1)
`;

/** KEYS: inbox, index. ARGV: message id. Returns 1 if it was there. */
export const ACK = `
local sid = redis.call('HGET', KEYS[2], ARGV[1])
if not sid then return 0 end
redis.call('XACK', KEYS[1], 'g', sid)
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('XDEL', KEYS[1], sid)
`;

/** KEYS: inbox, index. ARGV: stream id, message id (or ''). The relay's acknowledgement, by entry. */
export const ACK_ENTRY = `
redis.call('XACK', KEYS[1], 'g', ARGV[1])
if ARGV[2] ~= '' and redis.call('HGET', KEYS[2], ARGV[2]) == ARGV[1] then redis.call('HDEL', KEYS[2], ARGV[2]) end
return redis.call('XDEL', KEYS[1], ARGV[1])
`;

/** KEYS: inbox, index. Acknowledges everything; returns how many. */
export const ACK_ALL = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = 0
for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
  redis.call('XACK', KEYS[1], 'g', e[1])
  n = n + redis.call('XDEL', KEYS[1], e[1])
end
redis.call('DEL', KEYS[2])
return n
`;

/**
 * KEYS: presence, pid key, codes, inbox, index, lease, owner. ARGV: code, json, ttl, registration
 * channel, owner. Takes the code only if free. A new session never inherits an old inbox of the
 * same code; the same session coming back after a lapse gets its own inbox back, unread intact.
 */
export const REGISTER = `
if not redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then return 0 end
if redis.call('GET', KEYS[7]) == ARGV[5] and redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('PERSIST', KEYS[4])
  redis.call('PERSIST', KEYS[5])
else
  redis.call('DEL', KEYS[4], KEYS[5], KEYS[6])
  redis.call('XGROUP', 'CREATE', KEYS[4], 'g', '$', 'MKSTREAM')
end
redis.call('SET', KEYS[7], ARGV[5])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('PUBLISH', ARGV[4], 'r')
return 1
`;

/** KEYS: presence, pid key. ARGV: json, ttl, code, registration channel. The same process again: renew in place. */
export const REREGISTER = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[4], 'r')
return 1
`;

/** KEYS: presence, pid key. ARGV: ttl, lastActiveAt (or ''). 0 when the record is gone (expired, or the engine lost it). */
export const HEARTBEAT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
if ARGV[2] ~= '' then
  local rec = cjson.decode(raw)
  rec.lastActiveAt = tonumber(ARGV[2])
  redis.call('SET', KEYS[1], cjson.encode(rec), 'PX', ARGV[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1
`;

/**
 * KEYS: presence, pid key, codes, inbox, index, lease, owner. ARGV: code, channel, required server
 * pid ('' = any). The session ended on purpose: everything of it goes.
 */
export const REMOVE = `
local raw = redis.call('GET', KEYS[1])
if raw and ARGV[3] ~= '' and tostring(cjson.decode(raw).serverPid) ~= ARGV[3] then return 0 end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('DEL', KEYS[1], KEYS[4], KEYS[5], KEYS[6], KEYS[7])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('PUBLISH', ARGV[2], 'x')
return 1
`;

/**
 * KEYS: presence, codes, inbox, index, lease, owner. ARGV: code, channel, grace ms. The presence
 * lapsed: the session leaves every listing at once, but what was delivered to it and not yet
 * relayed is kept for \`grace\` (its machine may only have lost the engine for a while).
 */
export const PRUNE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[5])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[3])
redis.call('PEXPIRE', KEYS[6], ARGV[3])
redis.call('PUBLISH', ARGV[2], 'x')
return 1
`;
