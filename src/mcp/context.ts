import type { Coordination } from '../core/coordination.js';
import type { Intercom } from '../core/intercom.js';
import type { Presence } from '../core/types.js';

/** What every tool needs: the intercom rules and the session this server speaks for. */
export interface ToolContext {
  intercom: Intercom;
  /** The session's current presence (re-read: it may have been re-registered). */
  me: () => Promise<Presence>;
  now: () => number;
  /** Who edits what: reservations, status, the edit hook. */
  coordination: Coordination;
  /** Diagnostics (stderr: stdout belongs to the protocol). */
  log?: (line: string) => void;
}
