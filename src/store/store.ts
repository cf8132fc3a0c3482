import type { InboxEntry, Message, Presence } from '../core/types.js';
import type { CoordinationStore } from './coordination.js';

/**
 * The persistence boundary, written for more than one backend. The MCP server, the commands, the
 * hooks and the watcher speak only to these interfaces; `openStore` (src/store/index.ts) is the one
 * place that picks a backend.
 *
 * A result is `Awaitable`: the embedded file-system backend answers synchronously (so the hook's hot
 * path pays for no promise machinery it does not need), a networked backend answers with a promise.
 * Callers always `await`. Backend-specific code (paths and links, or keys and streams) stays in the
 * backend's own folder (`src/store/fs/`, ...).
 *
 * The contract every backend keeps (proved by the suite in test/contract/, run against each backend):
 * - a message becomes visible to a recipient whole or not at all, and is never half-written;
 * - `claim` moves a message from unread to shown for exactly one caller, however many race;
 * - a `beginClaim` whose process dies before `commitClaim` counts as not delivered;
 * - a sender that dies mid-`deliver` leaves the history and the inboxes in agreement (both have
 *   the message, or neither);
 * - presence records of dead sessions are never returned (and are pruned when read);
 * - coordination records (activity, reservations, status, warn-once marks; src/store/coordination.ts)
 *   exist only while their session's presence does: removed or pruned with it.
 *
 * The interface is the sum of small areas, one per kind of record, so that a new kind of record is a
 * new area (its own file, its own contract tests) rather than an edit across every backend's core.
 */
export type Awaitable<T> = T | Promise<T>;

/** Who is on the intercom. */
export interface PresenceStore {
  /** Where the store lives, for messages to people (a path, or a URL without its secret). */
  readonly location: string;

  /**
   * Register the session owned by `pid`; a live record for the same process keeps its code, and
   * `preferredCode` is taken when free (a server putting back its own record).
   */
  register(input: Omit<Presence, 'code' | 'lastActiveAt'>, preferredCode?: string): Awaitable<Presence>;
  /** Remove a session's presence (only if `serverPid` still owns it, when given). */
  unregister(code: string, serverPid?: number): Awaitable<void>;
  /** Mark the session active now. */
  touch(code: string): Awaitable<void>;
  /** Live sessions; dead ones are pruned as a side effect. */
  sessions(): Awaitable<Presence[]>;
  session(code: string): Awaitable<Presence | undefined>;
  sessionByPid(pid: number): Awaitable<Presence | undefined>;
}

/** Messages: delivery, the atomic claim, acknowledgement and the history. */
export interface MessageStore {
  /** Deliver one message to each recipient's inbox (codes), and record it in the history. */
  deliver(message: Message, recipients: readonly string[]): Awaitable<void>;
  /** Atomically take up to `limit` unread messages of `code`, oldest first (unread -> shown); each goes to one caller only. */
  claim(code: string, limit?: number): Awaitable<Message[]>;
  /**
   * The two-step claim of a hook or watcher, whose output reaches the model only if the process
   * finishes: take up to `limit` unread messages into a claim owned by the calling process (each
   * goes to one caller only), write them out, then `commitClaim`. A claim whose process dies before
   * committing goes back to unread (delivered again later, never twice into one context).
   */
  beginClaim(code: string, limit?: number): Awaitable<Message[]>;
  /** Mark everything the calling process claimed for `code` as shown (all or nothing). */
  commitClaim(code: string): Awaitable<void>;
  /** Unacknowledged messages of `code`, oldest first; at most `limit` of them (only those are read). */
  inbox(code: string, limit?: number): Awaitable<InboxEntry[]>;
  /** One unacknowledged message of `code` by id (read directly, whatever the inbox's size). */
  inboxEntry(code: string, id: string): Awaitable<InboxEntry | undefined>;
  /** How many unacknowledged messages `code` has, without reading them. */
  inboxSize(code: string): Awaitable<number>;
  /** Has `code` anything unread (not yet shown)? Cheap: used on the hook's hot path. */
  hasUnread(code: string): Awaitable<boolean>;
  /** Acknowledge one message; false when `code` has no such unacknowledged message. */
  ack(code: string, id: string): Awaitable<boolean>;
  /** Acknowledge everything `code` has; returns how many. */
  ackAll(code: string): Awaitable<number>;

  /** Recent traffic (bounded history), oldest first. */
  history(limit: number): Awaitable<Message[]>;
  /** One message from the history by id. */
  message(id: string): Awaitable<Message | undefined>;
}

/** Waking whoever waits: the watcher, `log --follow`. Callbacks, so each backend wakes its own way. */
export interface WakeStore {
  /** Call `onChange` when traffic may have been added to the history (for `log --follow`). */
  watchHistory(onChange: () => void): () => void;
  /**
   * Call `onChange` whenever anything about session `code` may have changed: a message delivered
   * to it, its watcher lease taken or released, its presence removed. Returns a stop function.
   * The watcher waits on this alone, so it must be cheap to hold and to wake.
   */
  subscribe(code: string, onChange: () => void): () => void;
  /** Call `onChange` when a session may have registered for the Claude Code process `pid`. */
  subscribeRegistration(pid: number, onChange: () => void): () => void;

  /** The watcher lease: one watcher per session. Taking it displaces the previous holder. */
  takeWatcherLease(code: string, lease: WatcherLease): Awaitable<void>;
  watcherLease(code: string): Awaitable<WatcherLease | undefined>;
  /** Drop the lease (all holders, or only `pid`'s). */
  releaseWatcherLease(code: string, pid?: number): Awaitable<void>;
}

export interface IntercomStore extends PresenceStore, MessageStore, WakeStore, CoordinationStore {}

export interface WatcherLease {
  pid: number;
  pidStart: string;
  since: number;
}
