import type { Message, Presence } from '../../core/types.js';
import { BROADCAST, CODE_RE, MESSAGE_ID_RE, assertMessageText, isHumanAddress } from '../../core/validate.js';
import type { IntercomStore } from '../store.js';
import type { RedisStore } from './redis-store.js';
import { RedisConnectionError, RedisReplyError, type Reply, type RespClient } from './resp.js';

/**
 * The bridge between one session's local inbox and the team engine, run by the session's `serve`
 * (the one long-lived process a session has): it publishes the session's presence (with a
 * heartbeat), and moves what other machines send it into the local inbox, where the hook and the
 * watcher find it without touching the network.
 *
 * Exactly once, also when a process dies at any step: an entry is read with XREADGROUP (it becomes
 * pending, held for this session), linked into the local inbox, and only then acknowledged (XACK +
 * XDEL). A relay that starts again first re-reads its pending entries and skips those it had
 * already linked (see alreadyLocal), so nothing is lost and nothing is linked twice.
 *
 * The engine may go away at any time: the relay retries with exponential backoff (100 ms .. 5 s,
 * with jitter), and reports each change of state once (not each failed try).
 */

const BLOCK_MS = 5000;
const BATCH = 100;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;

export interface RelayEvents {
  /** One line for the server's log (stderr): state changes only. */
  log?: (line: string) => void;
  /** Called after messages were moved into the local inbox (tests, benchmarks). */
  onRelayed?: (messages: Message[]) => void;
  /** Called on every change of the connection's state. */
  onState?: (state: 'up' | 'down' | 'conflict') => void;
}

export class Relay {
  private stopped = false;
  private conn: RespClient | undefined;
  private registered = false;
  private state: 'starting' | 'up' | 'down' | 'conflict' = 'starting';
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly local: IntercomStore,
    private readonly remote: RedisStore,
    private presence: Presence,
    private readonly events: RelayEvents = {},
  ) {
    // The heartbeat carries the session's last activity (known here) to the other machines.
    remote.activity = async (code) => (await local.session(code))?.lastActiveAt;
  }

  get connected(): boolean {
    return this.state === 'up';
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stop relaying and take the session off the engine (other machines stop listing it). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.conn?.close();
    this.wake?.();
    await this.loop;
    try {
      await this.remote.unregister(this.presence.code, this.presence.serverPid);
    } catch {
      /* the engine is down: the presence lapses within its ttl */
    }
    this.remote.close();
  }

  private async run(): Promise<void> {
    let backoff = BACKOFF_MIN_MS;
    while (!this.stopped) {
      try {
        await this.ensureRegistered();
        if (this.stopped || this.state === 'conflict') return;
        const conn = await this.remote.connectDedicated();
        this.conn = conn;
        conn.hold();
        if (this.stopped) break;
        this.setState('up');
        backoff = BACKOFF_MIN_MS;
        // What a previous life of this relay read but never acknowledged, then what is new.
        while (!this.stopped && (await this.pump(conn, '0')) > 0);
        while (!this.stopped) await this.pump(conn, '>');
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof RedisReplyError && err.kind === 'NOGROUP') this.registered = false; // our inbox lapsed
        if (err instanceof RedisReplyError && (err.kind === 'WRONGPASS' || err.kind === 'NOPERM')) {
          this.setState('down', `${err.kind}: check the URL's user, password and prefix`);
        } else if (err instanceof RedisConnectionError || err instanceof RedisReplyError) {
          this.setState('down', err.message);
        } else {
          // Not the engine: this machine's store refused (a full disk...). What was read stays
          // pending in the engine and is brought in on the next try.
          this.setState('down', `the local store failed: ${err instanceof Error ? err.message : String(err)}`);
        }
        this.conn?.close();
        this.conn = undefined;
        await this.pause(backoff * (0.5 + Math.random()));
        backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
      }
    }
    this.conn?.close();
  }

  private async ensureRegistered(): Promise<void> {
    if (this.registered) return;
    const { code, lastActiveAt: _l, ...input } = this.presence;
    const got = await this.remote.register(input, code);
    if (got.code !== code) {
      // Another machine's session holds this code: two sessions cannot share an address.
      await this.remote.unregister(got.code);
      this.setState('conflict', `code ${code} is taken by a session on machine ${(await this.remote.session(code))?.machine ?? '?'}; this session stays local`);
      return;
    }
    this.registered = true;
  }

  /** One read: `0` = this consumer's pending entries, `>` = new ones (blocking). */
  private async pump(conn: RespClient, from: '0' | '>'): Promise<number> {
    const code = this.presence.code;
    const block = from === '>' ? ['BLOCK', BLOCK_MS] : [];
    const reply = await conn.call(['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', BATCH, ...block, 'STREAMS', this.remote.key('in', code), from]);
    if (!Array.isArray(reply) || reply.length === 0) {
      // A timeout: make sure we are still on the engine (a lapse while we were cut off).
      if (from === '>' && !(await this.remote.session(code))) throw new RedisReplyError('NOGROUP presence lapsed');
      return 0;
    }
    const entries = ((reply[0] as Reply[])[1] as Reply[]) ?? [];
    const moved: Message[] = [];
    const done: Array<[string, string]> = []; // [stream id, message id]
    for (const e of entries) {
      const sid = Array.isArray(e) && typeof e[0] === 'string' ? e[0] : undefined;
      if (!sid) continue;
      const m = entryMessage(e);
      // What comes from the engine is another machine's word: it reaches a path and a model only if sound.
      const bad = m ? unsoundMessage(m) : 'no message in it';
      if (bad || !m) {
        this.events.log?.(`dropped entry ${sid} for ${code} from the team engine: ${bad}`);
        done.push([sid, '']);
        continue;
      }
      if (!(await this.alreadyLocal(m))) {
        await this.local.deliver(m, [code]);
        moved.push(m);
      }
      done.push([sid, m.id]);
    }
    // Only now is it safe to let the engine forget them: one pipelined round (and one AOF fsync) for the batch.
    await Promise.all(done.map(([sid, id]) => this.remote.ackEntry(code, sid, id)));
    if (moved.length > 0) this.events.onRelayed?.(moved);
    return entries.length;
  }

  /**
   * Linked into this session's inbox already (a previous life died before its XACK)? Still in the
   * inbox: yes. Acknowledged since: a message addressed to this session alone is then in this
   * machine's history (written after the inbox link), and only this relay puts it there. A
   * broadcast in the history may have been brought in for a sibling session of this machine, so
   * for a broadcast only the inbox counts; the model acknowledges through this same `serve`,
   * whose relay drains its pending entries first thing, so that window is the start-up's few ms.
   */
  private async alreadyLocal(m: Message): Promise<boolean> {
    const code = this.presence.code;
    if ((await this.local.inboxEntry(code, m.id)) !== undefined) return true;
    return m.to === code && (await this.local.message(m.id)) !== undefined;
  }

  private setState(state: 'up' | 'down' | 'conflict', why?: string): void {
    if (state === this.state) return;
    this.state = state;
    this.events.onState?.(state);
    const where = this.remote.location;
    if (state === 'up') this.events.log?.(`team engine ${where}: connected; session ${this.presence.code} is visible on other machines`);
    else if (state === 'down') this.events.log?.(`team engine ${where}: relay paused (${why}); retrying with backoff, local sessions unaffected`);
    else this.events.log?.(`team engine ${where}: ${why}`);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

/** Why a message from the engine may not go into a local inbox, or undefined when it may. */
export function unsoundMessage(m: Message): string | undefined {
  if (typeof m !== 'object' || m === null) return 'not a record';
  if (typeof m.id !== 'string' || !MESSAGE_ID_RE.test(m.id)) return 'a malformed id';
  if (typeof m.from !== 'string' || !(CODE_RE.test(m.from) || isHumanAddress(m.from))) return 'a malformed sender';
  if (typeof m.to !== 'string' || !(CODE_RE.test(m.to) || m.to === BROADCAST || isHumanAddress(m.to))) return 'a malformed recipient';
  if (typeof m.sentAt !== 'number' || !Number.isFinite(m.sentAt)) return 'a malformed time';
  if (m.replyTo !== undefined && (typeof m.replyTo !== 'string' || !MESSAGE_ID_RE.test(m.replyTo))) return 'a malformed reply_to';
  for (const k of ['fromProject', 'fromMachine', 'fromUser'] as const) {
    if (m[k] !== undefined && (typeof m[k] !== 'string' || m[k]!.length > 256)) return `a malformed ${k}`;
  }
  try {
    assertMessageText(m.text);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

function entryMessage(e: Reply): Message | undefined {
  if (!Array.isArray(e) || !Array.isArray(e[1])) return undefined;
  const f = e[1];
  for (let i = 0; i < f.length; i += 2) {
    if (f[i] === 'm' && typeof f[i + 1] === 'string') {
      try {
        return JSON.parse(f[i + 1] as string) as Message;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
