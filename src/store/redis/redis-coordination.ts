import { createHash } from 'node:crypto';
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
import * as C from './coordination-scripts.js';
import type { Reply } from './resp.js';

/**
 * The coordination area on the team engine (layout and scripts: coordination-scripts.ts). A
 * session's own records are per-code keys that go atomically with its presence; the hook's question
 * (`coordinationFor`) reads one index key for the file and one for the repository's reservations,
 * whatever the number of sessions.
 */

/** What coordination needs from the store it lives in. */
export interface RedisCoordinationHost {
  key(...parts: Array<string | number>): string;
  call(args: ReadonlyArray<string | number>): Promise<Reply>;
  eval(script: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<Reply>;
  /** Live sessions (lapsed ones pruned). */
  sessions(): Promise<Presence[]>;
  /** A presence record as stored, if sound. */
  parsePresence(raw: Reply): Presence | undefined;
}

/** Warn-once marks kept per session before stale ones are dropped. */
const WARNINGS_PER_SESSION = 256;
/** Tries of the optimistic activity update before giving up (only the session's own processes write it). */
const ACTIVITY_TRIES = 8;

export class RedisCoordination implements CoordinationStore {
  constructor(private readonly host: RedisCoordinationHost) {}

  /** The per-code keys: activity, status, reservations, warn-once marks (removed with the presence). */
  sessionKeys(code: string): string[] {
    const k = this.host.key.bind(this.host);
    return [k('ca', code), k('cs', code), k('cr', code), k('cw', code)];
  }
  private fileIndex(file: { relPath: string; gitCommonDir?: string; worktree: string }): string {
    return this.host.key('cf', digest(`${repositoryOf(file)}\n${file.relPath}`));
  }
  private repositoryIndex(repository: string): string {
    return this.host.key('cq', digest(repository));
  }

  async recordActivity(code: string, activity: FileActivity): Promise<void> {
    if (!CODE_RE.test(code)) return;
    const [ca] = this.sessionKeys(code);
    for (let i = 0; i < ACTIVITY_TRIES; i++) {
      const raw = await this.host.call(['GET', ca!]);
      const before = parseList<FileActivity>(raw);
      const all = [activity, ...before.filter((a) => a.path !== activity.path)];
      const evicted = all.slice(ACTIVITY_PER_SESSION);
      const keys = [this.host.key('s', code), this.host.key('own', code), ca!, this.fileIndex(activity), ...evicted.map((a) => this.fileIndex(a))];
      const args = [typeof raw === 'string' ? raw : '', JSON.stringify(all.slice(0, ACTIVITY_PER_SESSION)), code, JSON.stringify(activity), ...evicted.map((a) => a.path)];
      if ((await this.host.eval(C.RECORD_ACTIVITY, keys, args)) !== -1) return;
    }
    throw new Error(`internal: the activity of session ${code} kept changing while it was recorded`);
  }

  async setStatus(code: string, status: SessionStatus | undefined): Promise<void> {
    if (!CODE_RE.test(code)) return;
    await this.host.eval(C.SET_STATUS, [this.host.key('s', code), this.sessionKeys(code)[1]!], [status ? JSON.stringify(status) : '']);
  }

  async setReservations(code: string, reservations: readonly Reservation[]): Promise<void> {
    if (!CODE_RE.test(code)) return;
    const kept = reservations.slice(0, RESERVATIONS_PER_SESSION);
    const repositories = [...new Set(kept.map((r) => repositoryOf(r)))];
    await this.host.eval(C.SET_RESERVATIONS, [this.host.key('s', code), this.sessionKeys(code)[2]!, ...repositories.map((r) => this.repositoryIndex(r))], [code, kept.length > 0 ? JSON.stringify(kept) : '']);
  }

  async firstWarning(code: string, key: string, now: number, windowMs: number): Promise<boolean> {
    if (!CODE_RE.test(code)) return false;
    return (await this.host.eval(C.FIRST_WARNING, [this.host.key('s', code), this.sessionKeys(code)[3]!], [digest(key), now, windowMs, WARNINGS_PER_SESSION])) === 1;
  }

  async coordination(now: number): Promise<SessionCoordination[]> {
    const live = await this.host.sessions();
    if (live.length === 0) return [];
    const raws = (await this.host.call(['MGET', ...live.flatMap((s) => this.sessionKeys(s.code).slice(0, 3))])) as Reply[];
    return live.map((session, i) => ({
      session,
      ...parseStatus(raws[3 * i + 1] ?? null),
      activity: parseList<FileActivity>(raws[3 * i] ?? null).sort((a, b) => b.at - a.at),
      reservations: parseList<Reservation>(raws[3 * i + 2] ?? null).filter((r) => r.expiresAt > now),
    }));
  }

  async coordinationFor(file: FileKey, now: number): Promise<SessionCoordination[]> {
    const repo = repositoryOf(file);
    const index = this.fileIndex(file);
    const repoIndex = this.repositoryIndex(repo);
    const [flat, reserving] = (await Promise.all([this.host.call(['HGETALL', index]), this.host.call(['SMEMBERS', repoIndex])])) as [string[], string[]];
    const entries = new Map<string, { raw: string; owner: string; activity?: FileActivity }>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const code = flat[i]!;
      const raw = flat[i + 1]!;
      const cut = raw.indexOf('\n');
      entries.set(code, { raw, owner: raw.slice(0, cut), activity: cut > 0 ? parseJson<FileActivity>(raw.slice(cut + 1)) : undefined });
    }
    const codes = [...new Set([...entries.keys(), ...reserving])].filter((c) => CODE_RE.test(c));
    if (codes.length === 0) return [];
    const k = this.host.key.bind(this.host);
    const raws = (await this.host.call(['MGET', ...codes.flatMap((c) => [k('s', c), k('own', c), k('cs', c), k('cr', c)])])) as Reply[];
    const out: SessionCoordination[] = [];
    const cleanups: Array<Promise<unknown>> = [];
    codes.forEach((code, i) => {
      const found = this.host.parsePresence(raws[4 * i] ?? null);
      const session = found?.code === code ? found : undefined;
      const owner = raws[4 * i + 1];
      let activity: FileActivity[] = [];
      const entry = entries.get(code);
      if (entry) {
        // A hash collision or a torn entry is not this file; an entry of a session that ended is removed.
        const a = entry.activity;
        if (session && entry.owner === owner && a && a.relPath === file.relPath && repositoryOf(a) === repo) activity = [a];
        else if (!session || entry.owner !== owner) cleanups.push(this.host.eval(C.DROP_FILE_ENTRY, [index], [code, entry.raw]));
      }
      if (!session) {
        if (reserving.includes(code)) cleanups.push(this.host.eval(C.DROP_REPOSITORY_MEMBER, [k('s', code), repoIndex], [code]));
        return;
      }
      const reservations = parseList<Reservation>(raws[4 * i + 3] ?? null).filter(
        (r) => r.expiresAt > now && repositoryOf(r) === repo && Array.isArray(r.patterns) && r.patterns.some((p) => patternMatches(p, file.relPath)),
      );
      if (activity.length === 0 && reservations.length === 0) return;
      out.push({ session, ...parseStatus(raws[4 * i + 2] ?? null), activity, reservations });
    });
    // Best effort: a failed cleanup leaves an entry that is ignored again next time.
    await Promise.all(cleanups.map((p) => p.catch(() => undefined)));
    return out;
  }

  /**
   * What to remove from the indexes once `code`'s presence is gone: read before the presence
   * script deletes its per-code keys, applied after (`clearIndexes`).
   */
  async indexesOf(code: string): Promise<{ owner: string; files: string[]; repositories: string[] } | undefined> {
    const [ca, , cr] = this.sessionKeys(code);
    const [own, list, res] = (await this.host.call(['MGET', this.host.key('own', code), ca!, cr!])) as Reply[];
    if (typeof own !== 'string') return undefined;
    const files = [...new Set(parseList<FileActivity>(list ?? null).map((a) => this.fileIndex(a)))];
    const repositories = [...new Set(parseList<Reservation>(res ?? null).map((r) => this.repositoryIndex(repositoryOf(r))))];
    return { owner: own, files, repositories };
  }

  async clearIndexes(code: string, of: { owner: string; files: string[]; repositories: string[] } | undefined): Promise<void> {
    if (!of || of.files.length + of.repositories.length === 0) return;
    await this.host.eval(C.CLEAR_INDEXES, [this.host.key('s', code), ...of.files, ...of.repositories], [code, of.owner, of.files.length]);
  }
}

/** Index key names: a fixed-length digest of a repository path (which may be long or hold ':'). */
function digest(s: string): string {
  return createHash('sha256').update(s).digest('base64url').slice(0, 24);
}

function parseJson<T>(raw: string): T | undefined {
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

function parseList<T>(raw: Reply): T[] {
  if (typeof raw !== 'string') return [];
  const v = parseJson<unknown>(raw);
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as T[]) : [];
}

function parseStatus(raw: Reply): { status?: SessionStatus } {
  if (typeof raw !== 'string') return {};
  const s = parseJson<SessionStatus>(raw);
  return s && typeof s.text === 'string' && typeof s.at === 'number' ? { status: s } : {};
}
