import { readFileSync, rmSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { patternMatches } from '../../core/globs.js';
import type { Presence } from '../../core/types.js';
import { CODE_RE } from '../../core/validate.js';
import {
  ACTIVITY_PER_SESSION,
  type CoordinationStore,
  type FileActivity,
  type FileKey,
  type Reservation,
  RESERVATIONS_PER_SESSION,
  repositoryOf,
  type SessionCoordination,
  type SessionStatus,
} from '../coordination.js';
import { ensureDir, errnoCode, listDir, quietly, writeFileAtomic } from './fs-util.js';

/**
 * Coordination records of the file-system backend:
 *
 *   coord/<code>/activity.json      the session's edits, newest first, at most ACTIVITY_PER_SESSION, one per file
 *   coord/<code>/status.json
 *   coord/<code>/warned/<hash>      warn-once marks: content = when the warning was given
 *   files/<hash>/<code>.json        index: the session's latest edit of one repository path
 *                                   (hash of repository + relPath), so the hook reads one folder
 *   reservations/<code>.json        the session's reservations (one folder for the hook to list)
 *
 * Index and reservation files carry their owner's process identity (pid and start time): an entry
 * whose owner is not the live session of that code (a crash between two writes, a code reused) is
 * ignored and removed when read. Each file is written whole (temp file, rename). A session's files
 * are written only by its own processes (its hooks and its serve), one tool call at a time, so
 * read-modify-write of its own lists does not race with other sessions. Everything of a session
 * goes when its presence goes (FsStore calls `clear`).
 */

/** What coordination needs from presence. */
export interface PresenceView {
  /** Live sessions (dead ones pruned). */
  sessions(): Presence[];
  /** The live session of `code`, or undefined (pruning it if dead). */
  session(code: string): Presence | undefined;
  /** The registered record of `code`, alive or not, without checking its process (cheap). */
  record(code: string): Presence | undefined;
  tmpDir(): string;
}

interface Owned<T> {
  owner: { code: string; pid: number; pidStart: string };
  value: T;
}

export class FsCoordination implements CoordinationStore {
  constructor(
    private readonly home: string,
    private readonly presence: PresenceView,
  ) {}

  private dir(code: string): string {
    return join(this.home, 'coord', code);
  }
  private fileIndex(file: { relPath: string; gitCommonDir?: string; worktree: string }): string {
    return join(this.home, 'files', hashKey(`${repositoryOf(file)}\n${file.relPath}`));
  }
  private reservationFile(code: string): string {
    return join(this.home, 'reservations', `${code}.json`);
  }

  /** Forget everything of `code` (its presence was removed, or a new session took the code). */
  clear(code: string): void {
    if (!CODE_RE.test(code)) return;
    for (const a of readList<FileActivity>(join(this.dir(code), 'activity.json'))) this.unindex(code, a);
    quietly(() => unlinkSync(this.reservationFile(code)));
    rmSync(this.dir(code), { recursive: true, force: true });
  }

  private unindex(code: string, a: FileActivity): void {
    const dir = this.fileIndex(a);
    quietly(() => unlinkSync(join(dir, `${code}.json`)));
    quietly(() => rmdirSync(dir)); // only when empty
  }

  /** The owner stamp for records of `code`, or undefined when `code` is not registered. */
  private owner(code: string): Owned<unknown>['owner'] | undefined {
    if (!CODE_RE.test(code)) return undefined;
    const p = this.presence.record(code);
    return p ? { code, pid: p.pid, pidStart: p.pidStart } : undefined;
  }

  private writeOwn(code: string, name: string, value: unknown): boolean {
    if (!this.owner(code)) return false;
    ensureDir(this.dir(code));
    writeFileAtomic(join(this.dir(code), name), JSON.stringify(value), this.presence.tmpDir());
    return true;
  }

  recordActivity(code: string, activity: FileActivity): void {
    const owner = this.owner(code);
    if (!owner) return;
    const before = readList<FileActivity>(join(this.dir(code), 'activity.json'));
    const all = [activity, ...before.filter((a) => a.path !== activity.path)];
    const kept = all.slice(0, ACTIVITY_PER_SESSION);
    this.writeOwn(code, 'activity.json', kept);
    const index = this.fileIndex(activity);
    ensureDir(index);
    writeFileAtomic(join(index, `${code}.json`), JSON.stringify({ owner, value: activity } satisfies Owned<FileActivity>), this.presence.tmpDir());
    for (const evicted of all.slice(ACTIVITY_PER_SESSION)) this.unindex(code, evicted);
  }

  setStatus(code: string, status: SessionStatus | undefined): void {
    if (status) this.writeOwn(code, 'status.json', status);
    else if (CODE_RE.test(code)) quietly(() => unlinkSync(join(this.dir(code), 'status.json')));
  }

  setReservations(code: string, reservations: readonly Reservation[]): void {
    const owner = this.owner(code);
    if (!owner) return;
    if (reservations.length === 0) return quietly(() => unlinkSync(this.reservationFile(code)));
    ensureDir(join(this.home, 'reservations'));
    const value = reservations.slice(0, RESERVATIONS_PER_SESSION);
    writeFileAtomic(this.reservationFile(code), JSON.stringify({ owner, value } satisfies Owned<Reservation[]>), this.presence.tmpDir());
  }

  private status(code: string): { status?: SessionStatus } {
    const status = readJson<SessionStatus>(join(this.dir(code), 'status.json'));
    return status && typeof status.text === 'string' ? { status } : {};
  }

  private reservationsOf(code: string, session: Presence, now: number): Reservation[] {
    const owned = readJson<Owned<Reservation[]>>(this.reservationFile(code));
    if (!owned || !ownedBy(owned, session) || !Array.isArray(owned.value)) return [];
    return owned.value.filter((r) => r.expiresAt > now);
  }

  coordination(now: number): SessionCoordination[] {
    const live = this.presence.sessions();
    this.sweep(new Set(live.map((s) => s.code)));
    return live.map((session) => ({
      session,
      ...this.status(session.code),
      activity: readList<FileActivity>(join(this.dir(session.code), 'activity.json')).sort((a, b) => b.at - a.at),
      reservations: this.reservationsOf(session.code, session, now),
    }));
  }

  coordinationFor(file: FileKey, now: number): SessionCoordination[] {
    const repo = repositoryOf(file);
    const candidates = new Map<string, { activity: FileActivity[]; reservations: Reservation[] }>();
    const index = this.fileIndex(file);
    for (const name of listDir(index)) {
      const code = name.slice(0, -5);
      const owned = readJson<Owned<FileActivity>>(join(index, name));
      const a = owned?.value;
      // A hash collision or a torn entry is not this file.
      if (!a || a.relPath !== file.relPath || repositoryOf(a) !== repo || !this.liveOwner(owned, code)) {
        if (!owned || !this.liveOwner(owned, code)) quietly(() => unlinkSync(join(index, name)));
        continue;
      }
      candidates.set(code, { activity: [a], reservations: [] });
    }
    for (const name of listDir(join(this.home, 'reservations'))) {
      const code = name.slice(0, -5);
      const owned = readJson<Owned<Reservation[]>>(join(this.home, 'reservations', name));
      if (!owned || !Array.isArray(owned.value)) continue;
      const here = owned.value.filter((r) => r.expiresAt > now && repositoryOf(r) === repo && r.patterns.some((p) => patternMatches(p, file.relPath)));
      if (here.length === 0) continue;
      if (!this.liveOwner(owned, code)) continue;
      const c = candidates.get(code) ?? { activity: [], reservations: [] };
      c.reservations = here;
      candidates.set(code, c);
    }
    const out: SessionCoordination[] = [];
    for (const [code, c] of candidates) {
      const session = this.presence.session(code);
      if (session) out.push({ session, ...this.status(code), ...c });
    }
    return out;
  }

  /** Is the owner stamped on a record the live session of `code`? (Liveness is checked by `session`.) */
  private liveOwner(owned: Owned<unknown>, code: string): boolean {
    if (!CODE_RE.test(code) || owned.owner?.code !== code) return false;
    const p = this.presence.record(code);
    return p !== undefined && p.pid === owned.owner.pid && p.pidStart === owned.owner.pidStart;
  }

  /** Folders left by a session that died between its check and its write: never read, removed here. */
  private sweep(live: Set<string>): void {
    for (const name of listDir(join(this.home, 'coord'))) if (!live.has(name) && !this.presence.record(name)) this.clear(name);
  }

  firstWarning(code: string, key: string, now: number, windowMs: number): boolean {
    if (!this.owner(code)) return false;
    const dir = join(this.dir(code), 'warned');
    ensureDir(dir);
    const file = join(dir, hashKey(key));
    try {
      writeFileSync(file, String(now), { flag: 'wx', mode: 0o600 });
      if (Math.random() < 0.05) this.pruneWarnings(dir, now, windowMs);
      return true;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    const at = Number(readText(file));
    if (Number.isFinite(at) && now - at < windowMs) return false;
    // Stale: a new window starts. (Two callers racing over a stale mark may both warn; the first one never double-warns.)
    writeFileAtomic(file, String(now), this.presence.tmpDir());
    return true;
  }

  private pruneWarnings(dir: string, now: number, windowMs: number): void {
    for (const name of listDir(dir)) {
      const at = Number(readText(join(dir, name)));
      if (!Number.isFinite(at) || now - at >= windowMs) quietly(() => unlinkSync(join(dir, name)));
    }
  }
}

function ownedBy(owned: Owned<unknown>, session: Presence): boolean {
  return owned.owner?.pid === session.pid && owned.owner?.pidStart === session.pidStart;
}

/** A short, file-name-safe digest of a key (cyrb53): a collision only merges two warn-once marks or index folders. */
export function hashKey(key: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36) + key.length.toString(36);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readJson<T>(path: string): T | undefined {
  const raw = readText(path);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

function readList<T>(path: string): T[] {
  const v = readJson<unknown>(path);
  return Array.isArray(v) ? (v as T[]) : [];
}
