import {
  type Dir,
  type FSWatcher,
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  lutimesSync,
  openSync,
  opendirSync,
  readFileSync,
  readSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  watch,
} from 'node:fs';
import { join } from 'node:path';
import { StoreFullError } from '../../core/errors.js';
import { randomBase36 } from '../../core/ids.js';
import type { InboxEntry, Message, Presence } from '../../core/types.js';
import { CODE_RE, MESSAGE_ID_RE } from '../../core/validate.js';
import { isSameProcessAlive } from '../../os/proc.js';
import { listen, ring, ringAndRemove } from './doorbell.js';
import { FsCoordination } from './fs-coordination.js';
import { checkPrivateDir, chmodPrivate, ensureDir, errnoCode, isNoSpace, listDir, quietly, storeDir, uniqueSuffix, writeFileAtomic, writeTempFile } from './fs-util.js';
import { isOwner, newClaimToken, ownerAlive, selfOwner } from './owner.js';
import type { DeliveryPathRecord, IntercomStore, WatcherLease } from '../store.js';
import type { FileActivity, FileKey, Reservation, SessionCoordination, SessionStatus } from '../coordination.js';

/**
 * The embedded backend: a directory tree, maildir-style.
 *
 *   sessions/<code>.json        presence record (mtime = last activity)
 *   pids/<pid>                  symlink -> <code>: the session of a Claude Code process, in one readlink
 *   inbox/<code>/new/<id>.json  unread                \  hard links to one immutable message file;
 *   inbox/<code>/shown/<id>.json in the model's context } a rename between them is the atomic claim,
 *   log/<id>.json               bounded history        /  an unlink the acknowledgement
 *   inbox/<code>/incoming/<id>.<owner>    a delivery in progress (staged, not yet visible)
 *   inbox/<code>/claims/<id>.<token>      claimed by claim <token> (<owner>-<n>), being written out
 *   inbox/<code>/claims/<token>.claiming  the claim is open; renamed to <token>.shown: committed
 *   inbox/<code>/watcher.json   the watcher lease
 *   bells/s-<code>/*.fifo       doorbells of whoever waits on a session (its watcher)
 *   bells/p-<pid>/*.fifo        doorbells of whoever waits for a Claude Code process to register
 *   inbox/<code>/delivery.json  how messages reach the session (inbox socket or hooks), and who decided
 *   coord/, files/, reservations/  coordination: activity, its per-file index, reservations, status (fs-coordination.ts)
 *   tmp/                        whole files are written here, then linked into place
 *
 * A message is written once to tmp/ and hard-linked into every inbox and the log: readers can only
 * ever see a complete file, a broadcast costs one write, and nothing is copied.
 *
 * Crashes: every two-step operation names its owner process (pid and start time, see owner.ts), and
 * whoever finds the half-done step of a dead owner completes or undoes it ("recovery"):
 * - deliver stages a link in each recipient's incoming/, then links the log (the commit point),
 *   then renames each staged link into new/. A dead sender's staged links are rolled forward when
 *   the log has the message, rolled back when it has not: the history and the inboxes agree.
 * - beginClaim opens a claim (a marker file) and moves unread messages under it into claims/; the
 *   owner writes them out, then commitClaim renames the marker (one rename: all or nothing); the
 *   next look moves committed messages on to shown/. A claim whose owner died before committing
 *   goes back to new/: its output was not usable yet (see hook-handler.ts and watcher.ts).
 *
 * No folder of the store is ever followed through a symbolic link (see storeDir).
 */

const HISTORY_LIMIT = 2000;
/** The history's bytes are bounded too: messages go up to 16 KiB each. */
const HISTORY_MAX_BYTES = 16 * 1024 * 1024;
const TMP_MAX_AGE_MS = 60_000;
/** When a write fails for lack of space: leftovers older than this are surely not being written. */
const TMP_MAX_AGE_WHEN_FULL_MS = 10_000;
/** ...and at least this much of the history (only messages nobody still holds) is dropped. */
const MIN_ROOM_WHEN_FULL = 256 * 1024;

export interface FsStoreOptions {
  /** Keep at most this many messages in the history (`log`). */
  historyLimit?: number;
  /** Keep at most this many bytes of messages in the history. */
  historyMaxBytes?: number;
}

export interface StoreUsage {
  /** Messages in the history, and their bytes. */
  history: number;
  historyBytes: number;
  /** Messages some inbox has not acknowledged (unread, shown, or being shown). */
  unacknowledged: number;
  /** Deliveries and claims in progress (or left by a killed process, until the next look). */
  inFlight: number;
  /** Files in tmp/ (being written, or left by a killed writer). */
  leftovers: number;
  /** All message bytes on disk, each file counted once. */
  bytes: number;
  historyLimit: number;
  historyMaxBytes: number;
}

export class FsStore implements IntercomStore {
  readonly location: string;
  private readonly historyLimit: number;
  private readonly historyMaxBytes: number;
  /** The claim this process has open per session (beginClaim -> commitClaim). */
  private readonly openClaims = new Map<string, string>();
  private readonly coord: FsCoordination;

  constructor(
    readonly home: string,
    options: FsStoreOptions = {},
  ) {
    this.location = home;
    this.historyLimit = options.historyLimit ?? HISTORY_LIMIT;
    this.historyMaxBytes = options.historyMaxBytes ?? HISTORY_MAX_BYTES;
    this.coord = new FsCoordination(home, {
      sessions: () => this.sessions(),
      session: (code) => this.session(code),
      record: (code) => this.readPresence(code),
      tmpDir: () => this.tmpDir(),
    });
  }

  /** Open (creating if needed) and check a store; throws UnsafeStateError on unsafe permissions. */
  static open(home: string, options?: FsStoreOptions): FsStore {
    try {
      // One stat on the hook's path: the check itself.
      checkPrivateDir(home);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      ensureDir(home);
      chmodPrivate(home);
      checkPrivateDir(home);
    }
    return new FsStore(home, options);
  }

  // ---- paths ---------------------------------------------------------------------------------

  private p(...parts: string[]): string {
    return join(this.home, ...parts);
  }
  /** A folder of the store, every component checked not to be a link (made when `create`). */
  private dir(parts: readonly string[], create = false): string {
    return storeDir(this.home, parts, create ? 0 : Infinity);
  }
  private sessionFile(code: string): string {
    return join(this.dir(['sessions']), `${code}.json`);
  }
  /** One of a session's inbox folders; never re-creates the inbox of a session that was removed. */
  private inboxDir(code: string, box: 'new' | 'shown' | 'incoming' | 'claims', create = false): string {
    return storeDir(this.home, ['inbox', code, box], create ? 2 : Infinity);
  }
  private tmpDir(): string {
    return this.dir(['tmp'], true);
  }

  // ---- presence ------------------------------------------------------------------------------

  register(input: Omit<Presence, 'code' | 'lastActiveAt'>, preferredCode?: string): Presence {
    this.dir(['sessions'], true);
    this.dir(['pids'], true);
    this.collectTmp();
    // What crashed processes left half done in any inbox is finished or undone now.
    this.recoverAll();
    const existing = this.sessionByPid(input.pid);
    if (existing && existing.pidStart === input.pidStart) {
      // Same Claude Code process (e.g. its MCP server restarted): the session keeps its code.
      const record: Presence = { ...existing, ...input, code: existing.code, startedAt: existing.startedAt };
      this.withRoom(() => writeFileAtomic(this.sessionFile(record.code), serializePresence(record), this.tmpDir()));
      this.ensureInbox(record.code);
      this.ringAndClear(this.bellDir('p', input.pid));
      return { ...record, lastActiveAt: Date.now() };
    }
    for (let attempt = 0; attempt < 64; attempt++) {
      const code = attempt === 0 && preferredCode && CODE_RE.test(preferredCode) ? preferredCode : randomBase36(4);
      const record: Presence = { ...input, code, lastActiveAt: input.startedAt };
      if (this.withRoom(() => this.createExclusive(this.sessionFile(code), serializePresence(record)))) {
        // A new session under this code starts with no coordination records of an older one.
        this.coord.clear(code);
        this.ensureInbox(code);
        this.linkPid(input.pid, code);
        this.ringAndClear(this.bellDir('p', input.pid));
        return record;
      }
      // Taken: by a live session, or by a dead one that a read will prune.
      this.session(code);
    }
    throw new Error('Could not find a free session code after 64 tries.');
  }

  private ensureInbox(code: string): void {
    for (const box of ['new', 'shown', 'incoming', 'claims'] as const) storeDir(this.home, ['inbox', code, box], 0);
  }

  /** Create `path` with `data` only if it does not exist, never visible half-written. */
  private createExclusive(path: string, data: string): boolean {
    const tmp = writeTempFile(this.tmpDir(), `${uniqueSuffix()}.presence`, Buffer.from(data));
    try {
      linkSync(tmp, path);
      return true;
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') return false;
      throw err;
    } finally {
      unlinkSync(tmp);
    }
  }

  private linkPid(pid: number, code: string): void {
    const dir = this.dir(['pids']);
    const link = join(dir, String(pid));
    const tmp = join(dir, `.${uniqueSuffix()}`);
    symlinkSync(code, tmp);
    renameSync(tmp, link);
  }

  unregister(code: string, serverPid?: number): void {
    const record = this.readPresence(code);
    if (!record) return;
    if (serverPid !== undefined && record.serverPid !== serverPid) return;
    this.remove(record);
  }

  private remove(record: Presence): void {
    quietly(() => unlinkSync(this.sessionFile(record.code)));
    try {
      const link = join(this.dir(['pids']), String(record.pid));
      if (readlinkSync(link) === record.code) unlinkSync(link);
    } catch {
      /* already gone */
    }
    // The inbox itself may be removed whatever it is (rm removes a link, not its target); the
    // folder above it must be ours.
    rmSync(join(this.dir(['inbox']), record.code), { recursive: true, force: true });
    this.coord.clear(record.code);
    // Whoever waits on the session learns it is gone.
    this.ringAndClear(this.bellDir('s', record.code));
  }

  private bellDir(kind: 's' | 'p', id: string | number): string {
    return storeDir(this.home, ['bells', `${kind}-${id}`]);
  }

  private ringAndClear(dir: string): void {
    // A planted link instead of the bell folder is neither rung through nor emptied.
    if (lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink()) return;
    ringAndRemove(dir);
  }

  touch(code: string): void {
    const now = new Date();
    // lutimes: a link planted in place of the record gets its own time changed, not its target's.
    quietly(() => lutimesSync(this.sessionFile(code), now, now));
  }

  private readPresence(code: string): Presence | undefined {
    if (!CODE_RE.test(code)) return undefined;
    const file = this.sessionFile(code);
    try {
      const raw = readFileSync(file, 'utf8');
      const mtime = statSync(file).mtimeMs;
      const rec = JSON.parse(raw) as Presence;
      return { ...rec, code, lastActiveAt: Math.round(mtime) };
    } catch {
      return undefined;
    }
  }

  /** A live record, or undefined (pruning it if its process is gone). */
  session(code: string): Presence | undefined {
    const rec = this.readPresence(code);
    if (!rec) return undefined;
    if (isSameProcessAlive(rec.pid, rec.pidStart)) return rec;
    this.remove(rec);
    return undefined;
  }

  sessionByPid(pid: number): Presence | undefined {
    let code: string;
    try {
      code = readlinkSync(this.p('pids', String(pid)));
    } catch {
      return undefined;
    }
    const rec = this.session(code);
    return rec && rec.pid === pid ? rec : undefined;
  }

  sessions(): Presence[] {
    const out: Presence[] = [];
    for (const name of listDir(this.dir(['sessions']))) {
      if (!name.endsWith('.json')) continue;
      const rec = this.session(name.slice(0, -5));
      if (rec) out.push(rec);
    }
    // Pid links of processes without a record (a crash between the two writes) are dropped too.
    return out.sort((a, b) => a.startedAt - b.startedAt || a.code.localeCompare(b.code));
  }

  // ---- messages ------------------------------------------------------------------------------

  deliver(message: Message, recipients: readonly string[]): void {
    const data = Buffer.from(JSON.stringify(message));
    const delivered = this.withRoom(() => this.deliverOnce(message, data, recipients), 'the message was not sent');
    // Ring only once every copy is in place: watchers woken early would take the CPU that the
    // rest of a broadcast needs (on two cores, 50 of them did).
    for (const code of delivered) this.ringSession(code);
    // Keep the history bounded without paying for a directory listing on every send.
    if (Math.random() < 0.02) this.trimHistory();
  }

  /** Stage, commit (the log link), publish; on a failure before the commit nothing is left. */
  private deliverOnce(message: Message, data: Buffer, recipients: readonly string[]): string[] {
    const name = `${message.id}.json`;
    const logDir = this.dir(['log'], true);
    const tmp = writeTempFile(this.tmpDir(), `${message.id}.${uniqueSuffix()}.msg`, data);
    const staged: Array<[code: string, path: string, newDir: string]> = [];
    try {
      for (const code of recipients) {
        try {
          // Both folders are checked before the commit: a refused inbox fails the send whole.
          const newDir = this.inboxDir(code, 'new');
          const path = join(this.inboxDir(code, 'incoming', true), `${message.id}.${selfOwner()}`);
          linkSync(tmp, path);
          staged.push([code, path, newDir]);
        } catch (err) {
          // The recipient's inbox vanished: it died after we checked. Its record is gone with it.
          if (errnoCode(err) !== 'ENOENT') throw err;
        }
      }
      try {
        linkSync(tmp, join(logDir, name));
      } catch (err) {
        // Already in the history: the same message brought to a second session of this machine
        // (a team engine's relays deliver a broadcast one recipient at a time).
        if (errnoCode(err) !== 'EEXIST') throw err;
      }
    } catch (err) {
      for (const [, path] of staged) quietly(() => unlinkSync(path));
      throw err;
    } finally {
      quietly(() => unlinkSync(tmp));
    }
    const delivered: string[] = [];
    for (const [code, path, newDir] of staged) {
      try {
        renameSync(path, join(newDir, name));
        delivered.push(code);
      } catch {
        // The session ended meanwhile (its inbox is gone), or its inbox was tampered with: a
        // staged entry that is left is finished by recovery once this process is gone.
      }
    }
    return delivered;
  }

  private ringSession(code: string): void {
    try {
      ring(this.bellDir('s', code));
    } catch {
      /* the bells folder is refused (a planted link): nobody is rung through it */
    }
  }

  /**
   * Run `fn`; when it fails for lack of space, make room (what the store can drop without losing a
   * message) and try once more. A second failure is reported with what to do.
   */
  private withRoom<T>(fn: () => T, consequence = 'nothing was changed'): T {
    try {
      return fn();
    } catch (err) {
      if (!isNoSpace(err) && !(err instanceof StoreFullError)) throw err;
      this.makeRoom();
      try {
        return fn();
      } catch (again) {
        if (again instanceof StoreFullError) throw new StoreFullError(again.path, again.wanted, again.written, again.reason, consequence);
        if (isNoSpace(again)) throw new StoreFullError(this.home, 0, 0, again, consequence);
        throw again;
      }
    }
  }

  /**
   * Free space that holds nothing anyone still needs: leftovers of dead writers in tmp/, and the
   * oldest history entries whose message no inbox holds any more (the log's link is its last one,
   * so unlinking it frees the bytes; dropping one still in an inbox would free nothing).
   */
  makeRoom(minBytes = MIN_ROOM_WHEN_FULL): number {
    quietly(() => this.collectTmp(TMP_MAX_AGE_WHEN_FULL_MS));
    let freed = 0;
    const logDir = this.dir(['log']);
    for (const name of listDir(logDir).filter(isMessageFile).sort()) {
      if (freed >= minBytes) break;
      try {
        const st = lstatSync(join(logDir, name));
        if (st.nlink > 1) continue;
        unlinkSync(join(logDir, name));
        freed += st.size;
      } catch {
        /* raced */
      }
    }
    return freed;
  }

  /** Keep the history within its count and its bytes, oldest out first. */
  trimHistory(): number {
    const logDir = this.dir(['log']);
    const names = listDir(logDir).filter(isMessageFile).sort();
    const sizes = names.map((n) => lstatSync(join(logDir, n), { throwIfNoEntry: false })?.size ?? 0);
    let bytes = sizes.reduce((a, b) => a + b, 0);
    let count = names.length;
    let removed = 0;
    for (let i = 0; i < names.length && (count > this.historyLimit || bytes > this.historyMaxBytes); i++) {
      quietly(() => unlinkSync(join(logDir, names[i]!)));
      count--;
      bytes -= sizes[i]!;
      removed++;
    }
    return removed;
  }

  /** Claim and show at once: for a caller whose result is seen as soon as it returns (peek). */
  claim(code: string, limit = Infinity): Message[] {
    if (!CODE_RE.test(code)) return [];
    this.recoverInbox(code);
    const from = this.inboxDir(code, 'new');
    const to = this.inboxDir(code, 'shown');
    const out: Message[] = [];
    for (const name of listDir(from).filter(isMessageFile).sort()) {
      if (out.length >= limit) break;
      try {
        renameSync(join(from, name), join(to, name));
      } catch {
        continue; // someone else claimed it first (or it was acknowledged)
      }
      const m = readMessage(join(to, name));
      if (m) out.push(m);
    }
    return out;
  }

  /**
   * Give back what a one-step `claim` took but could not hand over (shown -> unread), and ring the
   * session so another path delivers it. One acknowledged meanwhile stays gone.
   */
  unclaim(code: string, ids: readonly string[]): number {
    if (!CODE_RE.test(code)) return 0;
    const shown = this.inboxDir(code, 'shown');
    const unread = this.inboxDir(code, 'new');
    let n = 0;
    for (const id of ids) {
      if (!MESSAGE_ID_RE.test(id)) continue;
      try {
        renameSync(join(shown, `${id}.json`), join(unread, `${id}.json`));
        n++;
      } catch {
        /* acknowledged meanwhile (or never claimed): nothing to give back */
      }
    }
    if (n > 0) this.ringSession(code);
    return n;
  }

  beginClaim(code: string, limit = Infinity): Message[] {
    if (!CODE_RE.test(code)) return [];
    this.recoverInbox(code);
    const from = this.inboxDir(code, 'new');
    const names = listDir(from).filter(isMessageFile).sort();
    if (names.length === 0) return [];
    const token = newClaimToken();
    let claims: string;
    try {
      claims = this.inboxDir(code, 'claims', true);
      // The marker that the claim is open; committing renames it (see commitClaim).
      closeSync(openSync(join(claims, `${token}${CLAIMING}`), 'wx', 0o600));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return []; // the session ended meanwhile
      throw err;
    }
    this.openClaims.set(code, token);
    const out: Message[] = [];
    for (const name of names) {
      if (out.length >= limit) break;
      const entry = join(claims, `${name.slice(0, 17)}.${token}`);
      try {
        renameSync(join(from, name), entry);
      } catch {
        continue; // someone else claimed it first (or it was acknowledged)
      }
      const m = readMessage(entry);
      if (m) out.push(m);
    }
    if (out.length === 0) {
      quietly(() => unlinkSync(join(claims, `${token}${CLAIMING}`)));
      this.openClaims.delete(code);
    }
    return out;
  }

  commitClaim(code: string): void {
    if (!CODE_RE.test(code)) return;
    const token = this.openClaims.get(code);
    if (token === undefined) return; // nothing in flight
    const claims = this.inboxDir(code, 'claims');
    // The commit: one rename of the claim's marker, so a kill leaves all of it shown or none. It
    // is the last step before the output counts; moving the messages on to shown/ is left to the
    // next look at the inbox (they count as shown where they are).
    renameSync(join(claims, `${token}${CLAIMING}`), join(claims, `${token}${COMMITTED}`));
    this.openClaims.delete(code);
  }

  /**
   * Finish or undo what dead processes left half done in `code`'s inbox: staged deliveries (forward
   * when the history has the message, back when it has not), claims never committed (back to
   * unread: their output was never complete), committed claims (on to shown). Cheap when there is
   * nothing: two listings of empty folders, on the hook's path. Never removes a folder (an rmdir
   * costs milliseconds on ext4).
   */
  recoverInbox(code: string): number {
    let back = 0;
    try {
      const incoming = this.inboxDir(code, 'incoming');
      const newDir = this.inboxDir(code, 'new');
      for (const name of listDir(incoming)) {
        const dot = name.indexOf('.');
        const id = name.slice(0, dot);
        const owner = name.slice(dot + 1);
        if (dot !== 17 || !MESSAGE_ID_RE.test(id) || !isOwner(owner) || ownerAlive(owner)) continue;
        const committed = lstatSync(this.p('log', `${id}.json`), { throwIfNoEntry: false }) !== undefined;
        try {
          if (committed) {
            renameSync(join(incoming, name), join(newDir, `${id}.json`));
            back++;
          } else unlinkSync(join(incoming, name));
        } catch {
          /* another process recovered it first */
        }
      }
      const claims = this.inboxDir(code, 'claims');
      const names = listDir(claims);
      if (names.length === 0) return 0;
      const shownDir = this.inboxDir(code, 'shown');
      const markers = names.filter((n) => n.endsWith(CLAIMING) || n.endsWith(COMMITTED));
      const listedCommitted = new Set(markers.filter((n) => n.endsWith(COMMITTED)).map((n) => n.slice(0, -COMMITTED.length)));
      // Per claim, not per message: all of a claim's messages share its token.
      const verdicts = new Map<string, 'committed' | 'open' | 'dead'>();
      const verdict = (token: string): 'committed' | 'open' | 'dead' => {
        let v = verdicts.get(token);
        if (v) return v;
        // A commit is final, so a marker seen in the listing settles it. Otherwise liveness first,
        // then the marker: an owner may commit and exit between the two looks, and only a dead
        // owner's marker is final.
        if (listedCommitted.has(token)) v = 'committed';
        else {
          const alive = ownerAlive(token);
          const committed = lstatSync(join(claims, `${token}${COMMITTED}`), { throwIfNoEntry: false }) !== undefined;
          v = committed ? 'committed' : alive ? 'open' : 'dead';
        }
        verdicts.set(token, v);
        return v;
      };
      for (const name of names) {
        const entry = parseClaimEntry(name);
        if (!entry) continue;
        const v = verdict(entry.token);
        try {
          if (v === 'committed') renameSync(join(claims, name), join(shownDir, `${entry.id}.json`));
          else if (v === 'dead') {
            renameSync(join(claims, name), join(newDir, `${entry.id}.json`));
            back++;
          }
        } catch {
          /* moved by someone else meanwhile, or acknowledged */
        }
      }
      // The markers of claims dealt with above: committed (moved on to shown/) or of a dead owner
      // (moved back). A live owner's open claim keeps its marker.
      for (const marker of markers) {
        const committed = marker.endsWith(COMMITTED);
        if (committed || !ownerAlive(marker.slice(0, -CLAIMING.length))) quietly(() => unlinkSync(join(claims, marker)));
      }
    } catch (err) {
      // A vanished inbox has nothing to recover; a refused one (a planted link) is reported.
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    if (back > 0) this.ringSession(code);
    return back;
  }

  /** Recovery across every inbox (when a session registers). */
  recoverAll(): number {
    let n = 0;
    for (const code of listDir(this.dir(['inbox']))) if (CODE_RE.test(code)) n += this.recoverInbox(code);
    return n;
  }

  inbox(code: string, limit = Infinity): InboxEntry[] {
    // Names first (a file name starts with its id, so they sort the same), then read only the page.
    const out: InboxEntry[] = [];
    for (const f of this.inboxFiles(code)) {
      if (out.length >= limit) break;
      const m = readMessage(f.path);
      if (m) out.push({ ...m, state: f.state });
    }
    return out;
  }

  inboxEntry(code: string, id: string): InboxEntry | undefined {
    if (!CODE_RE.test(code) || !MESSAGE_ID_RE.test(id)) return undefined;
    for (const [dir, state] of [[this.inboxDir(code, 'new'), 'unread'], [this.inboxDir(code, 'shown'), 'shown']] as const) {
      const m = readMessage(join(dir, `${id}.json`));
      if (m) return { ...m, state };
    }
    const inFlight = this.claimFiles(code).find((f) => f.id === id);
    const m = inFlight && readMessage(inFlight.path);
    return m ? { ...m, state: 'shown' } : undefined;
  }

  inboxSize(code: string): number {
    return this.inboxFiles(code).length;
  }

  /** The messages of claims in flight or committed (shown: a live owner is showing them now). */
  private claimFiles(code: string): InboxFile[] {
    const claims = this.inboxDir(code, 'claims');
    const out: InboxFile[] = [];
    for (const name of listDir(claims)) {
      const entry = parseClaimEntry(name);
      if (entry) out.push({ id: entry.id, path: join(claims, name), state: 'shown' });
    }
    return out;
  }

  /**
   * Every unacknowledged message of `code`, oldest first: new/ (unread), shown/, and the claims.
   * A refused folder (a planted link) throws: the caller reports it rather than seeing nothing.
   */
  private inboxFiles(code: string): InboxFile[] {
    if (!CODE_RE.test(code)) return [];
    this.recoverInbox(code);
    const out: InboxFile[] = [];
    for (const [dir, state] of [[this.inboxDir(code, 'new'), 'unread'], [this.inboxDir(code, 'shown'), 'shown']] as const) {
      for (const name of listDir(dir)) if (isMessageFile(name)) out.push({ id: name.slice(0, 17), path: join(dir, name), state });
    }
    out.push(...this.claimFiles(code));
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  hasUnread(code: string): boolean {
    if (!CODE_RE.test(code)) return false;
    // Stop at the first message: no listing of a large inbox on the hook's hot path.
    let dir: Dir;
    try {
      dir = opendirSync(this.inboxDir(code, 'new'));
    } catch {
      return false;
    }
    try {
      for (let e = dir.readSync(); e !== null; e = dir.readSync()) if (isMessageFile(e.name)) return true;
      return false;
    } finally {
      dir.closeSync();
    }
  }

  ack(code: string, id: string): boolean {
    if (!CODE_RE.test(code) || !MESSAGE_ID_RE.test(id)) return false;
    let removed = false;
    const paths = [join(this.inboxDir(code, 'new'), `${id}.json`), join(this.inboxDir(code, 'shown'), `${id}.json`)];
    for (const f of this.claimFiles(code)) if (f.id === id) paths.push(f.path);
    for (const path of paths) {
      try {
        unlinkSync(path);
        removed = true;
      } catch {
        /* not in this box */
      }
    }
    return removed;
  }

  ackAll(code: string): number {
    if (!CODE_RE.test(code)) return 0;
    let n = 0;
    for (const f of this.inboxFiles(code)) {
      try {
        unlinkSync(f.path);
        n++;
      } catch {
        /* raced with another ack */
      }
    }
    return n;
  }

  history(limit: number): Message[] {
    const logDir = this.dir(['log']);
    const names = listDir(logDir).filter(isMessageFile).sort();
    const out: Message[] = [];
    for (const name of names.slice(Math.max(0, names.length - limit))) {
      const m = readMessage(join(logDir, name));
      if (m) out.push(m);
    }
    return out;
  }

  message(id: string): Message | undefined {
    return MESSAGE_ID_RE.test(id) ? readMessage(join(this.dir(['log']), `${id}.json`)) : undefined;
  }

  // ---- waiting -------------------------------------------------------------------------------

  watchHistory(onChange: () => void): () => void {
    return watchDir(this.dir(['log'], true), onChange);
  }

  subscribe(code: string, onChange: () => void): () => void {
    if (!CODE_RE.test(code)) throw new Error(`internal: bad code ${code}`);
    this.dir(['bells'], true);
    try {
      return listen(storeDir(this.home, ['bells', `s-${code}`], 1), onChange);
    } catch {
      // No FIFOs here (no mkfifo, or a file system without them): inotify still works, it only
      // makes the watcher's exit, and so the wake, slower.
      const stops = [watchDir(this.inboxDir(code, 'new'), onChange), watchDir(this.p('inbox', code), onChange, 'watcher.json')];
      return () => stops.forEach((stop) => stop());
    }
  }

  subscribeRegistration(pid: number, onChange: () => void): () => void {
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`internal: bad pid ${pid}`);
    try {
      return listen(storeDir(this.home, ['bells', `p-${pid}`], 0), onChange);
    } catch {
      // No FIFO could be made: a registration links pids/<pid>, which inotify sees.
      return watchDir(this.dir(['pids'], true), onChange, String(pid));
    }
  }

  // ---- the watcher lease ---------------------------------------------------------------------

  private leaseFile(code: string): string {
    return join(this.dir(['inbox', code]), 'watcher.json');
  }

  takeWatcherLease(code: string, lease: WatcherLease): void {
    this.withRoom(() => writeFileAtomic(this.leaseFile(code), JSON.stringify(lease)));
    // The previous holder wakes, sees the lease is not its own any more, and leaves.
    this.ringSession(code);
  }

  watcherLease(code: string): WatcherLease | undefined {
    try {
      return JSON.parse(readFileSync(this.leaseFile(code), 'utf8')) as WatcherLease;
    } catch {
      return undefined;
    }
  }

  releaseWatcherLease(code: string, pid?: number): void {
    if (pid !== undefined && this.watcherLease(code)?.pid !== pid) return;
    try {
      unlinkSync(this.leaseFile(code));
    } catch {
      return; // nobody held it: nobody to tell
    }
    this.ringSession(code);
  }

  // ---- the delivery path --------------------------------------------------------------------

  setDeliveryPath(code: string, record: DeliveryPathRecord): void {
    if (!CODE_RE.test(code)) throw new Error(`internal: bad code ${code}`);
    this.withRoom(() => writeFileAtomic(join(this.dir(['inbox', code]), 'delivery.json'), JSON.stringify(record)));
    this.ringSession(code);
  }

  deliveryPath(code: string): DeliveryPathRecord | undefined {
    if (!CODE_RE.test(code)) return undefined;
    try {
      return JSON.parse(readFileSync(join(this.dir(['inbox', code]), 'delivery.json'), 'utf8')) as DeliveryPathRecord;
    } catch {
      return undefined;
    }
  }

  // ---- coordination (src/store/fs/fs-coordination.ts) -------------------------------------------

  recordActivity(code: string, activity: FileActivity): void {
    this.coord.recordActivity(code, activity);
  }
  coordination(now: number): SessionCoordination[] {
    return this.coord.coordination(now);
  }
  coordinationFor(file: FileKey, now: number): SessionCoordination[] {
    return this.coord.coordinationFor(file, now);
  }
  setStatus(code: string, status: SessionStatus | undefined): void {
    this.coord.setStatus(code, status);
  }
  setReservations(code: string, reservations: readonly Reservation[]): void {
    this.coord.setReservations(code, reservations);
  }
  firstWarning(code: string, key: string, now: number, windowMs: number): boolean {
    return this.coord.firstWarning(code, key, now, windowMs);
  }

  // ---- housekeeping --------------------------------------------------------------------------

  /**
   * What the store holds on disk, for `doctor`: message bytes counted once however many links a
   * file has. Throws UnsafeStateError on a planted link, like every other operation.
   */
  usage(): StoreUsage {
    const inodes = new Map<number, number>();
    const count = (dir: string, only = isMessageFile): number => {
      let n = 0;
      for (const name of listDir(dir)) {
        if (!only(name)) continue;
        const st = lstatSync(join(dir, name), { throwIfNoEntry: false });
        if (!st?.isFile()) continue;
        inodes.set(st.ino, st.size);
        n++;
      }
      return n;
    };
    const logDir = this.dir(['log']);
    const history = count(logDir);
    const historyBytes = [...inodes.values()].reduce((a, b) => a + b, 0);
    let unacknowledged = 0;
    let inFlight = 0;
    for (const code of listDir(this.dir(['inbox']))) {
      if (!CODE_RE.test(code)) continue;
      for (const f of this.inboxFiles(code)) {
        const st = lstatSync(f.path, { throwIfNoEntry: false });
        if (!st?.isFile()) continue;
        inodes.set(st.ino, st.size);
        unacknowledged++;
        if (f.path.startsWith(this.inboxDir(code, 'claims'))) inFlight++;
      }
      inFlight += count(this.inboxDir(code, 'incoming'), () => true);
    }
    const leftovers = count(this.dir(['tmp']), () => true);
    return { history, historyBytes, unacknowledged, inFlight, leftovers, bytes: [...inodes.values()].reduce((a, b) => a + b, 0), historyLimit: this.historyLimit, historyMaxBytes: this.historyMaxBytes };
  }

  /** Remove what killed writers left in tmp/ (never visible to readers, but not to be kept). */
  collectTmp(maxAgeMs = TMP_MAX_AGE_MS): number {
    let n = 0;
    const dir = this.dir(['tmp']);
    const cutoff = Date.now() - maxAgeMs;
    for (const name of listDir(dir)) {
      try {
        if (lstatSync(join(dir, name)).mtimeMs < cutoff) {
          unlinkSync(join(dir, name));
          n++;
        }
      } catch {
        /* raced */
      }
    }
    return n;
  }
}

function serializePresence(p: Presence): string {
  const { lastActiveAt: _derived, ...rest } = p;
  return JSON.stringify(rest);
}

/** Marker of an open claim (`claims/<token>.claiming`), renamed to `<token>.shown` by its commit. */
const CLAIMING = '.claiming';
const COMMITTED = '.shown';

interface InboxFile {
  id: string;
  path: string;
  state: 'unread' | 'shown';
}

/** `claims/<id>.<token>`: a message of the claim `token`. */
function parseClaimEntry(name: string): { id: string; token: string } | undefined {
  if (name.length < 20 || name[17] !== '.' || name.endsWith(CLAIMING) || name.endsWith(COMMITTED)) return undefined;
  const id = name.slice(0, 17);
  const token = name.slice(18);
  return MESSAGE_ID_RE.test(id) && isOwner(token) ? { id, token } : undefined;
}

function isMessageFile(name: string): boolean {
  return name.length === 22 && name.endsWith('.json') && MESSAGE_ID_RE.test(name.slice(0, 17));
}

/** A message file, never read through a link planted in its place. */
function readMessage(path: string): Message | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n <= 0) break;
      off += n;
    }
    return JSON.parse(buf.subarray(0, off).toString('utf8')) as Message;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** fs.watch that never throws at the caller and, given a name, reports only that entry's changes. */
function watchDir(dir: string, onChange: () => void, only?: string): () => void {
  let w: FSWatcher | undefined;
  try {
    w = watch(dir, { persistent: true }, (_event, filename) => {
      if (only === undefined || filename === null || String(filename) === only) onChange();
    });
    w.on('error', () => onChange());
  } catch {
    // The directory is gone (its session was pruned): report a change so the caller re-checks.
    queueMicrotask(onChange);
  }
  return () => w?.close();
}
