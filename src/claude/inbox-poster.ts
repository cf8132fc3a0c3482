import { frameForInbox } from '../core/framing.js';
import { toolPrefix } from './tool-names.js';
import type { Message } from '../core/types.js';
import type { IntercomStore } from '../store/store.js';
import { type PathDecision } from './delivery-path.js';
import { MAX_PER_DELIVERY } from './hook-handler.js';
import { inboxLine, postToInbox } from './inbox-socket.js';

/**
 * The socket path, run inside the session's own `serve`: a child of its Claude Code process that
 * lives as long as the session, so Claude Code treats its posts as its own child's, and no extra
 * process waits anywhere. It sleeps on the session's doorbell; when rung it claims unread messages
 * (the store's atomic claim: the hook and the watcher may race it, each message goes to one of
 * them) and posts them into Claude Code's inbox socket. A failed post gives the claim back and
 * switches the session to the hooks for good, so the watcher or the next hook delivers.
 */

/**
 * A posted line stays well inside a Unix socket's send buffer (~208 KiB by default on Linux), so
 * the write completes at once whether or not Claude Code reads yet: a post then either fails
 * before anything reached Claude Code (no socket, refused, backlog full) or succeeds whole, and
 * giving a failed post's messages back can never duplicate one.
 */
export const MAX_POST_BYTES = 96 * 1024;

/** Frame `messages` into as few posts as keep each under MAX_POST_BYTES (a message never splits). */
export function batchesForInbox(messages: readonly Message[], code: string, tools?: string): Array<{ text: string; ids: string[] }> {
  const out: Array<{ text: string; ids: string[] }> = [];
  let current: Message[] = [];
  const size = (ms: Message[]): number => Buffer.byteLength(inboxLine(frameForInbox(ms, code, tools)));
  for (const m of messages) {
    if (current.length > 0 && size([...current, m]) > MAX_POST_BYTES) {
      out.push({ text: frameForInbox(current, code, tools), ids: current.map((x) => x.id) });
      current = [];
    }
    current.push(m);
  }
  if (current.length > 0) out.push({ text: frameForInbox(current, code, tools), ids: current.map((x) => x.id) });
  return out;
}

export interface InboxPosterOptions {
  store: IntercomStore;
  code: () => string;
  socketPath: string;
  token?: string;
  /** Decided again before every delivery: settings may change while the session runs. */
  decide: () => PathDecision;
  /** This process (serve), recorded as the one that delivers. */
  selfPid: number;
  selfStart: string;
  now: () => number;
  onError: (what: string, err: unknown) => void;
  postTimeoutMs?: number;
}

export interface InboxPoster {
  /** Resolves when nothing is being posted any more (for tests and shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

export function startInboxPoster(opts: InboxPosterOptions): InboxPoster {
  const { store } = opts;
  let failed: PathDecision | undefined;
  let recorded: PathDecision | undefined;
  let running: Promise<void> = Promise.resolve();
  let pending = false;
  let stopped = false;

  const record = (d: PathDecision): void => {
    if (recorded && recorded.path === d.path && recorded.reason === d.reason) return;
    recorded = d;
    try {
      void Promise.resolve(store.setDeliveryPath(opts.code(), { ...d, pid: opts.selfPid, pidStart: opts.selfStart, since: opts.now() })).catch((err: unknown) =>
        opts.onError('recording the delivery path', err),
      );
    } catch (err) {
      opts.onError('recording the delivery path', err);
    }
  };
  const decide = (): PathDecision => failed ?? opts.decide();

  const pump = async (): Promise<void> => {
    while (pending && !stopped) {
      pending = false;
      const d = decide();
      record(d);
      if (d.path !== 'socket') return;
      const code = opts.code();
      for (;;) {
        const claimed = await store.claim(code, MAX_PER_DELIVERY);
        if (claimed.length === 0) break;
        // Plugin or not: the tool names this session's model knows (serve has the hooks' env).
        const batches = batchesForInbox(claimed, code, toolPrefix(process.env));
        for (let i = 0; i < batches.length; i++) {
          try {
            await postToInbox(opts.socketPath, batches[i]!.text, { token: opts.token, timeoutMs: opts.postTimeoutMs });
          } catch (err) {
            // Give back what was not posted first, then say why: the watcher and the hooks take over.
            await store.unclaim(
              code,
              batches.slice(i).flatMap((b) => b.ids),
            );
            failed = { path: 'hooks', reason: `posting to the inbox socket failed (${(err as { code?: string }).code ?? 'error'}); using the hooks` };
            record(failed);
            opts.onError('posting to the inbox socket', err);
            return;
          }
        }
      }
    }
  };
  const kick = (): void => {
    if (stopped) return;
    pending = true;
    running = running.then(pump).catch((err: unknown) => opts.onError('delivering through the inbox socket', err));
  };

  // Listen first, then record: a path recorded as `socket` must always have its poster listening.
  // (Recording rings the session's doorbell: a watcher already waiting sees it and leaves.)
  const unsubscribe = store.subscribe(opts.code(), kick);
  kick(); // the first decision, and messages that were waiting before we listened
  return {
    idle: () => running,
    stop: () => {
      stopped = true;
      unsubscribe();
    },
  };
}
