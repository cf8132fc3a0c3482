import { readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Presence } from '../../core/types.js';
import { CODE_RE } from '../../core/validate.js';
import {
  ACTIVITY_PER_SESSION,
  type CoordinationStore,
  type FileActivity,
  type Reservation,
  RESERVATIONS_PER_SESSION,
  type SessionCoordination,
  type SessionStatus,
} from '../coordination.js';
import { ensureDir, errnoCode, writeFileAtomic } from './fs-util.js';

/**
 * Coordination records of the file-system backend, one folder per session:
 *
 *   coord/<code>/activity.json      newest first, at most ACTIVITY_PER_SESSION, one per file
 *   coord/<code>/reservations.json
 *   coord/<code>/status.json
 *   coord/<code>/warned/<hash>      warn-once marks: content = when the warning was given
 *
 * Each file is written whole (temp file, rename). A session's files are written by its own
 * processes only (its hooks and its serve), one tool call at a time, so read-modify-write of its
 * own lists does not race with other sessions. The folder goes when the presence goes (FsStore
 * calls `clear`), and one whose session is gone is never read.
 */

/** What coordination needs from presence: which sessions are live, and whether a code is registered. */
export interface PresenceView {
  sessions(): Presence[];
  isRegistered(code: string): boolean;
  tmpDir(): string;
}

export class FsCoordination implements CoordinationStore {
  constructor(
    private readonly root: string,
    private readonly presence: PresenceView,
  ) {}

  private dir(code: string): string {
    return join(this.root, code);
  }

  /** Forget everything of `code` (its presence was removed, or a new session took the code). */
  clear(code: string): void {
    if (CODE_RE.test(code)) rmSync(this.dir(code), { recursive: true, force: true });
  }

  private write(code: string, name: string, value: unknown): void {
    if (!CODE_RE.test(code) || !this.presence.isRegistered(code)) return;
    ensureDir(this.dir(code));
    writeFileAtomic(join(this.dir(code), name), JSON.stringify(value), this.presence.tmpDir());
  }

  recordActivity(code: string, activity: FileActivity): void {
    if (!CODE_RE.test(code)) return;
    const kept = readList<FileActivity>(join(this.dir(code), 'activity.json')).filter((a) => a.path !== activity.path);
    this.write(code, 'activity.json', [activity, ...kept].slice(0, ACTIVITY_PER_SESSION));
  }

  setStatus(code: string, status: SessionStatus | undefined): void {
    if (status) this.write(code, 'status.json', status);
    else if (CODE_RE.test(code)) quietly(() => unlinkSync(join(this.dir(code), 'status.json')));
  }

  setReservations(code: string, reservations: readonly Reservation[]): void {
    this.write(code, 'reservations.json', reservations.slice(0, RESERVATIONS_PER_SESSION));
  }

  coordination(now: number): SessionCoordination[] {
    const live = this.presence.sessions();
    this.sweep(new Set(live.map((s) => s.code)));
    return live.map((session) => {
      const dir = this.dir(session.code);
      const status = readJson<SessionStatus>(join(dir, 'status.json'));
      return {
        session,
        ...(status && typeof status.text === 'string' ? { status } : {}),
        activity: readList<FileActivity>(join(dir, 'activity.json')).sort((a, b) => b.at - a.at),
        reservations: readList<Reservation>(join(dir, 'reservations.json')).filter((r) => r.expiresAt > now),
      };
    });
  }

  /** Folders left by a session that died between its check and its write: never read, removed here. */
  private sweep(live: Set<string>): void {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return;
    }
    for (const name of names) if (!live.has(name) && !this.presence.isRegistered(name)) this.clear(name);
  }

  firstWarning(code: string, key: string, now: number, windowMs: number): boolean {
    if (!CODE_RE.test(code) || !this.presence.isRegistered(code)) return false;
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

/** A short, file-name-safe digest of a key (cyrb53): a collision only merges two warn-once marks. */
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
