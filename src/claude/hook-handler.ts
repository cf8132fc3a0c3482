import { frameDelivery, senderLine } from '../core/framing.js';
import { toolPrefix } from './tool-names.js';
import type { IntercomStore } from '../store/store.js';
import type { HookInput } from './hook-io.js';
import { findSession } from './session-identity.js';
import { handleEditEvent } from './edit-hook.js';
import { editedPath, isEditTool } from '../core/edit-tools.js';

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
  /** A failure recording an edit: logged by the caller; it must not cost the session its messages. */
  editError?: unknown;
}

/**
 * One hook event: mark the session active and claim unread messages into the model's context.
 * Claiming is the store's atomic move out of unread, so the watcher and this hook can never both
 * deliver a message. (UserPromptSubmit is not installed any more; it is still understood.)
 *
 * When the claim counts as delivered: Claude Code uses the stdout of a killed hook if it is whole
 * JSON, and drops it if it is not (both measured, test/e2e/claude-facts-killed.test.ts). So the
 * JSON goes out without its last byte, the claim is committed, and the last byte follows: killed
 * before the commit, the output was unusable and the messages go back to unread; killed after it,
 * only a one-byte write stood between the commit and a usable output. (Plain stdout, used for
 * SessionStart, is read as it is: it is written whole, then committed.)
 */
export async function handleHookEvent(
  store: IntercomStore,
  input: HookInput,
  env: NodeJS.ProcessEnv,
  selfPid: number,
  write: (stdout: string) => void = () => undefined,
): Promise<HookOutcome> {
  // Only Claude Code's own event names, as strings: not `constructor` or `__proto__` (inherited
  // from Object.prototype), nor an array that coerces to a known name.
  const event = typeof input.hook_event_name === 'string' ? input.hook_event_name : '';
  const mode = Object.hasOwn(DELIVERY, event) ? DELIVERY[event] : undefined;
  if (!mode) return { delivered: [] };
  const session = await findSession(store, env, selfPid);
  if (!session) return { delivered: [] };
  await store.touch(session.code);
  let editError: unknown;

  // File edits: before one, speak up about other sessions' work on the file (and only that);
  // after one, record it, then deliver messages as after any tool.
  if (isEditTool(input.tool_name) && (event === 'PreToolUse' || event === 'PostToolUse')) {
    const edit = { event, tool: input.tool_name, path: editedPath(input.tool_input), cwd: typeof input.cwd === 'string' ? input.cwd : session.cwd };
    if (event === 'PreToolUse') {
      const said = await handleEditEvent(store, session, edit);
      if (!said) return { delivered: [] };
      write(`${said}\n`); // the caller prints only through `write`
      return { stdout: `${said}\n`, delivered: [] };
    }
    try {
      await handleEditEvent(store, session, edit);
    } catch (err) {
      editError = err;
    }
  }

  const outcome = await deliverToHook(store, session.code, event, toolPrefix(env), write);
  return editError !== undefined ? { ...outcome, editError } : outcome;
}

/**
 * Claim unread messages of `code` into one hook's output for `event` (the command hook above, and
 * the `mcp_tool` hook that serve answers, share it): JSON `additionalContext` for tool events,
 * plain text for SessionStart/UserPromptSubmit. Nothing for other events or an empty inbox. The
 * claim is committed only after `write` has put the whole output out (see beginClaim).
 */
export async function deliverToHook(
  store: IntercomStore,
  code: string,
  event: string,
  tools: string,
  write: (stdout: string) => void = () => undefined,
): Promise<HookOutcome> {
  const mode = Object.hasOwn(DELIVERY, event) ? DELIVERY[event] : undefined;
  if (!mode) return { delivered: [] };
  await store.touch(code);
  const claimed = await store.beginClaim(code, MAX_PER_DELIVERY);
  if (claimed.length === 0) return { delivered: [] };
  let text = frameDelivery(claimed, code, tools);
  if (await store.hasUnread(code)) text += `\nMore messages are waiting: call ${tools}peek.`;
  const stdout =
    mode === 'json'
      ? // systemMessage: the person sees who wrote what (the model reads the additionalContext).
        JSON.stringify({
          systemMessage: claimed.map((m) => `claude-intercom: ${senderLine(m)}`).join('\n'),
          hookSpecificOutput: { hookEventName: event, additionalContext: text },
        })
      : text;
  const out = `${stdout}\n`;
  // The JSON ends `}}\n`: withholding the last two bytes leaves it unparsable until the commit.
  const held = mode === 'json' ? 2 : 0;
  write(out.slice(0, out.length - held));
  await store.commitClaim(code);
  if (held) write(out.slice(out.length - held));
  return { stdout: out, delivered: claimed.map((m) => m.id) };
}
