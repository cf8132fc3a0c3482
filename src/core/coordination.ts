import { realpathSync } from 'node:fs';
import { findCheckout, resolveEditTarget, type EditTarget } from './checkout.js';
import { composeVerdict, findConflicts, type GuardVerdict, isRefusal, RECENT_EDIT_WINDOW_MS, warningKey } from './edit-guard.js';
import { InvalidInputError } from './errors.js';
import { inProject } from './intercom.js';
import { normalizePattern } from './globs.js';
import type { Presence } from './types.js';
import {
  PATTERNS_PER_RESERVATION,
  type Reservation,
  RESERVATIONS_PER_SESSION,
  type SessionCoordination,
  STATUS_MAX_CHARS,
} from '../store/coordination.js';
import type { IntercomStore } from '../store/store.js';

export const RESERVE_DEFAULT_MINUTES = 30;
export const RESERVE_MAX_MINUTES = 8 * 60;

export { EDIT_TOOL_MATCHER, EDIT_TOOLS, editedPath, isEditTool } from './edit-tools.js';

/**
 * Who is editing what: the rules between the hooks, the MCP tools and the store. The hook and the
 * MCP tool call `checkEdit` before an edit and `recordEdit` after it.
 */
export class Coordination {
  constructor(
    readonly store: IntercomStore,
    private readonly now: () => number = Date.now,
    readonly windowMs = RECENT_EDIT_WINDOW_MS,
  ) {}

  /** What to tell session `me` before it edits `rawPath`: nothing, a refusal once, or a notice once. */
  async checkEdit(me: string, rawPath: unknown, cwd: string): Promise<GuardVerdict> {
    const target = resolveEditTarget(rawPath, cwd);
    if (!target) return {};
    const now = this.now();
    const findings = findConflicts(me, target, await this.store.coordinationFor(target, now), now, this.windowMs);
    const fresh = [];
    for (const f of findings) {
      const key = `${isRefusal(f) ? 'deny' : 'note'}\n${warningKey(target, f)}`;
      if (await this.store.firstWarning(me, key, now, this.windowMs)) fresh.push(f);
    }
    return composeVerdict(fresh, target, now, this.windowMs);
  }

  /** Remember that `me` edited `rawPath` with `tool` (after the edit). */
  async recordEdit(me: string, rawPath: unknown, cwd: string, tool: string): Promise<EditTarget | undefined> {
    const target = resolveEditTarget(rawPath, cwd);
    if (!target) return undefined;
    await this.store.recordActivity(me, {
      path: target.path,
      worktree: target.worktree,
      relPath: target.relPath,
      ...(target.gitCommonDir ? { gitCommonDir: target.gitCommonDir } : {}),
      ...(target.branch ? { branch: target.branch } : {}),
      tool: tool.slice(0, 64),
      at: this.now(),
    });
    return target;
  }

  async setStatus(me: Presence, textRaw: unknown): Promise<string | undefined> {
    if (typeof textRaw !== 'string') throw new InvalidInputError('status needs a text.', 'Say in a few words what you are doing, or "" to clear it.');
    const text = textRaw.replace(/\s+/g, ' ').trim();
    if (text.length > STATUS_MAX_CHARS) throw new InvalidInputError(`The status is ${text.length} characters; at most ${STATUS_MAX_CHARS}.`, 'Say it in one short line.');
    await this.store.setStatus(me.code, text === '' ? undefined : { text, at: this.now() });
    return text === '' ? undefined : text;
  }

  /** Reserve paths or globs relative to `me`'s checkout for `minutes`; returns the new reservation. */
  async reserve(me: Presence, pathsRaw: unknown, minutesRaw: unknown, reasonRaw: unknown): Promise<Reservation> {
    const list = typeof pathsRaw === 'string' ? [pathsRaw] : pathsRaw;
    if (!Array.isArray(list) || list.length === 0) throw new InvalidInputError('reserve needs paths: a list of paths or globs relative to your checkout.', 'e.g. {"paths": ["docs/**", "src/store.ts"]}');
    if (list.length > PATTERNS_PER_RESERVATION) throw new InvalidInputError(`At most ${PATTERNS_PER_RESERVATION} paths in one reservation (got ${list.length}).`, 'Use a glob such as "src/store/**".');
    const minutes = minutesRaw === undefined ? RESERVE_DEFAULT_MINUTES : minutesRaw;
    if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes <= 0 || minutes > RESERVE_MAX_MINUTES) {
      throw new InvalidInputError(`minutes must be a number from 1 to ${RESERVE_MAX_MINUTES} (got ${JSON.stringify(minutesRaw)}).`);
    }
    if (reasonRaw !== undefined && typeof reasonRaw !== 'string') throw new InvalidInputError('reason must be a text.');
    const reason = reasonRaw?.replace(/\s+/g, ' ').trim().slice(0, STATUS_MAX_CHARS);
    const checkout = findCheckout(realDir(me.cwd));
    const patterns = [...new Set(list.map((p) => normalizePattern(p, checkout.worktree)))];
    const now = this.now();
    const mine = (await this.own(me.code, now)).filter((r) => !(r.worktree === checkout.worktree && r.patterns.join('\n') === patterns.join('\n')));
    if (mine.length >= RESERVATIONS_PER_SESSION) throw new InvalidInputError(`You already hold ${mine.length} reservations.`, 'Release some with `release`, or reserve a wider glob.');
    const reservation: Reservation = {
      patterns,
      worktree: checkout.worktree,
      ...(checkout.gitCommonDir ? { gitCommonDir: checkout.gitCommonDir } : {}),
      ...(reason ? { reason } : {}),
      since: now,
      expiresAt: now + Math.round(minutes * 60_000),
    };
    await this.store.setReservations(me.code, [...mine, reservation]);
    return reservation;
  }

  /** Release the given paths (as reserved) or, with none, everything; returns how many patterns were released. */
  async release(me: Presence, pathsRaw: unknown): Promise<number> {
    const now = this.now();
    const mine = await this.own(me.code, now);
    const before = mine.reduce((n, r) => n + r.patterns.length, 0);
    if (pathsRaw === undefined || (Array.isArray(pathsRaw) && pathsRaw.length === 0)) {
      await this.store.setReservations(me.code, []);
      return before;
    }
    const list = typeof pathsRaw === 'string' ? [pathsRaw] : pathsRaw;
    if (!Array.isArray(list)) throw new InvalidInputError('release takes a list of paths (as you reserved them), or nothing to release all.');
    const worktree = findCheckout(realDir(me.cwd)).worktree;
    const drop = new Set(list.map((p) => normalizePattern(p, worktree)));
    const kept = mine.map((r) => ({ ...r, patterns: r.patterns.filter((p) => !drop.has(p)) })).filter((r) => r.patterns.length > 0);
    await this.store.setReservations(me.code, kept);
    return before - kept.reduce((n, r) => n + r.patterns.length, 0);
  }

  private async own(code: string, now: number): Promise<Reservation[]> {
    return (await this.store.coordination(now)).find((c) => c.session.code === code)?.reservations ?? [];
  }

  /** Live sessions with what they do, of one project (by root) or all. */
  async view(scope: 'project' | 'all', projectRoot: string, projectId?: string): Promise<SessionCoordination[]> {
    const all = await this.store.coordination(this.now());
    return scope === 'all' ? all : all.filter((c) => inProject(c.session, projectRoot, projectId));
  }
}

function realDir(dir: string): string {
  try {
    return realpathSync.native(dir);
  } catch {
    return dir;
  }
}
