import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { FsStore } from './fs/fs-store.js';
import type { IntercomStore } from './store.js';

/**
 * The half of the seam (index.ts) that the hot path uses: this machine's store, and nothing that
 * could reach a network. The hook and the watcher import this file, never index.ts, so their
 * bundle holds no network client (checked by test/unit/hot-path-local.test.ts).
 */

/** `$CLAUDE_INTERCOM_HOME`, else `~/.claude-intercom`. Resolved per call, never at module load. */
export function intercomHome(ctx: Pick<Context, 'env' | 'homeDir'>): string {
  const fromEnv = ctx.env.CLAUDE_INTERCOM_HOME;
  return fromEnv && fromEnv.trim() !== '' ? fromEnv : join(ctx.homeDir, '.claude-intercom');
}

/**
 * The machine-local store in `home` (created private if missing; refused when unsafe). The hot
 * path (hook, watcher) always uses it: a networked backend feeds it through the session's relay,
 * it never stands in its place, so no hook waits on a network.
 */
export function openLocalStore(home: string): IntercomStore {
  return FsStore.open(home);
}
