import type { Context } from '../core/context.js';
import { handleHookEvent } from '../claude/hook-handler.js';
import { debugLog, readHookInput, writeAllSync } from '../claude/hook-io.js';
import { intercomHome, openLocalStore } from '../store/local.js';

/**
 * `claude-intercom hook`: runs before Claude Code goes on after every tool call, so it is lean (no
 * yargs, no MCP SDK) and it can never hurt the session: always exit 0, never block a tool,
 * failures go to the debug log, not to Claude Code.
 */
export async function runHook(ctx: Context): Promise<number> {
  const home = intercomHome(ctx);
  try {
    const input = readHookInput();
    const store = openLocalStore(home);
    const outcome = await handleHookEvent(store, input, ctx.env, ctx.pid, (stdout) => writeAllSync(1, stdout));
    if (outcome.editError !== undefined) debugLog(home, 'hook: recording an edit', outcome.editError);
  } catch (err) {
    debugLog(home, 'hook', err);
  }
  return 0;
}
