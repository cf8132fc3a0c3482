import { hostname } from 'node:os';
import { randomBase36 } from '../../core/ids.js';
import type { InboxEntry, Message, Presence } from '../../core/types.js';
import type { CoordinationStore, FileActivity, FileKey, Reservation, SessionCoordination, SessionStatus } from '../coordination.js';
import { CODE_RE, MESSAGE_ID_RE } from '../../core/validate.js';
import { isSameProcessAlive } from '../../os/proc.js';
import type { DeliveryPathRecord, IntercomStore, WatcherLease } from '../store.js';
import { RedisConnectionError, RedisReplyError, type Reply, RespClient } from './resp.js';
import { RedisCoordination } from './redis-coordination.js';
import * as S from './scripts.js';
import type { BackendAddress } from './url.js';

/**
 * The networked backend: a team's sessions on several machines share one Redis 7+ / Valkey engine.
 * It keeps the same contract as the file-system store (test/contract/); the key layout is in
 * scripts.ts. There is no pid to check across machines: a session is alive while the heartbeat of
 * the process that registered it renews its presence key (PX ttl), so a crashed machine's sessions
 * vanish within the ttl.
 */

export interface RedisStoreOptions {
  /** This machine's name in `who` and in keys (default: the host name). */
  machine?: string;
  /** Presence lives this long without a heartbeat. */
  ttlMs?: number;
  historyLimit?: number;
}

const DEFAULT_TTL_MS = 15_000;
const HISTORY_LIMIT = 2000;
/** How long the inbox of a session whose presence lapsed waits for it to come back. */
const ORPHAN_GRACE_MS = 24 * 3600_000;
/** After a connect timed out, fail at once for this long. */
const FAIL_FAST_MS = 1000;

export class RedisStore implements IntercomStore {
  readonly location: string;
  readonly machine: string;
  readonly ttlMs: number;
  private readonly historyLimit: number;
  private readonly P: string;
  private client: Promise<RespClient> | undefined;
  private readonly beats = new Map<string, NodeJS.Timeout>();
  private readonly subscribers = new Set<RespClient>();
  private closed = false;
  private readonly coord = new RedisCoordination({
    key: (...parts) => this.key(...parts),
    call: (args) => this.call(args),
    eval: (script, keys, args) => this.eval(script, keys, args),
    sessions: () => this.sessions(),
    parsePresence,
  });
  /** Where the heartbeat learns a session's last activity (its machine's local store), if anywhere. */
  activity: ((code: string) => Promise<number | undefined>) | undefined;

  constructor(
    readonly address: BackendAddress,
    options: RedisStoreOptions = {},
  ) {
    this.location = address.redacted;
    this.machine = sanitizeMachine(options.machine ?? hostname());
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.historyLimit = options.historyLimit ?? HISTORY_LIMIT;
    this.P = address.prefix;
  }

  /** Connect now (to report a bad URL, password or ACL at once rather than at the first use). */
  async ping(): Promise<void> {
    await this.call(['PING']);
  }

  /** Stop heartbeats and close every connection (presence then lapses within the ttl). */
  close(): void {
    this.closed = true;
    for (const t of this.beats.values()) clearInterval(t);
    this.beats.clear();
    for (const s of this.subscribers) s.close();
    this.subscribers.clear();
    void this.client?.then((c) => c.close()).catch(() => undefined);
    this.client = undefined;
  }

  /** A new connection of its own (the relay's blocking reads must not hold up other commands). */
  connectDedicated(): Promise<RespClient> {
    return RespClient.connect(this.address.connect);
  }

  // ---- keys ----------------------------------------------------------------------------------

  key(...parts: Array<string | number>): string {
    return [this.P, ...parts].join(':');
  }
  private inboxKeys(code: string): [string, string] {
    return [this.key('in', code), this.key('ix', code)];
  }
  private sessionKeys(code: string, rec?: Pick<Presence, 'pid' | 'machine'>): string[] {
    const pidKey = rec ? this.key('pid', rec.machine ?? this.machine, rec.pid) : this.key('pid', '-');
    // Then the coordination records (activity, status, reservations, warn-once marks): they go with the presence.
    return [this.key('s', code), pidKey, this.key('codes'), ...this.inboxKeys(code), this.key('lease', code), this.key('own', code), ...this.coord.sessionKeys(code)];
  }

  // ---- the connection ------------------------------------------------------------------------

  private async conn(): Promise<RespClient> {
    if (this.closed) throw new RedisConnectionError('the store is closed');
    if (this.client) {
      const c = await this.client.catch(() => undefined);
      if (c && !c.closed) return c;
    }
    // A connect that just timed out (an engine that does not answer at all): say so at once rather
    // than make every caller (`who`, a send) wait out another timeout. A refused connection fails
    // fast by itself and is tried again each time. The relay retries with its own backoff.
    if (Date.now() < this.downUntil) throw this.downError!;
    const next = RespClient.connect(this.address.connect);
    this.client = next;
    next.catch((err: Error) => {
      if (!(err instanceof RedisConnectionError) || !err.timedOut) return;
      this.downUntil = Date.now() + FAIL_FAST_MS;
      this.downError = err;
    });
    return next;
  }
  private downUntil = 0;
  private downError: Error | undefined;

  async call(args: ReadonlyArray<string | number>): Promise<Reply> {
    return (await this.conn()).call(args);
  }

  private eval(script: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<Reply> {
    return this.call(['EVAL', script, keys.length, ...keys, ...args]);
  }

  // ---- presence ------------------------------------------------------------------------------

  async register(input: Omit<Presence, 'code' | 'lastActiveAt'>, preferredCode?: string): Promise<Presence> {
    const existing = await this.sessionByPid(input.pid);
    if (existing && existing.pidStart === input.pidStart) {
      // The same Claude Code process again (its server restarted): the session keeps its code.
      const record: Presence = { ...existing, ...input, code: existing.code, startedAt: existing.startedAt, machine: this.machine };
      const keys = this.sessionKeys(record.code, record);
      await this.eval(S.REREGISTER, keys.slice(0, 2), [JSON.stringify(record), this.ttlMs, record.code, this.key('reg', this.machine, input.pid)]);
      this.startHeartbeat(record);
      return record;
    }
    for (let attempt = 0; attempt < 64; attempt++) {
      const code = attempt === 0 && preferredCode && CODE_RE.test(preferredCode) ? preferredCode : randomBase36(4);
      const record: Presence = { ...input, code, lastActiveAt: input.startedAt, machine: this.machine };
      const owner = `${this.machine}|${input.pid}|${input.pidStart}`;
      const took = await this.eval(S.REGISTER, this.sessionKeys(code, record), [code, JSON.stringify(record), this.ttlMs, this.key('reg', this.machine, input.pid), owner]);
      if (took === 1) {
        this.startHeartbeat(record);
        return record;
      }
    }
    throw new Error('Could not find a free session code after 64 tries.');
  }

  /**
   * Renew the presence of a session registered here while its Claude Code process lives (a pid is
   * a fact on this machine only). Other machines learn of a death when the key lapses.
   */
  private startHeartbeat(record: Presence): void {
    const old = this.beats.get(record.code);
    if (old) clearInterval(old);
    const keys = this.sessionKeys(record.code, record).slice(0, 2);
    const beat = async (): Promise<void> => {
      if (!isSameProcessAlive(record.pid, record.pidStart)) {
        this.stopHeartbeat(record.code);
        return;
      }
      const active = this.activity ? await this.activity(record.code).catch(() => undefined) : undefined;
      const alive = await this.eval(S.HEARTBEAT, keys, [this.ttlMs, active ?? '']);
      // The record is gone although the session lives (the engine lost it, or we were cut off
      // longer than the ttl): put it back under the same code.
      if (alive === 0) {
        const { code, lastActiveAt: _l, machine: _m, ...input } = record;
        await this.register(input, code);
      }
    };
    const timer = setInterval(() => void beat().catch(() => undefined), Math.max(50, Math.floor(this.ttlMs / 3)));
    timer.unref();
    this.beats.set(record.code, timer);
  }

  private stopHeartbeat(code: string): void {
    const t = this.beats.get(code);
    if (t) clearInterval(t);
    this.beats.delete(code);
  }

  async unregister(code: string, serverPid?: number): Promise<void> {
    if (!CODE_RE.test(code)) return;
    const rec = await this.readPresence(code);
    if (!rec) return;
    if (serverPid !== undefined && rec.serverPid !== serverPid) return;
    this.stopHeartbeat(code);
    const indexes = await this.coord.indexesOf(code);
    if ((await this.eval(S.REMOVE, this.sessionKeys(code, rec), [code, this.key('ch', code), serverPid ?? ''])) === 1) await this.coord.clearIndexes(code, indexes);
  }

  /** Mark the session active now (kept in the record; the heartbeat keeps it alive). */
  async touch(code: string): Promise<void> {
    if (!CODE_RE.test(code)) return;
    await this.eval(S.HEARTBEAT, [this.key('s', code), this.key('pid', '-')], [this.ttlMs, Date.now()]);
  }

  /** Carry a session's last activity (known on its own machine) into its shared record. */
  async heartbeat(code: string, lastActiveAt?: number): Promise<boolean> {
    const rec = await this.readPresence(code);
    if (!rec) return false;
    return (await this.eval(S.HEARTBEAT, this.sessionKeys(code, rec).slice(0, 2), [this.ttlMs, lastActiveAt ?? ''])) === 1;
  }

  private async readPresence(code: string): Promise<Presence | undefined> {
    if (!CODE_RE.test(code)) return undefined;
    return parsePresence(await this.call(['GET', this.key('s', code)]));
  }

  async session(code: string): Promise<Presence | undefined> {
    const rec = await this.readPresence(code);
    if (rec) return rec;
    if (CODE_RE.test(code)) await this.prune(code);
    return undefined;
  }

  /** A lapsed session leaves every listing; its undelivered inbox is kept a while (see PRUNE). */
  private async prune(code: string): Promise<void> {
    const [s, , codes, inbox, ix, lease, own, ...coordination] = this.sessionKeys(code);
    const indexes = await this.coord.indexesOf(code);
    if ((await this.eval(S.PRUNE, [s!, codes!, inbox!, ix!, lease!, own!, ...coordination], [code, this.key('ch', code), ORPHAN_GRACE_MS])) === 1) await this.coord.clearIndexes(code, indexes);
  }

  async sessionByPid(pid: number): Promise<Presence | undefined> {
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const code = await this.call(['GET', this.key('pid', this.machine, pid)]);
    if (typeof code !== 'string') return undefined;
    const rec = await this.session(code);
    return rec && rec.pid === pid && rec.machine === this.machine ? rec : undefined;
  }

  async sessions(): Promise<Presence[]> {
    const codes = (await this.call(['SMEMBERS', this.key('codes')])) as string[];
    if (codes.length === 0) return [];
    const raws = (await this.call(['MGET', ...codes.map((c) => this.key('s', c))])) as Reply[];
    const out: Presence[] = [];
    for (let i = 0; i < codes.length; i++) {
      const rec = parsePresence(raws[i] ?? null);
      if (rec && rec.code === codes[i]) out.push(rec);
      else if (CODE_RE.test(codes[i]!)) await this.prune(codes[i]!);
    }
    return out.sort((a, b) => a.startedAt - b.startedAt || a.code.localeCompare(b.code));
  }

  // ---- messages ------------------------------------------------------------------------------

  async deliver(message: Message, recipients: readonly string[]): Promise<void> {
    await this.deliverReport(message, recipients);
  }

  /**
   * Deliver, and say which recipients were not reached: their presence lapsed between the sender's
   * look-up and the delivery (or a message with this id is already in their inbox: a retry).
   */
  async deliverReport(message: Message, recipients: readonly string[]): Promise<{ missed: string[] }> {
    const codes = recipients.filter((c) => CODE_RE.test(c));
    const keys = [this.key('log'), this.key('logix'), ...codes.flatMap((c) => [...this.inboxKeys(c), this.key('s', c)])];
    const reached = (await this.eval(S.DELIVER, keys, [message.id, JSON.stringify(message), this.historyLimit, this.key('ch', 'log'), ...codes.map((c) => this.key('ch', c))])) as number[];
    const hit = new Set(reached.map((i) => codes[i - 1]));
    return { missed: recipients.filter((c) => !hit.has(c)) };
  }

  async claim(code: string, limit = Infinity): Promise<Message[]> {
    if (!CODE_RE.test(code) || limit <= 0) return [];
    const count = Number.isFinite(limit) ? ['COUNT', limit] : [];
    let reply: Reply;
    try {
      // The consumer group hands each entry to one reader: this is the atomic claim.
      reply = await this.call(['XREADGROUP', 'GROUP', 'g', 'c', ...count, 'STREAMS', this.key('in', code), '>']);
    } catch (err) {
      if (err instanceof RedisReplyError && err.kind === 'NOGROUP') return []; // no such session
      throw err;
    }
    if (!Array.isArray(reply) || reply.length === 0) return [];
    const entries = (reply[0] as Reply[])[1] as Reply[];
    return entries.map((e) => entryMessage(e)).filter((m): m is Message => m !== undefined);
  }

  /**
   * No hook or watcher claims from the engine (they read the machine's local store, which the relay
   * fills), so the two-step claim is the one-step one here: the pending entry is "shown" at once.
   * A process that dies after this has taken entries that only `peek` shows again.
   */
  beginClaim(code: string, limit = Infinity): Promise<Message[]> {
    return this.claim(code, limit);
  }

  commitClaim(_code: string): void {
    /* committed by the claim itself (see beginClaim) */
  }

  async inbox(code: string, limit = Infinity): Promise<InboxEntry[]> {
    if (!CODE_RE.test(code) || limit <= 0) return [];
    const [last, entries] = (await this.eval(S.INBOX, [this.key('in', code), this.key('s', code)], [Number.isFinite(limit) ? limit : 0])) as [string, Reply[]];
    if (last === '') return [];
    const out: InboxEntry[] = [];
    for (const e of entries) {
      const m = entryMessage(e);
      if (m) out.push({ ...m, state: streamIdAfter((e as Reply[])[0] as string, last) ? 'unread' : 'shown' });
    }
    return out;
  }

  async inboxEntry(code: string, id: string): Promise<InboxEntry | undefined> {
    if (!CODE_RE.test(code) || !MESSAGE_ID_RE.test(id)) return undefined;
    const r = (await this.eval(S.INBOX_ENTRY, [...this.inboxKeys(code), this.key('s', code)], [id])) as Reply[];
    if (r.length < 2) return undefined;
    const m = entryMessage(r[1]!);
    if (!m) return undefined;
    return { ...m, state: r[0] !== '' && streamIdAfter((r[1] as Reply[])[0] as string, r[0] as string) ? 'unread' : 'shown' };
  }

  async inboxSize(code: string): Promise<number> {
    if (!CODE_RE.test(code)) return 0;
    return (await this.eval(S.INBOX_SIZE, [this.key('in', code), this.key('s', code)], [])) as number;
  }

  async hasUnread(code: string): Promise<boolean> {
    if (!CODE_RE.test(code)) return false;
    return (await this.eval(S.HAS_UNREAD, [this.key('in', code), this.key('s', code)], [])) === 1;
  }

  async ack(code: string, id: string): Promise<boolean> {
    if (!CODE_RE.test(code) || !MESSAGE_ID_RE.test(id)) return false;
    return (await this.eval(S.ACK, this.inboxKeys(code), [id])) === 1;
  }

  /** Acknowledge one stream entry of `code`'s inbox (the relay: also entries with no sound message). */
  async ackEntry(code: string, streamId: string, messageId = ''): Promise<void> {
    if (!CODE_RE.test(code) || !/^\d+-\d+$/.test(streamId)) return;
    await this.eval(S.ACK_ENTRY, this.inboxKeys(code), [streamId, MESSAGE_ID_RE.test(messageId) ? messageId : '']);
  }

  async ackAll(code: string): Promise<number> {
    if (!CODE_RE.test(code)) return 0;
    return (await this.eval(S.ACK_ALL, this.inboxKeys(code), [])) as number;
  }

  async history(limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const entries = (await this.call(['XREVRANGE', this.key('log'), '+', '-', 'COUNT', limit])) as Reply[];
    return entries
      .map((e) => entryMessage(e))
      .filter((m): m is Message => m !== undefined)
      .reverse();
  }

  async message(id: string): Promise<Message | undefined> {
    if (!MESSAGE_ID_RE.test(id)) return undefined;
    const sid = await this.call(['HGET', this.key('logix'), id]);
    if (typeof sid !== 'string') return undefined;
    const e = (await this.call(['XRANGE', this.key('log'), sid, sid])) as Reply[];
    return e.length > 0 ? entryMessage(e[0]!) : undefined;
  }

  // ---- coordination (redis-coordination.ts) -------------------------------------------------------

  recordActivity(code: string, activity: FileActivity): Promise<void> {
    return this.coord.recordActivity(code, activity);
  }
  coordination(now: number): Promise<SessionCoordination[]> {
    return this.coord.coordination(now);
  }
  coordinationFor(file: FileKey, now: number): Promise<SessionCoordination[]> {
    return this.coord.coordinationFor(file, now);
  }
  setStatus(code: string, status: SessionStatus | undefined): Promise<void> {
    return this.coord.setStatus(code, status);
  }
  setReservations(code: string, reservations: readonly Reservation[]): Promise<void> {
    return this.coord.setReservations(code, reservations);
  }
  firstWarning(code: string, key: string, now: number, windowMs: number): Promise<boolean> {
    return this.coord.firstWarning(code, key, now, windowMs);
  }

  // ---- waking --------------------------------------------------------------------------------

  /**
   * Pub/sub on a connection of its own. `onChange` also fires when that connection drops (the
   * caller re-checks); it comes back by itself with backoff (0.1 .. 5 s) until stopped.
   */
  private listenChannel(channel: string, onChange: () => void): () => void {
    let stopped = false;
    let client: RespClient | undefined;
    let retry: NodeJS.Timeout | undefined;
    let backoff = 100;
    const again = (): void => {
      if (stopped) return;
      onChange();
      retry = setTimeout(connect, backoff);
      backoff = Math.min(5000, backoff * 2);
    };
    const connect = (): void => {
      void RespClient.connect(this.address.connect)
        .then(async (c) => {
          if (stopped) return c.close();
          client = c;
          this.subscribers.add(c);
          c.onPush = () => onChange();
          c.onClose(() => {
            this.subscribers.delete(c);
            again();
          });
          c.hold();
          try {
            await c.call(['SUBSCRIBE', channel]);
            backoff = 100;
            // What was published before the subscription took hold is not heard: say "may have
            // changed" once now, so the caller looks (the contract allows a spurious call).
            if (!stopped) onChange();
          } catch {
            c.close(); // refused (an ACL without the channel): its close retries, with backoff
          }
        })
        .catch(() => again());
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      if (client) {
        this.subscribers.delete(client);
        client.close();
      }
    };
  }

  watchHistory(onChange: () => void): () => void {
    return this.listenChannel(this.key('ch', 'log'), onChange);
  }

  subscribe(code: string, onChange: () => void): () => void {
    if (!CODE_RE.test(code)) throw new Error(`internal: bad code ${code}`);
    return this.listenChannel(this.key('ch', code), onChange);
  }

  subscribeRegistration(pid: number, onChange: () => void): () => void {
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`internal: bad pid ${pid}`);
    return this.listenChannel(this.key('reg', this.machine, pid), onChange);
  }

  // The session's hash `lease:<code>` holds its watcher lease (field w) and its delivery path
  // (field d): removed and pruned with the session, by the same scripts.

  async takeWatcherLease(code: string, lease: WatcherLease): Promise<void> {
    if (!CODE_RE.test(code)) return;
    await this.call(['HSET', this.key('lease', code), 'w', JSON.stringify(lease)]);
    await this.call(['PUBLISH', this.key('ch', code), 'l']);
  }

  async watcherLease(code: string): Promise<WatcherLease | undefined> {
    if (!CODE_RE.test(code)) return undefined;
    const raw = await this.call(['HGET', this.key('lease', code), 'w']);
    return typeof raw === 'string' ? (JSON.parse(raw) as WatcherLease) : undefined;
  }

  async releaseWatcherLease(code: string, pid?: number): Promise<void> {
    if (!CODE_RE.test(code)) return;
    if (pid !== undefined && (await this.watcherLease(code))?.pid !== pid) return;
    if ((await this.call(['HDEL', this.key('lease', code), 'w'])) === 1) await this.call(['PUBLISH', this.key('ch', code), 'l']);
  }

  async setDeliveryPath(code: string, record: DeliveryPathRecord): Promise<void> {
    if (!CODE_RE.test(code)) throw new Error(`internal: bad code ${code}`);
    await this.eval(S.SET_DELIVERY_PATH, [this.key('s', code), this.key('lease', code)], [JSON.stringify(record), this.key('ch', code)]);
  }

  async deliveryPath(code: string): Promise<DeliveryPathRecord | undefined> {
    if (!CODE_RE.test(code)) return undefined;
    const raw = await this.call(['HGET', this.key('lease', code), 'd']);
    return typeof raw === 'string' ? (JSON.parse(raw) as DeliveryPathRecord) : undefined;
  }

  /** Claimed entries go back to unread: re-added at the inbox's end (a stream has no "undeliver"). */
  async unclaim(code: string, ids: readonly string[]): Promise<number> {
    if (!CODE_RE.test(code)) return 0;
    const valid = ids.filter((id) => MESSAGE_ID_RE.test(id));
    if (valid.length === 0) return 0;
    return (await this.eval(S.UNCLAIM, this.inboxKeys(code), [this.key('ch', code), ...valid])) as number;
  }
}

/** A presence record as another machine wrote it: only a sound one is shown. */
function parsePresence(raw: Reply): Presence | undefined {
  if (typeof raw !== 'string') return undefined;
  let rec: Presence;
  try {
    rec = JSON.parse(raw) as Presence;
  } catch {
    return undefined;
  }
  const sound =
    typeof rec === 'object' &&
    rec !== null &&
    typeof rec.code === 'string' &&
    CODE_RE.test(rec.code) &&
    Number.isInteger(rec.pid) &&
    typeof rec.projectRoot === 'string' &&
    typeof rec.projectName === 'string' &&
    typeof rec.cwd === 'string' &&
    typeof rec.startedAt === 'number' &&
    typeof rec.lastActiveAt === 'number';
  return sound ? rec : undefined;
}

/** A stream entry [id, ['i', msgId, 'm', json]] -> the message. */
function entryMessage(e: Reply): Message | undefined {
  if (!Array.isArray(e)) return undefined;
  const fields = e[1];
  if (!Array.isArray(fields)) return undefined;
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === 'm' && typeof fields[i + 1] === 'string') {
      try {
        return JSON.parse(fields[i + 1] as string) as Message;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Stream ids "ms-seq", compared as numbers. */
export function streamIdAfter(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am > bm || (am === bm && as > bs);
}

function sanitizeMachine(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
  return clean === '' ? 'machine' : clean;
}
