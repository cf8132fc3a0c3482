import { describeError } from '../core/errors.js';
import { displayText, frameMessage } from '../core/framing.js';
import type { InboxEntry, Presence } from '../core/types.js';

/** Tool results as the model reads them. */

export interface ToolResult {
  [key: string]: unknown;
  content: Array<{ type: 'text'; text: string }>;
  isError?: boolean;
}

export function ok(text: string): ToolResult {
  return { content: [{ type: 'text', text }] };
}

/** A failing tool returns a useful isError result instead of throwing into the transport. */
export function fail(err: unknown): ToolResult {
  return { content: [{ type: 'text', text: describeError(err) }], isError: true };
}

export function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

export function renderSessions(sessions: readonly Presence[], me: string | undefined, now: number): string {
  return sessions
    .map(
      (s) =>
        `${s.code}${s.code === me ? ' (you)' : ''}  project ${displayText(s.projectName)}${s.machine ? `  machine ${displayText(s.machine)}` : ''}  cwd ${displayText(s.cwd)}  since ${new Date(s.startedAt).toISOString()}  active ${ago(s.lastActiveAt, now)}`,
    )
    .join('\n');
}

export function renderInbox(entries: readonly InboxEntry[]): string {
  return entries.map((e) => frameMessage(e)).join('\n');
}
