import { frameDelivery } from '../core/framing.js';
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
      return said ? { stdout: `${said}\n`, delivered: [] } : { delivered: [] };
    }
    try {
      await handleEditEvent(store, session, edit);
    } catch (err) {
      editError = err;
    }
  }

  const claimed = await store.beginClaim(session.code, MAX_PER_DELIVERY);
  if (claimed.length === 0) return { delivered: [], ...(editError !== undefined ? { editError } : {}) };
  let text = frameDelivery(claimed, session.code, toolPrefix(env));
  if (await store.hasUnread(session.code)) text += `\nMore messages are waiting: call ${toolPrefix(env)}peek.`;
  const stdout =
    mode === 'json'
      ? JSON.stringify({ hookSpecificOutput: { hookEventName: event, additionalContext: text } })
      : text;
  const out = `${stdout}\n`;
  // The JSON ends `}}\n`: withholding the last two bytes leaves it unparsable until the commit.
  const held = mode === 'json' ? 2 : 0;
  write(out.slice(0, out.length - held));
  await store.commitClaim(session.code);
  if (held) write(out.slice(out.length - held));
  return { stdout: out, delivered: claimed.map((m) => m.id), ...(editError !== undefined ? { editError } : {}) };
}
