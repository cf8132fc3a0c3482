/**
 * The Lua scripts of the Redis backend's coordination area (redis-coordination.ts). As in
 * scripts.ts, every key a script touches is passed in KEYS.
 *
 * Layout (P = the team's prefix, <code> a live session's code):
 *   P:ca:<code>          the session's edits: a JSON list, newest first, at most ACTIVITY_PER_SESSION, one per file
 *   P:cs:<code>          its status (JSON)
 *   P:cr:<code>          its reservations (JSON list, at most RESERVATIONS_PER_SESSION)
 *   P:cw:<code>          hash: warn-once key digest -> when the warning was given
 *   P:cf:<digest>        hash: code -> "<owner>\n<activity JSON>": the latest edit of one repository
 *                        path (digest of repository + relPath) by each session, so the hook reads one key
 *   P:cq:<digest>        set of codes holding reservations in one repository (digest of the repository)
 * The four per-code keys go in the same script that removes, prunes or (re)takes the code's presence
 * (scripts.ts). Index entries carry their owner (P:own:<code>, machine|pid|start): one whose owner is
 * not the code's live session is never returned, and is removed when read.
 */

/**
 * KEYS: presence, owner, activity list, index of the new edit, then the index of each evicted edit.
 * ARGV: the list as read before (or ''), the new list, code, the edit (JSON), then each evicted
 * edit's path. 0: no such session; -1: the list changed since it was read (read again); 1: done.
 */
export const RECORD_ACTIVITY = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local owner = redis.call('GET', KEYS[2])
if not owner then return 0 end
local before = redis.call('GET', KEYS[3]) or ''
if before ~= ARGV[1] then return -1 end
redis.call('SET', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[4], ARGV[3], owner .. '\\n' .. ARGV[4])
for i = 5, #KEYS do
  local v = redis.call('HGET', KEYS[i], ARGV[3])
  if v and string.sub(v, 1, #owner + 1) == owner .. '\\n' then
    local ok, a = pcall(cjson.decode, string.sub(v, #owner + 2))
    if not ok or type(a) ~= 'table' or a.path == ARGV[i] then redis.call('HDEL', KEYS[i], ARGV[3]) end
  end
end
return 1
`;

/** KEYS: presence, status. ARGV: status JSON, or '' to clear. */
export const SET_STATUS = `
if ARGV[1] == '' then redis.call('DEL', KEYS[2]) return 1 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
return 1
`;

/** KEYS: presence, reservations, then the repository index of each repository they are in. ARGV: code, JSON or '' (none). */
export const SET_RESERVATIONS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[2]) return 1 end
redis.call('SET', KEYS[2], ARGV[2])
for i = 3, #KEYS do redis.call('SADD', KEYS[i], ARGV[1]) end
return 1
`;

/**
 * KEYS: presence, warn-once hash. ARGV: key digest, now, window ms, bound. 1 if not noted within the
 * window (and notes it), else 0: one script, so exactly one of racing callers gets 1. Past \`bound\`
 * marks, the stale ones are dropped (the hash stays bounded by what one window can hold).
 */
export const FIRST_WARNING = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local now, window = tonumber(ARGV[2]), tonumber(ARGV[3])
local at = tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
if at and now - at < window then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if redis.call('HLEN', KEYS[2]) > tonumber(ARGV[4]) then
  local all = redis.call('HGETALL', KEYS[2])
  for i = 1, #all, 2 do
    local t = tonumber(all[i + 1])
    if not t or now - t >= window then redis.call('HDEL', KEYS[2], all[i]) end
  end
end
return 1
`;

/** KEYS: file index. ARGV: code, the entry as read. Removes a dead or stale entry unless it changed since. */
export const DROP_FILE_ENTRY = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;

/** KEYS: presence, repository index. ARGV: code. Drops the code from the index while it has no presence. */
export const DROP_REPOSITORY_MEMBER = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
return redis.call('SREM', KEYS[2], ARGV[1])
`;

/**
 * KEYS: presence, then n file indexes, then repository indexes. ARGV: code, owner, n. After a session
 * ended: its index entries go (only its own: the code may have been taken again since).
 */
export const CLEAR_INDEXES = `
local code, owner, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
for i = 2, n + 1 do
  local v = redis.call('HGET', KEYS[i], code)
  if v and string.sub(v, 1, #owner + 1) == owner .. '\\n' then redis.call('HDEL', KEYS[i], code) end
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  for i = n + 2, #KEYS do redis.call('SREM', KEYS[i], code) end
end
return 1
`;
