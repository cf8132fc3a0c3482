import type { Presence } from '../../src/core/types.js';
import type { IntercomStore } from '../../src/store/store.js';

/**
 * What a backend gives the contract suite: a fresh, empty store per test, and live sessions that
 * the test can end abruptly. How a backend learns that a session died (a pid that is gone, a
 * presence key that expired) is its own business; the contract only says that it must.
 */
export interface StoreHarness {
  /** A name for the describe block ("fs", "redis", ...). */
  name: string;
  /** A new, empty store (another store on the same data: `reopen`). */
  open(): Promise<IntercomStore>;
  /** A second handle on the same data, as another process would have it. */
  reopen(store: IntercomStore): Promise<IntercomStore>;
  /** A session process that is alive until `kill`ed: the input `register` takes. */
  liveSession(projectRoot?: string): Promise<LiveSession>;
}

export interface LiveSession {
  input: Omit<Presence, 'code' | 'lastActiveAt'>;
  /** End the session the hard way (SIGKILL): no unregister is ever called. */
  kill(): Promise<void>;
}
