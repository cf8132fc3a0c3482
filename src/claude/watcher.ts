import { coalesce } from '../core/coalesce.js';
import { frameDelivery } from '../core/framing.js';
import { toolPrefix } from './tool-names.js';
import type { IntercomStore } from '../store/store.js';
import { MAX_PER_DELIVERY } from './hook-handler.js';
import type { HookInput } from './hook-io.js';
import { WATCH_SELF_TIMEOUT_MS } from './hook-spec.js';
import { isSameProcessAlive, processStart } from '../os/proc.js';
import { claudePidFromEnv, findSession } from './session-identity.js';

/**
 * The idle watcher, run by Claude Code from Stop and SessionStart with `asyncRewake`. Its exit code
 * is a signal to Claude Code: 2 wakes the model with our stderr, anything else is ignored. So it
 * exits 2 only after it has claimed and written at least one message, and 0 in every other case.
 *
 * It sleeps on its session's doorbell (a FIFO rung by every delivery, lease change and the
 * session's end), not a loop over the store and not inotify, whose exit cost would delay the wake.
 * One slow timer checks that the Claude Code process still exists, for the case where it was
 * killed with SIGKILL and its MCP server could not remove the presence.
 */

export interface WatchOptions {
  store: IntercomStore;
  input: HookInput;
  env: NodeJS.ProcessEnv;
  selfPid: number;
  /** Where the framed messages go (Claude Code reads the watcher's stderr). */
  writeStderr: (text: string) => void;
  /** How long to wait for `serve` to register a just-started session. */
  registrationTimeoutMs?: number;
  selfTimeoutMs?: number;
  /** The backstop check that the Claude Code process is alive. */
  livenessIntervalMs?: number;
  /** How often to look at the inbox without a ring (recovers deliveries of killed senders). */
  recoveryIntervalMs?: number;
  /** Resolves when the process is asked to stop (SIGTERM and friends). */
  stopSignal?: Promise<void>;
}

/**
 * How often an idle watcher looks at its inbox without being rung: a sender killed mid-delivery
 * rings nobody, and the look finishes its delivery. Each look costs ~0.65 ms of CPU (measured: an
 * idle watcher's 4.1-4.5 ms per minute became 6.7-7.2 ms with a look every 15 s), so once a minute.
 */
export const RECOVERY_LOOK_MS = 60_000;

export const EXIT_WAKE = 2;
export const EXIT_QUIET = 0;

/** Print mode (`claude -p`, the SDK): nobody is idle at a prompt, and Claude Code waits for us. */
export function isPrintMode(env: NodeJS.ProcessEnv): boolean {
  return (env.CLAUDE_CODE_ENTRYPOINT ?? '').startsWith('sdk') || env.CLAUDE_CODE_SESSION_ATTENDED === '0';
}

/** The events the watcher is installed for; any other input must never claim a message. */
const WATCH_EVENTS = new Set(['Stop', 'SessionStart']);

/**
 * Only a well-formed Stop or SessionStart input from Claude Code starts a watcher: an object whose
 * own `hook_event_name` is one of those strings. Empty input, `null`, an array, a name inherited
 * from Object.prototype (`constructor`), a JSON without a name: someone else is running us, and a
 * claim here would mark a session's messages shown that its model never sees.
 */
export function isWatchInput(input: unknown): input is HookInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return false;
  if (!Object.hasOwn(input, 'hook_event_name')) return false;
  const event = (input as { hook_event_name: unknown }).hook_event_name;
  return typeof event === 'string' && WATCH_EVENTS.has(event);
}

export async function watch(opts: WatchOptions): Promise<number> {
  const { store, input, env, selfPid } = opts;
  if (!isWatchInput(input)) return EXIT_QUIET;

  /**
   * Claim and hand over whatever is unread; true when something was delivered. The claim is
   * committed once the whole text is written: a watcher killed before then (Claude Code drops
   * the output of a watcher that did not exit 2) leaves its messages unread for the next one.
   */
  const deliver = async (code: string): Promise<boolean> => {
    const claimed = await store.beginClaim(code, MAX_PER_DELIVERY);
    if (claimed.length === 0) return false;
    // A wake starts a turn: the session is active now (else `who` says "active 37s ago" after it).
    await store.touch(code);
    let text = frameDelivery(claimed, code, toolPrefix(env));
    if (await store.hasUnread(code)) text += `\nMore messages are waiting: call ${toolPrefix(env)}peek.`;
    opts.writeStderr(`${text}\n`);
    return true;
  };

  if (isPrintMode(env)) {
    // Claude Code waits for this hook in print mode: never wait here. Deliver what is already
    // waiting once (a Stop that our own delivery caused does not deliver again), then return.
    if (input.hook_event_name !== 'Stop' || input.stop_hook_active) return EXIT_QUIET;
    const session = await findSession(store, env, selfPid);
    if (!session || !(await deliver(session.code))) return EXIT_QUIET;
    await store.commitClaim(session.code); // the last step before exit 2
    return EXIT_WAKE;
  }

  const claudePid = claudePidFromEnv(env) ?? (await findSession(store, env, selfPid))?.pid;
  if (claudePid === undefined) return EXIT_QUIET;
  const claudeStart = processStart(claudePid);
  if (claudeStart === undefined) return EXIT_QUIET;
  const selfStart = processStart(selfPid) ?? String(Date.now());

  return new Promise<number>((resolve) => {
    const cleanups: Array<() => void> = [];
    let done = false;
    let code: string | undefined;

    const finish = (exit: number): void => {
      if (done) return;
      done = true;
      for (const c of cleanups.splice(0)) c();
      if (!code) return resolve(exit);
      const sessionCode = code;
      // Resolve only once the lease is released and, for a wake, the claim committed: the
      // process exits right after. The commit is the last step before exit 2: killed any
      // earlier, nothing was delivered and the messages go back to unread. A commit that fails
      // leaves the claim to go back to unread, so it must not wake either.
      let final = exit;
      void (async () => {
        await store.releaseWatcherLease(sessionCode, selfPid);
        if (exit === EXIT_WAKE) {
          try {
            await store.commitClaim(sessionCode);
          } catch {
            final = EXIT_QUIET;
          }
        }
      })()
        .catch(() => undefined)
        .finally(() => resolve(final));
    };
    const onTimer = (ms: number, fn: () => void, repeat = false): void => {
      const t = repeat ? setInterval(fn, ms) : setTimeout(fn, ms);
      t.unref?.();
      cleanups.push(() => (repeat ? clearInterval(t) : clearTimeout(t)));
    };
    const claudeAlive = (): boolean => isSameProcessAlive(claudePid, claudeStart);

    opts.stopSignal?.then(() => finish(EXIT_QUIET));
    // Keep the event loop alive only through our watches and this timer.
    const keepAlive = setTimeout(() => finish(EXIT_QUIET), opts.selfTimeoutMs ?? WATCH_SELF_TIMEOUT_MS);
    cleanups.push(() => clearTimeout(keepAlive));
    onTimer(opts.livenessIntervalMs ?? 5_000, () => !claudeAlive() && finish(EXIT_QUIET), true);

    // A broken store ends the watcher quietly (exit 0: no wake, nothing claimed).
    const failed = (): void => finish(EXIT_QUIET);

    // Where the session's own `serve` posts into Claude Code's inbox socket, no watcher is needed:
    // leave at once (and stay out of the lease), for as long as that poster lives.
    const socketServes = async (sessionCode: string): Promise<boolean> => {
      const d = await store.deliveryPath(sessionCode);
      return d?.path === 'socket' && isSameProcessAlive(d.pid, d.pidStart);
    };

    const start = async (sessionCode: string): Promise<void> => {
      if (done || code !== undefined) return;
      if (await socketServes(sessionCode)) return finish(EXIT_QUIET);
      code = sessionCode;
      // Take over from any older watcher of this session; it is rung, sees the lease is not its
      // own any more, and leaves.
      await store.takeWatcherLease(sessionCode, { pid: selfPid, pidStart: selfStart, since: Date.now() });
      // Coalesced: rings that arrive while a look is under way ask for one more look after it.
      const check = coalesce(async () => {
        if (done) return;
        // Displaced by a newer watcher, stood down by a new prompt, or the session ended (its
        // removal takes the inbox and the lease with it): all read as "the lease is not mine".
        if ((await store.watcherLease(sessionCode))?.pid !== selfPid) return finish(EXIT_QUIET);
        if (await socketServes(sessionCode)) return finish(EXIT_QUIET);
        if (done) return;
        if (await deliver(sessionCode)) finish(EXIT_WAKE);
      }, failed);
      if (done) return;
      cleanups.push(store.subscribe(sessionCode, check));
      // A sender killed mid-delivery rings nobody: its message is finished by the next look at
      // the inbox, so look now and then (see RECOVERY_LOOK_MS).
      onTimer(opts.recoveryIntervalMs ?? RECOVERY_LOOK_MS, check, true);
      // Subscribe first, then look: a message that landed before the bell was hung is not missed.
      check();
    };

    // SessionStart can run before `serve` has registered the session: wait for it (bounded).
    // Only then: hanging a registration bell costs a FIFO, and the common case needs none.
    const waitForRegistration = (): void => {
      const tryFind = coalesce(async () => {
        if (done || code !== undefined) return;
        const s = await store.sessionByPid(claudePid);
        if (s) {
          stopWaiting();
          await start(s.code);
        } else if (!claudeAlive()) finish(EXIT_QUIET);
      }, failed);
      const stopWaiting = store.subscribeRegistration(claudePid, tryFind);
      cleanups.push(stopWaiting);
      onTimer(opts.registrationTimeoutMs ?? 120_000, () => code === undefined && finish(EXIT_QUIET));
      tryFind();
    };

    Promise.resolve(store.sessionByPid(claudePid)).then((existing) => {
      if (existing) return start(existing.code);
      waitForRegistration();
    }).catch(failed);
  });
}
