import { frameDelivery, senderLine } from '../core/framing.js';
import type { IntercomStore } from '../store/store.js';
import type { HookInput } from './hook-io.js';
import { findSession } from './session-identity.js';

/** At most this many messages go into one hook's context; the rest wait for the next one or `peek`. */
export const MAX_PER_DELIVERY = 20;

/** How each event's output reaches the model (see the facts file: plain stdout from PreToolUse never does). */
const DELIVERY: Record<string, 'json' | 'plain'> = {
  PreToolUse: 'json',
  PostToolUse: 'json',
  PostToolUseFailure: 'json',
  UserPromptSubmit: 'plain',
  SessionStart: 'plain',
};

export interface HookOutcome {
  /** What to print on stdout (nothing when there is nothing to deliver). */
  stdout?: string;
  delivered: string[];
}

/**
 * One hook event: mark the session active and claim unread messages into the model's context.
 * Claiming is the store's atomic unread -> shown move, so the watcher and this hook can never both
 * deliver a message. (UserPromptSubmit is not installed any more; it is still understood.)
 */
export function handleHookEvent(store: IntercomStore, input: HookInput, env: NodeJS.ProcessEnv, selfPid: number): HookOutcome {
  // Only Claude Code's own event names, as strings: not `constructor` or `__proto__` (inherited
  // from Object.prototype), nor an array that coerces to a known name.
  const event = typeof input.hook_event_name === 'string' ? input.hook_event_name : '';
  const mode = Object.hasOwn(DELIVERY, event) ? DELIVERY[event] : undefined;
  if (!mode) return { delivered: [] };
  const session = findSession(store, env, selfPid);
  if (!session) return { delivered: [] };
  return deliverToHook(store, session.code, event);
}

/**
 * Claim unread messages of `code` into one hook's output for `event` (the command hook above, and
 * the `mcp_tool` hook that serve answers, share it): JSON `additionalContext` for tool events,
 * plain text for SessionStart/UserPromptSubmit. Nothing for other events or an empty inbox.
 */
export function deliverToHook(store: IntercomStore, code: string, event: string): HookOutcome {
  const mode = Object.hasOwn(DELIVERY, event) ? DELIVERY[event] : undefined;
  if (!mode) return { delivered: [] };
  store.touch(code);
  const claimed = store.claim(code, MAX_PER_DELIVERY);
  if (claimed.length === 0) return { delivered: [] };
  let text = frameDelivery(claimed, code);
  if (store.hasUnread(code)) text += '\nMore messages are waiting: call mcp__intercom__peek.';
  const stdout =
    mode === 'json'
      ? // systemMessage: the person sees who wrote what (the model reads the additionalContext).
        JSON.stringify({
          systemMessage: claimed.map((m) => `claude-intercom: ${senderLine(m)}`).join('\n'),
          hookSpecificOutput: { hookEventName: event, additionalContext: text },
        })
      : text;
  return { stdout: `${stdout}\n`, delivered: claimed.map((m) => m.id) };
}
