import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { FsStore } from './fs/fs-store.js';
import type { IntercomStore } from './store.js';

export type { Awaitable, IntercomStore, MessageStore, PresenceStore, WakeStore, WatcherLease } from './store.js';

/**
 * The one seam where a store is opened: every command, hook, watcher and doctor check comes
 * through here, so a second backend plugs in at this point and nowhere else.
 */

/** `$CLAUDE_INTERCOM_HOME`, else `~/.claude-intercom`. Resolved per call, never at module load. */
export function intercomHome(ctx: Pick<Context, 'env' | 'homeDir'>): string {
  const fromEnv = ctx.env.CLAUDE_INTERCOM_HOME;
  return fromEnv && fromEnv.trim() !== '' ? fromEnv : join(ctx.homeDir, '.claude-intercom');
}

/** The store for this context: today always the embedded file-system backend in the intercom home. */
export function openStore(ctx: Pick<Context, 'env' | 'homeDir'>): IntercomStore {
  return openLocalStore(intercomHome(ctx));
}

/**
 * The machine-local store in `home` (created private if missing; refused when unsafe). The hot
 * path always uses the local store: a networked backend feeds it, it never stands in its place.
 */
export function openLocalStore(home: string): IntercomStore {
  return FsStore.open(home);
}
