import type { EditTarget } from './checkout.js';
import { displayText } from './framing.js';
import { patternMatches } from './globs.js';
import type { Presence } from './types.js';
import type { FileActivity, Reservation, SessionCoordination } from '../store/coordination.js';

/**
 * The decision before an edit, apart from any I/O: given the file a session is about to change and
 * what the other live sessions did and hold, what (if anything) to tell it first.
 *
 * - Another session edited the same file in the same checkout within the window, or holds a
 *   reservation covering it: the first attempt is refused (`deny`, the only hook answer that
 *   reaches the model before the edit), with who, what, when, its status and what to do.
 * - Another worktree of the same repository edited (or reserved) the same repository path: a
 *   notice, never a refusal (the edits meet at merge time, not on disk).
 * Warn-once is the caller's: each (session, file, other session) is told once per window, so the
 * retry goes through with no decision at all, and two sessions warning each other never deadlock.
 */

/** "Recently": an edit this old or newer counts. Long enough to span a model's read-think-edit loop. */
export const RECENT_EDIT_WINDOW_MS = 10 * 60_000;

export type Finding =
  | { kind: 'edited'; peer: SessionCoordination; activity: FileActivity }
  | { kind: 'reserved'; peer: SessionCoordination; reservation: Reservation; pattern: string }
  | { kind: 'other-worktree-edited'; peer: SessionCoordination; activity: FileActivity }
  | { kind: 'other-worktree-reserved'; peer: SessionCoordination; reservation: Reservation; pattern: string };

export function isRefusal(f: Finding): boolean {
  return f.kind === 'edited' || f.kind === 'reserved';
}

/** Every reason to speak up about `target` for session `me`: at most one per other session, the most serious. */
export function findConflicts(me: string, target: EditTarget, peers: readonly SessionCoordination[], now: number, windowMs = RECENT_EDIT_WINDOW_MS): Finding[] {
  const out: Finding[] = [];
  for (const peer of peers) {
    if (peer.session.code === me) continue;
    const f = conflictWith(peer, target, now, windowMs);
    if (f) out.push(f);
  }
  return out;
}

function conflictWith(peer: SessionCoordination, target: EditTarget, now: number, windowMs: number): Finding | undefined {
  const recent = peer.activity.filter((a) => now - a.at <= windowMs && a.at <= now + windowMs);
  const live = peer.reservations.filter((r) => r.expiresAt > now);
  const edited = recent.find((a) => a.path === target.path);
  if (edited) return { kind: 'edited', peer, activity: edited };
  for (const r of live) {
    if (r.worktree !== target.worktree) continue;
    const pattern = r.patterns.find((p) => patternMatches(p, target.relPath));
    if (pattern) return { kind: 'reserved', peer, reservation: r, pattern };
  }
  if (!target.gitCommonDir) return undefined;
  const sameRepo = (x: { gitCommonDir?: string; worktree: string }) => x.gitCommonDir === target.gitCommonDir && x.worktree !== target.worktree;
  const elsewhere = recent.find((a) => sameRepo(a) && a.relPath === target.relPath);
  if (elsewhere) return { kind: 'other-worktree-edited', peer, activity: elsewhere };
  for (const r of live) {
    if (!sameRepo(r)) continue;
    const pattern = r.patterns.find((p) => patternMatches(p, target.relPath));
    if (pattern) return { kind: 'other-worktree-reserved', peer, reservation: r, pattern };
  }
  return undefined;
}

/** The warn-once key: one per (file, other session); the store scopes it to the editing session. */
export function warningKey(target: EditTarget, f: Finding): string {
  return `${f.peer.session.code}\n${target.path}`;
}

/** What the hook says: a refusal reason (deny), and/or a notice (context that does not block). */
export interface GuardVerdict {
  deny?: string;
  notice?: string;
}

/** A session as people and models should read it: its code, and its name when it has one. */
export function sessionLabel(s: Presence): string {
  const name = (s as Presence & { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? `${s.code} (${displayText(name)})` : s.code;
}

function ago(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  return s < 60 ? `${s}s ago` : `${Math.round(s / 60)} min ago`;
}

function statusOf(peer: SessionCoordination): string {
  return peer.status ? ` Its status: "${displayText(peer.status.text)}".` : '';
}

function onBranch(branch: string | undefined): string {
  return branch ? ` on branch ${displayText(branch)}` : '';
}

function line(f: Finding, target: EditTarget, now: number): string {
  const who = `session ${sessionLabel(f.peer.session)}`;
  const file = displayText(target.relPath || target.path);
  switch (f.kind) {
    case 'edited':
      return `${who} changed ${file} ${ago(f.activity.at, now)} (${displayText(f.activity.tool)})${onBranch(f.activity.branch)} and may still be working on it.${statusOf(f.peer)}`;
    case 'reserved':
      return `${who} has reserved ${displayText(f.pattern)} (covering ${file}) until ${new Date(f.reservation.expiresAt).toISOString().slice(11, 16)} UTC${f.reservation.reason ? `: "${displayText(f.reservation.reason)}"` : ''}.${statusOf(f.peer)}`;
    case 'other-worktree-edited':
      return `${who} is editing ${file} in another worktree of this repository (${displayText(f.activity.worktree)}${onBranch(f.activity.branch)}, ${ago(f.activity.at, now)}): expect a merge conflict.${statusOf(f.peer)}`;
    case 'other-worktree-reserved':
      return `${who} has reserved ${displayText(f.pattern)} in another worktree of this repository (${displayText(f.reservation.worktree)}): expect a merge conflict.${statusOf(f.peer)}`;
  }
}

/** The words for the findings that are fresh (not yet warned about in this window). */
export function composeVerdict(fresh: readonly Finding[], target: EditTarget, now: number, windowMs = RECENT_EDIT_WINDOW_MS): GuardVerdict {
  const refusals = fresh.filter(isRefusal);
  const notices = fresh.filter((f) => !isRefusal(f));
  const verdict: GuardVerdict = {};
  if (refusals.length > 0) {
    const codes = refusals.map((f) => f.peer.session.code);
    verdict.deny = [
      `claude-intercom: not changed yet — ${refusals.map((f) => line(f, target, now)).join(' ')}`,
      `Choose: ask first (mcp__intercom__send to ${codes.map((c) => `"${c}"`).join(' or ')}), or wait and re-read the file, ` +
        `or retry the same edit to go ahead (you will not be stopped again for this file and ${codes.length > 1 ? 'these sessions' : 'this session'} for ${Math.round(windowMs / 60_000)} minutes).`,
    ].join('\n');
  }
  if (notices.length > 0) verdict.notice = `claude-intercom: ${notices.map((f) => line(f, target, now)).join(' ')}`;
  return verdict;
}
