import type { Context } from '../core/context.js';
import type { IntercomStore } from '../store/store.js';
import { decideDeliveryPath, gatherPathFacts } from './delivery-path.js';
import { debugLog } from './hook-io.js';
import { startInboxPoster } from './inbox-poster.js';
import { processStart } from '../os/proc.js';

/**
 * Wire the inbox-socket path into `serve`: decide from what Claude Code and its settings say,
 * record the decision for the watcher and `doctor`, and post while it holds. Returns a stop function.
 */
export function startSocketDelivery(opts: {
  ctx: Context;
  store: IntercomStore;
  code: () => string;
  claudePid: number;
  clientVersion: string | undefined;
  /** The permission mode a hook last reported (the session may switch to bypass after it started). */
  permissionMode: () => string | undefined;
}): () => void {
  const { ctx, store } = opts;
  const decide = () => {
    const facts = gatherPathFacts({
      env: ctx.env,
      homeDir: ctx.homeDir,
      claudePid: opts.claudePid,
      claudeVersion: opts.clientVersion,
      projectDir: ctx.env.CLAUDE_PROJECT_DIR || ctx.cwd,
    });
    const mode = opts.permissionMode();
    if (mode !== undefined) facts.bypassPermissions = mode === 'bypassPermissions' ? 'permission mode bypassPermissions, switched to in the session' : undefined;
    return decideDeliveryPath(facts);
  };
  try {
    const poster = startInboxPoster({
      store,
      code: opts.code,
      socketPath: ctx.env.CLAUDE_CODE_MESSAGING_SOCKET ?? '',
      ...(ctx.env.CLAUDE_CODE_MESSAGING_TOKEN ? { token: ctx.env.CLAUDE_CODE_MESSAGING_TOKEN } : {}),
      decide,
      selfPid: ctx.pid,
      selfStart: processStart(ctx.pid) ?? String(ctx.now()),
      now: ctx.now,
      onError: (what, err) => debugLog(store.location, `serve: ${what}`, err),
    });
    return () => poster.stop();
  } catch (err) {
    // No doorbell (or no store): the hooks still deliver, as before the socket existed.
    debugLog(store.location, 'serve: starting the inbox-socket delivery', err);
    return () => undefined;
  }
}
