import type { IntercomStore } from '../store/store.js';
import type { Presence } from '../core/types.js';
import { ancestors } from '../os/proc.js';

/**
 * Which session a hook or watcher belongs to. Claude Code sets CLAUDE_PID for hooks: the session is
 * the presence that `serve` registered for exactly that process. Where CLAUDE_PID is missing, walk
 * our own ancestors and take the nearest one that IS a registered Claude Code process; never a
 * shared ancestor such as a tmux server (that mistake gave the prototype crossed messages).
 */
export function claudePidFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.CLAUDE_PID;
  if (!raw || !/^\d{1,9}$/.test(raw)) return undefined;
  return Number(raw);
}

export async function findSession(store: IntercomStore, env: NodeJS.ProcessEnv, selfPid: number): Promise<Presence | undefined> {
  const pid = claudePidFromEnv(env);
  if (pid !== undefined) return store.sessionByPid(pid);
  for (const ancestor of ancestors(selfPid)) {
    const s = await store.sessionByPid(ancestor);
    if (s) return s;
  }
  return undefined;
}
