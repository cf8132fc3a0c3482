import type { Context } from '../core/context.js';
import { intercomHome, openLocalStore } from './local.js';
import { teamConfig } from './redis/config.js';
import { RedisStore } from './redis/redis-store.js';
import { TeamStore } from './redis/team-store.js';
import type { IntercomStore } from './store.js';

export type { Awaitable, IntercomStore, MessageStore, PresenceStore, WakeStore, WatcherLease } from './store.js';
export { intercomHome, openLocalStore } from './local.js';
export type { CoordinationStore, FileActivity, Reservation, SessionCoordination, SessionStatus } from './coordination.js';

/**
 * The one seam where a store is opened: every command, hook, watcher and doctor check comes
 * through here (the hot path through its local half, local.ts), so a backend plugs in at this
 * point and nowhere else.
 */

/**
 * The store for this context, for a session's `serve` and people's commands: this machine's store,
 * joined with the team engine when one is configured (`CLAUDE_INTERCOM_URL`, or `backend.url` in
 * the intercom home; see src/store/redis/). Never for the hook or the watcher: `openLocalStore`.
 */
export function openStore(ctx: Pick<Context, 'env' | 'homeDir'>): IntercomStore {
  const local = openLocalStore(intercomHome(ctx));
  const engine = openTeamEngine(ctx);
  return engine ? new TeamStore(local, engine) : local;
}

/** The team engine alone, when one is configured (doctor's check); undefined without one. */
export function openTeamEngine(ctx: Pick<Context, 'env' | 'homeDir'>): RedisStore | undefined {
  const team = teamConfig(ctx.env, intercomHome(ctx));
  if (!team) return undefined;
  return new RedisStore(team.address, { machine: team.machine, ...(team.ttlMs ? { ttlMs: team.ttlMs } : {}) });
}
