import { Coordination } from '../core/coordination.js';
import { isEditTool } from '../core/edit-tools.js';
import type { GuardVerdict } from '../core/edit-guard.js';
import type { Presence } from '../core/types.js';
import type { IntercomStore } from '../store/store.js';

/**
 * The file-edit side of the hooks, shared by the command hook (`hook.cjs`) and the `mcp_tool` hook
 * (serve's `edit_hook` tool): PreToolUse asks whether to speak up before the edit, PostToolUse
 * records it. Only `deny` reaches the model before the edit (facts file); there is never `allow`
 * (that would skip the person's own permission rules) and never `ask` (a dialog nobody may be
 * there to answer): a retry gets no decision at all.
 */

export interface EditEvent {
  event: string;
  tool: unknown;
  path: unknown;
  cwd: string;
}

/** Hook stdout for a verdict, or undefined for "say nothing". */
export function preToolUseOutput(v: GuardVerdict): string | undefined {
  if (v.deny) {
    const reason = v.notice ? `${v.deny}\n${v.notice}` : v.deny;
    return JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } });
  }
  // A notice does not block: it reaches the model as context (after the edit, which it does not stop).
  if (v.notice) return JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: v.notice } });
  return undefined;
}

/** Handle a Pre/PostToolUse of an edit tool for `session`; returns hook stdout (or undefined). */
export async function handleEditEvent(store: IntercomStore, session: Presence, e: EditEvent, now: () => number = Date.now): Promise<string | undefined> {
  if (!isEditTool(e.tool)) return undefined;
  const path = e.path;
  if (typeof path !== 'string' || path === '') return undefined;
  const coordination = new Coordination(store, now);
  if (e.event === 'PreToolUse') return preToolUseOutput(await coordination.checkEdit(session.code, path, e.cwd));
  if (e.event === 'PostToolUse') await coordination.recordEdit(session.code, path, e.cwd, e.tool);
  return undefined;
}

