import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { FsStore } from './fs-store.js';
import type { IntercomStore } from './store.js';

export type { IntercomStore, WatcherLease } from './store.js';

/** `$CLAUDE_INTERCOM_HOME`, else `~/.claude-intercom`. Resolved per call, never at module load. */
export function intercomHome(ctx: Pick<Context, 'env' | 'homeDir'>): string {
  const fromEnv = ctx.env.CLAUDE_INTERCOM_HOME;
  return fromEnv && fromEnv.trim() !== '' ? fromEnv : join(ctx.homeDir, '.claude-intercom');
}

/** The store for this context: today always the embedded file-system backend. */
export function openStore(ctx: Pick<Context, 'env' | 'homeDir'>): IntercomStore {
  return FsStore.open(intercomHome(ctx));
}
