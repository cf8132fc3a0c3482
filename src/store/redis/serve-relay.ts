import type { Presence } from '../../core/types.js';
import type { IntercomStore } from '../store.js';
import { Relay } from './relay.js';
import { TeamStore } from './team-store.js';

/** Longest a session's end waits to take it off the engine (it lapses within its ttl anyway). */
const STOP_WAIT_MS = 1500;

/** Start the session's relay when its store has a team engine; a handle whose stop never hangs. */
export function startRelay(store: IntercomStore, presence: Presence, log: (line: string) => void): { stop(): Promise<void> } | undefined {
  if (!(store instanceof TeamStore)) return undefined;
  const relay = new Relay(store.local, store.remote, presence, { log });
  relay.start();
  return {
    stop: () =>
      Promise.race([relay.stop(), new Promise<void>((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]).finally(() => store.close()),
  };
}
