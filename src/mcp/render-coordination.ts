import { displayText } from '../core/framing.js';
import type { SessionCoordination } from '../store/coordination.js';
import { ago, renderSessions } from './render.js';

/** How many recent files `who` shows per session (newest first). */
export const WHO_RECENT_FILES = 5;

function hhmm(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** `who` for people and models: each session's line, then its status, recent files and reservations. */
export function renderWho(views: readonly SessionCoordination[], me: string | undefined, now: number): string {
  return views
    .map((v) => {
      const lines = [renderSessions([v.session], me, now)];
      if (v.status) lines.push(`  status: "${displayText(v.status.text)}" (${ago(v.status.at, now)})`);
      if (v.activity.length > 0) {
        const files = v.activity.slice(0, WHO_RECENT_FILES).map((a) => {
          const where = a.worktree === v.session.projectRoot || a.worktree === v.session.cwd ? '' : ` in ${displayText(a.worktree)}`;
          return `${displayText(a.relPath || a.path)}${where} (${displayText(a.tool)}, ${ago(a.at, now)})`;
        });
        lines.push(`  recent files: ${files.join(', ')}${v.activity.length > WHO_RECENT_FILES ? `, and ${v.activity.length - WHO_RECENT_FILES} more` : ''}`);
      }
      for (const r of v.reservations) {
        lines.push(`  reserved: ${r.patterns.map(displayText).join(', ')} until ${hhmm(r.expiresAt)}${r.reason ? ` ("${displayText(r.reason)}")` : ''}`);
      }
      return lines.join('\n');
    })
    .join('\n');
}

/** The coordination part of a session in `who --json`. */
export function coordinationJson(v: SessionCoordination): Record<string, unknown> {
  return {
    status: v.status ? { text: v.status.text, at: new Date(v.status.at).toISOString() } : null,
    recentFiles: v.activity.slice(0, WHO_RECENT_FILES).map((a) => ({
      path: a.path,
      relPath: a.relPath,
      worktree: a.worktree,
      ...(a.branch ? { branch: a.branch } : {}),
      tool: a.tool,
      at: new Date(a.at).toISOString(),
    })),
    reservations: v.reservations.map((r) => ({
      patterns: r.patterns,
      worktree: r.worktree,
      ...(r.reason ? { reason: r.reason } : {}),
      since: new Date(r.since).toISOString(),
      expiresAt: new Date(r.expiresAt).toISOString(),
    })),
  };
}
