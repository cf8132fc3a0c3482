import {
  type Dir,
  type FSWatcher,
  linkSync,
  opendirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  watch,
} from 'node:fs';
import { join } from 'node:path';
import { randomBase36 } from '../core/ids.js';
import type { InboxEntry, Message, Presence } from '../core/types.js';
import { CODE_RE, MESSAGE_ID_RE } from '../core/validate.js';
import { isSameProcessAlive } from '../claude/proc.js';
import { listen, removeBells, ring } from './doorbell.js';
import { checkPrivateDir, chmodPrivate, ensureDir, errnoCode, uniqueSuffix, writeFileAtomic, writeTempFile } from './fs-util.js';
import type { DeliveryPathRecord, IntercomStore, WatcherLease } from './store.js';

/**
 * The embedded backend: a directory tree, maildir-style.
 *
 *   sessions/<code>.json        presence record (mtime = last activity)
 *   pids/<pid>                  symlink -> <code>: the session of a Claude Code process, in one readlink
 *   inbox/<code>/new/<id>.json  unread                \  hard links to one immutable message file;
 *   inbox/<code>/shown/<id>.json in the model's context } a rename between them is the atomic claim,
 *   log/<id>.json               bounded history        /  an unlink the acknowledgement
 *   inbox/<code>/watcher.json   the watcher lease
 *   inbox/<code>/delivery.json  how messages reach the session (inbox socket or hooks), and who decided
 *   bells/s-<code>/*.fifo       doorbells of whoever waits on a session (its watcher)
 *   bells/p-<pid>/*.fifo        doorbells of whoever waits for a Claude Code process to register
 *   tmp/                        whole files are written here, then linked into place
 *
 * A message is written once to tmp/ and hard-linked into every inbox and the log: readers can only
 * ever see a complete file, a broadcast costs one write, and nothing is copied.
 */

const HISTORY_LIMIT = 2000;
const TMP_MAX_AGE_MS = 60_000;

interface FsStoreOptions {
  /** Keep at most this many messages in the history (`log`). */
  historyLimit?: number;
}

export class FsStore implements IntercomStore {
  readonly location: string;
  private readonly historyLimit: number;

  constructor(
    readonly home: string,
    options: FsStoreOptions = {},
  ) {
    this.location = home;
    this.historyLimit = options.historyLimit ?? HISTORY_LIMIT;
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
  private sessionFile(code: string): string {
    return this.p('sessions', `${code}.json`);
  }
  private inboxDir(code: string, box: 'new' | 'shown'): string {
    return this.p('inbox', code, box);
  }
  private tmpDir(): string {
    const dir = this.p('tmp');
    ensureDir(dir);
    return dir;
  }

  // ---- presence ------------------------------------------------------------------------------

  register(input: Omit<Presence, 'code' | 'lastActiveAt'>, preferredCode?: string): Presence {
    ensureDir(this.p('sessions'));
    ensureDir(this.p('pids'));
    this.collectTmp();
    const existing = this.sessionByPid(input.pid);
    if (existing && existing.pidStart === input.pidStart) {
      // Same Claude Code process (e.g. its MCP server restarted): the session keeps its code.
      const record: Presence = { ...existing, ...input, code: existing.code, startedAt: existing.startedAt };
      writeFileAtomic(this.sessionFile(record.code), serializePresence(record), this.tmpDir());
      this.ensureInbox(record.code);
      this.ringAndClear(this.bellDir('p', input.pid));
      return { ...record, lastActiveAt: Date.now() };
    }
    for (let attempt = 0; attempt < 64; attempt++) {
      const code = attempt === 0 && preferredCode && CODE_RE.test(preferredCode) ? preferredCode : randomBase36(4);
      const record: Presence = { ...input, code, lastActiveAt: input.startedAt };
      if (this.createExclusive(this.sessionFile(code), serializePresence(record))) {
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
    ensureDir(this.inboxDir(code, 'new'));
    ensureDir(this.inboxDir(code, 'shown'));
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
    const link = this.p('pids', String(pid));
    const tmp = this.p('pids', `.${uniqueSuffix()}`);
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
    const link = this.p('pids', String(record.pid));
    try {
      if (readlinkSync(link) === record.code) unlinkSync(link);
    } catch {
      /* already gone */
    }
    rmSync(this.p('inbox', record.code), { recursive: true, force: true });
    // Whoever waits on the session learns it is gone.
    this.ringAndClear(this.bellDir('s', record.code));
  }

  private bellDir(kind: 's' | 'p', id: string | number): string {
    return this.p('bells', `${kind}-${id}`);
  }

  private ringAndClear(dir: string): void {
    ring(dir);
    removeBells(dir);
  }

  touch(code: string): void {
    const now = new Date();
    quietly(() => utimesSync(this.sessionFile(code), now, now));
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
    for (const name of listDir(this.p('sessions'))) {
      if (!name.endsWith('.json')) continue;
      const rec = this.session(name.slice(0, -5));
      if (rec) out.push(rec);
    }
    // Pid links of processes without a record (a crash between the two writes) are dropped too.
    return out.sort((a, b) => a.startedAt - b.startedAt || a.code.localeCompare(b.code));
  }

  // ---- messages ------------------------------------------------------------------------------

  deliver(message: Message, recipients: readonly string[]): void {
    const name = `${message.id}.json`;
    const tmp = writeTempFile(this.tmpDir(), `${message.id}.${uniqueSuffix()}.msg`, Buffer.from(JSON.stringify(message)));
    try {
      ensureDir(this.p('log'));
      const delivered: string[] = [];
      for (const code of recipients) {
        const dir = this.inboxDir(code, 'new');
        try {
          linkSync(tmp, join(dir, name));
          delivered.push(code);
        } catch (err) {
          // The recipient's inbox vanished: it died after we checked. Its record is gone with it.
          if (errnoCode(err) !== 'ENOENT') throw err;
        }
      }
      linkSync(tmp, this.p('log', name));
      // Ring only once every copy is in place: watchers woken early would take the CPU that the
      // rest of a broadcast needs (on two cores, 50 of them did).
      for (const code of delivered) ring(this.bellDir('s', code));
    } finally {
      quietly(() => unlinkSync(tmp));
    }
    // Keep the history bounded without paying for a directory listing on every send.
    if (Math.random() < 0.02) this.trimHistory();
  }

  private trimHistory(): void {
    const names = listDir(this.p('log')).filter((n) => n.endsWith('.json')).sort();
    const excess = names.length - this.historyLimit;
    for (let i = 0; i < excess; i++) quietly(() => unlinkSync(this.p('log', names[i]!)));
  }

  claim(code: string, limit = Infinity): Message[] {
    if (!CODE_RE.test(code)) return [];
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

  unclaim(code: string, ids: readonly string[]): number {
    if (!CODE_RE.test(code)) return 0;
    let n = 0;
    for (const id of ids) {
      if (!MESSAGE_ID_RE.test(id)) continue;
      try {
        renameSync(join(this.inboxDir(code, 'shown'), `${id}.json`), join(this.inboxDir(code, 'new'), `${id}.json`));
        n++;
      } catch {
        /* acknowledged meanwhile (or never claimed): nothing to give back */
      }
    }
    if (n > 0) ring(this.bellDir('s', code));
    return n;
  }

  inbox(code: string, limit = Infinity): InboxEntry[] {
    // Names first (a file name is its id, so they sort the same), then read only the page.
    const out: InboxEntry[] = [];
    for (const [name, state] of this.inboxNames(code)) {
      if (out.length >= limit) break;
      const m = readMessage(join(this.inboxDir(code, state), name));
      if (m) out.push({ ...m, state: state === 'new' ? 'unread' : 'shown' });
    }
    return out;
  }

  inboxEntry(code: string, id: string): InboxEntry | undefined {
    if (!CODE_RE.test(code) || !MESSAGE_ID_RE.test(id)) return undefined;
    for (const state of ['new', 'shown'] as const) {
      const m = readMessage(join(this.inboxDir(code, state), `${id}.json`));
      if (m) return { ...m, state: state === 'new' ? 'unread' : 'shown' };
    }
    return undefined;
  }

  inboxSize(code: string): number {
    return this.inboxNames(code).length;
  }

  private inboxNames(code: string): Array<[string, 'new' | 'shown']> {
    if (!CODE_RE.test(code)) return [];
    const names: Array<[string, 'new' | 'shown']> = [];
    for (const state of ['new', 'shown'] as const) {
      for (const name of listDir(this.inboxDir(code, state))) if (isMessageFile(name)) names.push([name, state]);
    }
    return names.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
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
    for (const box of ['new', 'shown'] as const) {
      try {
        unlinkSync(join(this.inboxDir(code, box), `${id}.json`));
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
    for (const box of ['new', 'shown'] as const) {
      const dir = this.inboxDir(code, box);
      for (const name of listDir(dir).filter(isMessageFile)) {
        try {
          unlinkSync(join(dir, name));
          n++;
        } catch {
          /* raced with another ack */
        }
      }
    }
    return n;
  }

  history(limit: number): Message[] {
    const names = listDir(this.p('log')).filter(isMessageFile).sort();
    const out: Message[] = [];
    for (const name of names.slice(Math.max(0, names.length - limit))) {
      const m = readMessage(this.p('log', name));
      if (m) out.push(m);
    }
    return out;
  }

  message(id: string): Message | undefined {
    return MESSAGE_ID_RE.test(id) ? readMessage(this.p('log', `${id}.json`)) : undefined;
  }

  // ---- waiting -------------------------------------------------------------------------------

  watchHistory(onChange: () => void): () => void {
    ensureDir(this.p('log'));
    return watchDir(this.p('log'), onChange);
  }

  subscribe(code: string, onChange: () => void): () => void {
    if (!CODE_RE.test(code)) throw new Error(`internal: bad code ${code}`);
    ensureDir(this.p('bells'));
    try {
      return listen(this.bellDir('s', code), onChange);
    } catch {
      // No FIFOs here (no mkfifo, or a file system without them): inotify still works, it only
      // makes the watcher's exit, and so the wake, slower.
      const stops = [watchDir(this.inboxDir(code, 'new'), onChange), watchDir(this.p('inbox', code), onChange, 'watcher.json')];
      return () => stops.forEach((stop) => stop());
    }
  }

  subscribeRegistration(pid: number, onChange: () => void): () => void {
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`internal: bad pid ${pid}`);
    ensureDir(this.p('bells'));
    try {
      return listen(this.bellDir('p', pid), onChange);
    } catch {
      // No FIFO could be made: a registration links pids/<pid>, which inotify sees.
      ensureDir(this.p('pids'));
      return watchDir(this.p('pids'), onChange, String(pid));
    }
  }

  // ---- the watcher lease ---------------------------------------------------------------------

  private leaseFile(code: string): string {
    return this.p('inbox', code, 'watcher.json');
  }

  takeWatcherLease(code: string, lease: WatcherLease): void {
    writeFileAtomic(this.leaseFile(code), JSON.stringify(lease));
    // The previous holder wakes, sees the lease is not its own any more, and leaves.
    ring(this.bellDir('s', code));
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
    ring(this.bellDir('s', code));
  }

  // ---- the delivery path --------------------------------------------------------------------

  setDeliveryPath(code: string, record: DeliveryPathRecord): void {
    if (!CODE_RE.test(code)) throw new Error(`internal: bad code ${code}`);
    writeFileAtomic(this.p('inbox', code, 'delivery.json'), JSON.stringify(record));
    ring(this.bellDir('s', code));
  }

  deliveryPath(code: string): DeliveryPathRecord | undefined {
    if (!CODE_RE.test(code)) return undefined;
    try {
      return JSON.parse(readFileSync(this.p('inbox', code, 'delivery.json'), 'utf8')) as DeliveryPathRecord;
    } catch {
      return undefined;
    }
  }

  // ---- housekeeping --------------------------------------------------------------------------

  /** Remove what killed writers left in tmp/ (never visible to readers, but not to be kept). */
  collectTmp(maxAgeMs = TMP_MAX_AGE_MS): number {
    let n = 0;
    const dir = this.p('tmp');
    const cutoff = Date.now() - maxAgeMs;
    for (const name of listDir(dir)) {
      try {
        if (statSync(join(dir, name)).mtimeMs < cutoff) {
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

function isMessageFile(name: string): boolean {
  return name.length === 22 && name.endsWith('.json') && MESSAGE_ID_RE.test(name.slice(0, 17));
}

function readMessage(path: string): Message | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Message;
  } catch {
    return undefined;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    /* best effort */
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
