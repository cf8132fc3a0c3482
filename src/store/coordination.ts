import type { Awaitable } from './store.js';
import type { Presence } from '../core/types.js';

/**
 * Coordination records: what each live session is editing, what it has reserved, what it says it
 * is doing. Plain JSON, bounded per session, with expiry, and they vanish with their session.
 *
 * The contract every backend keeps (test/contract/coordination.contract.ts):
 * - records exist only for live sessions: `coordination()` never returns a session whose presence
 *   is gone, and when a presence is removed or pruned (unregister, or its process died) its
 *   activity, reservations, status and warning marks go with it; a new session that gets the same
 *   code starts with none of them;
 * - activity keeps the newest `ACTIVITY_PER_SESSION` records per session, one per file, newest first;
 *   `coordinationFor` sees exactly the records `coordination` would show for that file;
 * - reservations past `expiresAt` are never returned; at most `RESERVATIONS_PER_SESSION` per session;
 * - `firstWarning` answers true once per (session, key) per window, however many callers race.
 */

/** One file edit by a session, recorded after the edit (PostToolUse). */
export interface FileActivity {
  /** The file, absolute, symlinks resolved (as the file system spells it). */
  path: string;
  /** The checkout the file is in (its worktree root), or the file's folder outside git. */
  worktree: string;
  /** The file relative to `worktree`, with `/` separators. */
  relPath: string;
  /** `git rev-parse --git-common-dir` of that checkout (absolute): one value per repository. */
  gitCommonDir?: string;
  /** The checkout's branch when the edit was made (`detached at <sha>` when detached). */
  branch?: string;
  /** The Claude Code tool that made the edit (Write, Edit, ...). */
  tool: string;
  at: number;
}

/** Globs a session holds in one checkout, until `expiresAt`. */
export interface Reservation {
  /** Globs relative to `worktree` (`docs/**`, `src/a.ts`); a plain path also covers what is under it. */
  patterns: string[];
  worktree: string;
  gitCommonDir?: string;
  reason?: string;
  since: number;
  expiresAt: number;
}

export interface SessionStatus {
  text: string;
  at: number;
}

/** Everything coordination knows about one live session. */
export interface SessionCoordination {
  session: Presence;
  status?: SessionStatus;
  /** Newest first. */
  activity: FileActivity[];
  /** Unexpired only. */
  reservations: Reservation[];
}

/** One file as the hook asks about it (an EditTarget without branch). */
export interface FileKey {
  path: string;
  relPath: string;
  worktree: string;
  gitCommonDir?: string;
}

/** The repository a file or record belongs to: its git common dir, else its checkout. */
export function repositoryOf(x: { gitCommonDir?: string; worktree: string }): string {
  return x.gitCommonDir ?? x.worktree;
}

export const ACTIVITY_PER_SESSION = 32;
export const RESERVATIONS_PER_SESSION = 16;
export const PATTERNS_PER_RESERVATION = 16;
export const STATUS_MAX_CHARS = 200;

export interface CoordinationStore {
  /** Record an edit by `code` (a live session; otherwise nothing is stored). */
  recordActivity(code: string, activity: FileActivity): Awaitable<void>;
  /** Every live session with its status, recent activity and unexpired reservations (for `who`). */
  coordination(now: number): Awaitable<SessionCoordination[]>;
  /**
   * The hook's question, whose cost must not grow with the number of sessions: the live sessions
   * that concern one file. Those with activity on the same repository path (`relPath` in the same
   * repository, whichever worktree), with only those records as `activity`; and those holding
   * unexpired reservations in the same repository whose patterns cover `relPath` (`patternMatches`
   * of src/core/globs.ts), with only those reservations. Each with its status. Others are left out.
   */
  coordinationFor(file: FileKey, now: number): Awaitable<SessionCoordination[]>;
  /** Set (or clear, with undefined) what `code` says it is doing. */
  setStatus(code: string, status: SessionStatus | undefined): Awaitable<void>;
  /** Replace `code`'s reservations with `reservations` (the caller merges; the store bounds and expires). */
  setReservations(code: string, reservations: readonly Reservation[]): Awaitable<void>;
  /**
   * Warn once: true if (code, key) has not been noted within `windowMs` before `now` (and notes it),
   * false otherwise. Exactly one of several racing callers gets true.
   */
  firstWarning(code: string, key: string, now: number, windowMs: number): Awaitable<boolean>;
}
