import { userInfo } from 'node:os';
import { IntercomError } from '../../core/errors.js';
import type { InboxEntry, Message, Presence } from '../../core/types.js';
import type { FileActivity, FileKey, Reservation, SessionStatus } from '../coordination.js';
import type { IntercomStore, WatcherLease } from '../store.js';
import type { RedisStore } from './redis-store.js';
import { RedisConnectionError, RedisReplyError } from './resp.js';

/** The team engine could not be used; nothing was sent through it. */
export class EngineUnavailableError extends IntercomError {}

/** A message reached some of its recipients and not others (the error says which). */
export class PartialDeliveryError extends IntercomError {}

/**
 * What a session's `serve` and the people's commands see when a team engine is configured: this
 * machine's store for everything about its own sessions (inboxes, claims, acks, wake-ups: the
 * hook and the watcher read them locally, as without a team), and the engine for the sessions of
 * other machines. A session's relay (relay.ts) moves what arrives for it from the engine into the
 * local inbox, so reading never waits on the network.
 *
 * With the engine down, local sessions keep talking: `who` lists the local ones, a broadcast reaches
 * them, and a message to a session on another machine fails with a clear error (never a silent loss).
 */
export class TeamStore implements IntercomStore {
  readonly location: string;
  private readonly user: string;

  constructor(
    readonly local: IntercomStore,
    readonly remote: RedisStore,
  ) {
    this.location = `${local.location} (team engine ${remote.location}, machine ${remote.machine})`;
    this.user = currentUser();
  }

  get machine(): string {
    return this.remote.machine;
  }

  close(): void {
    this.remote.close();
  }

  /** A remote call whose failure is an error for people: which engine, what to do; never the password. */
  private async viaEngine<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw engineError(what, this.remote.location, err);
    }
  }

  // ---- presence: this machine's sessions are local; the relay publishes them ------------------

  register(input: Omit<Presence, 'code' | 'lastActiveAt'>, preferredCode?: string) {
    return this.local.register(input, preferredCode);
  }
  unregister(code: string, serverPid?: number) {
    return this.local.unregister(code, serverPid);
  }
  touch(code: string) {
    return this.local.touch(code);
  }
  sessionByPid(pid: number) {
    return this.local.sessionByPid(pid);
  }

  /** This machine's sessions, then other machines' (when the engine answers). */
  async sessions(): Promise<Presence[]> {
    const mine = await this.local.sessions();
    let theirs: Presence[] = [];
    try {
      theirs = await this.remote.sessions();
    } catch {
      // Engine unreachable: only what this machine knows for sure.
    }
    const codes = new Set(mine.map((s) => s.code));
    // This machine's own records in the engine are its relays' copies: the local store is the truth.
    return [...mine, ...theirs.filter((s) => !codes.has(s.code) && s.machine !== this.machine)];
  }

  async session(code: string): Promise<Presence | undefined> {
    const mine = await this.local.session(code);
    if (mine) return mine;
    const theirs = await this.viaEngine(`look up session ${code} on other machines`, () => this.remote.session(code));
    return theirs && theirs.machine !== this.machine ? theirs : undefined;
  }

  // ---- messages ------------------------------------------------------------------------------

  /**
   * Local recipients get the message from the local store; the others through the engine, first:
   * if the engine fails, nothing was delivered anywhere and the caller says so.
   */
  async deliver(message: Message, recipients: readonly string[]): Promise<void> {
    const here: string[] = [];
    const there: string[] = [];
    for (const code of recipients) ((await this.local.session(code)) ? here : there).push(code);
    let missed: string[] = [];
    if (there.length > 0) {
      const stamped: Message = { ...message, fromMachine: this.machine, fromUser: this.user };
      missed = (await this.viaEngine(`send ${message.id} to ${there.join(', ')}`, () => this.remote.deliverReport(stamped, there))).missed;
    }
    await this.local.deliver(message, here);
    if (recipients.length === 0) {
      // To a person (a reply to `human:...`): people read the history (`log`), and that person may
      // be on another machine, so it goes into the team's history too. It is in this machine's
      // history already, so an engine that is down loses nothing here.
      const stamped: Message = { ...message, fromMachine: this.machine, fromUser: this.user };
      await this.remote.deliver(stamped, []).catch(() => undefined);
    }
    if (missed.length > 0) {
      // Never claim more than happened: say who did not get it.
      const reached = recipients.filter((c) => !missed.includes(c));
      throw new PartialDeliveryError(
        `Message ${message.id} ${reached.length > 0 ? `reached ${reached.join(', ')} but not` : 'did not reach'} ${missed.join(', ')}: ${missed.length === 1 ? 'that session' : 'those sessions'} on another machine stopped answering just now.`,
        'Run `who` to see who is live, and send again if it matters.',
      );
    }
  }

  claim(code: string, limit?: number) {
    return this.local.claim(code, limit);
  }
  // The two-step claim of hooks and watchers is the local store's: they only ever read it.
  beginClaim(code: string, limit?: number) {
    return this.local.beginClaim(code, limit);
  }
  commitClaim(code: string) {
    return this.local.commitClaim(code);
  }
  inbox(code: string, limit?: number) {
    return this.local.inbox(code, limit);
  }
  inboxEntry(code: string, id: string): Promise<InboxEntry | undefined> | InboxEntry | undefined {
    return this.local.inboxEntry(code, id);
  }
  inboxSize(code: string) {
    return this.local.inboxSize(code);
  }
  hasUnread(code: string) {
    return this.local.hasUnread(code);
  }
  ack(code: string, id: string) {
    return this.local.ack(code, id);
  }
  ackAll(code: string) {
    return this.local.ackAll(code);
  }

  /** This machine's history and the team's, merged by id (the engine's part when it answers). */
  async history(limit: number): Promise<Message[]> {
    const mine = await this.local.history(limit);
    let theirs: Message[] = [];
    try {
      theirs = await this.remote.history(limit);
    } catch {
      /* engine unreachable: this machine's part */
    }
    const byId = new Map<string, Message>();
    for (const m of [...theirs, ...mine]) byId.set(m.id, m);
    return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(-limit);
  }

  async message(id: string): Promise<Message | undefined> {
    const mine = await this.local.message(id);
    if (mine) return mine;
    try {
      return await this.remote.message(id);
    } catch {
      return undefined;
    }
  }

  // ---- waking: local, where the relay puts what arrives ------------------------------------------

  watchHistory(onChange: () => void): () => void {
    const stops = [this.local.watchHistory(onChange), this.remote.watchHistory(onChange)];
    return () => stops.forEach((s) => s());
  }
  subscribe(code: string, onChange: () => void): () => void {
    return this.local.subscribe(code, onChange);
  }
  subscribeRegistration(pid: number, onChange: () => void): () => void {
    return this.local.subscribeRegistration(pid, onChange);
  }
  takeWatcherLease(code: string, lease: WatcherLease) {
    return this.local.takeWatcherLease(code, lease);
  }
  watcherLease(code: string) {
    return this.local.watcherLease(code);
  }
  releaseWatcherLease(code: string, pid?: number) {
    return this.local.releaseWatcherLease(code, pid);
  }

  // ---- coordination: this machine's for now (see the README: not yet carried across machines) ----

  recordActivity(code: string, activity: FileActivity) {
    return this.local.recordActivity(code, activity);
  }
  coordination(now: number) {
    return this.local.coordination(now);
  }
  coordinationFor(file: FileKey, now: number) {
    return this.local.coordinationFor(file, now);
  }
  setStatus(code: string, status: SessionStatus | undefined) {
    return this.local.setStatus(code, status);
  }
  setReservations(code: string, reservations: readonly Reservation[]) {
    return this.local.setReservations(code, reservations);
  }
  firstWarning(code: string, key: string, now: number, windowMs: number) {
    return this.local.firstWarning(code, key, now, windowMs);
  }
}

/** An engine failure, said for people: what failed, where, why, and what to do. */
export function engineError(what: string, location: string, err: unknown): IntercomError {
  if (err instanceof IntercomError) return err;
  if (err instanceof RedisReplyError) {
    if (err.kind === 'WRONGPASS') {
      return new EngineUnavailableError(`Could not ${what}: the team engine ${location} refused the user name or password.`, 'Check the URL with `claude-intercom install --backend <url>` (or CLAUDE_INTERCOM_URL).');
    }
    if (err.kind === 'NOPERM') {
      return new EngineUnavailableError(`Could not ${what}: the team engine ${location} does not let this user use these keys (${err.kind}).`, "The key prefix must be the one the team's ACL allows (?prefix=<team> in the URL).");
    }
    return new EngineUnavailableError(`Could not ${what}: the team engine ${location} answered with an error (${err.kind}).`);
  }
  const why = err instanceof RedisConnectionError ? err.message : err instanceof Error ? err.message : String(err);
  return new EngineUnavailableError(
    `Could not ${what}: the team engine ${location} is unreachable (${why}).`,
    'Sessions on this machine still reach each other. Try again when the engine is back: connections come back by themselves.',
  );
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'user';
  }
}
