import type { Context } from '../core/context.js';
import { debugLog, readHookInput, writeAllSync } from '../claude/hook-io.js';
import { EXIT_QUIET, watch } from '../claude/watcher.js';
import { intercomHome, openLocalStore } from '../store/local.js';

/**
 * `claude-intercom watch`: the idle watcher (Stop / SessionStart, asyncRewake). Exit 2 means
 * "wake the model with my stderr" to Claude Code, so every failure path ends in exit 0.
 */
export async function runWatch(ctx: Context): Promise<number> {
  const home = intercomHome(ctx);
  try {
    const input = readHookInput();
    const store = openLocalStore(home);
    const stopSignal = new Promise<void>((resolve) => {
      for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(sig, () => resolve());
    });
    return await watch({
      store,
      input,
      env: ctx.env,
      selfPid: ctx.pid,
      writeStderr: (text) => writeAllSync(2, text),
      stopSignal,
    });
  } catch (err) {
    debugLog(home, 'watch', err);
    return EXIT_QUIET;
  }
}
