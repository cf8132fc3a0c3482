import type { InboxEntry, Message, Presence } from '../core/types.js';

/**
 * The persistence boundary. The MCP server, the hooks and the watcher speak only to this
 * interface, so a networked backend can replace the embedded file-system one without touching them.
 *
 * Contract every backend keeps:
 * - a message becomes visible to a recipient whole or not at all;
 * - `claim` moves a message from unread to shown for exactly one caller, however many race;
 * - presence records of dead sessions are never returned (and are pruned when read).
 */
export interface IntercomStore {
  /** Where the store lives, for messages to people (a path, or a URL for a remote backend). */
  readonly location: string;

  /**
   * Register the session owned by `pid`; a live record for the same process keeps its code, and
   * `preferredCode` is taken when free (a server putting back its own record).
   */
  register(input: Omit<Presence, 'code' | 'lastActiveAt'>, preferredCode?: string): Presence;
  /** Remove a session's presence (only if `serverPid` still owns it, when given). */
  unregister(code: string, serverPid?: number): void;
  /** Mark the session active now. */
  touch(code: string): void;
  /** Live sessions; dead ones are pruned as a side effect. */
  sessions(): Presence[];
  session(code: string): Presence | undefined;
  sessionByPid(pid: number): Presence | undefined;

  /** Deliver one message to each recipient's inbox (codes), and record it in the history. */
  deliver(message: Message, recipients: readonly string[]): void;
  /** Atomically take up to `limit` unread messages of `code`, oldest first (unread -> shown); each goes to one caller only. */
  claim(code: string, limit?: number): Message[];
  /**
   * Give back messages this caller claimed but could not hand over (shown -> unread), and wake
   * whoever waits on `code`, so another path delivers them. Returns how many went back; one that
   * was acknowledged meanwhile stays gone.
   */
  unclaim(code: string, ids: readonly string[]): number;
  /** Unacknowledged messages of `code`, oldest first; at most `limit` of them (only those are read). */
  inbox(code: string, limit?: number): InboxEntry[];
  /** One unacknowledged message of `code` by id (read directly, whatever the inbox's size). */
  inboxEntry(code: string, id: string): InboxEntry | undefined;
  /** How many unacknowledged messages `code` has, without reading them. */
  inboxSize(code: string): number;
  /** Has `code` anything unread (not yet shown)? Cheap: used on the hook's hot path. */
  hasUnread(code: string): boolean;
  /** Acknowledge one message; false when `code` has no such unacknowledged message. */
  ack(code: string, id: string): boolean;
  /** Acknowledge everything `code` has; returns how many. */
  ackAll(code: string): number;

  /** Recent traffic (bounded history), oldest first. */
  history(limit: number): Message[];
  /** One message from the history by id. */
  message(id: string): Message | undefined;

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
  takeWatcherLease(code: string, lease: WatcherLease): void;
  watcherLease(code: string): WatcherLease | undefined;
  /** Drop the lease (all holders, or only `pid`'s). */
  releaseWatcherLease(code: string, pid?: number): void;

  /**
   * How messages reach session `code` (recorded by the process that delivers them, for the watcher
   * and `doctor`). Setting it wakes whoever waits on the session; it is removed with the session.
   */
  setDeliveryPath(code: string, record: DeliveryPathRecord): void;
  deliveryPath(code: string): DeliveryPathRecord | undefined;
}

export interface DeliveryPathRecord {
  /** `socket`: posted into Claude Code's inbox socket by `pid`; `hooks`: the hook and the watcher. */
  path: 'socket' | 'hooks';
  /** Why, in a few words a person can read (`doctor` shows it). */
  reason: string;
  /** The process that decided (and, on the socket path, posts); the path holds only while it lives. */
  pid: number;
  pidStart: string;
  since: number;
}

export interface WatcherLease {
  pid: number;
  pidStart: string;
  since: number;
}
