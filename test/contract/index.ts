import type { StoreHarness } from './harness.js';
import { coordinationContract } from './coordination.contract.js';
import { messagesContract } from './messages.contract.js';
import { presenceContract } from './presence.contract.js';

export type { LiveSession, StoreHarness } from './harness.js';

/**
 * The store contract: every backend's test file calls this with its harness. A new kind of record
 * adds its `<area>.contract.ts` here, so every backend has to prove it.
 */
export function storeContract(h: StoreHarness): void {
  presenceContract(h);
  messagesContract(h);
  coordinationContract(h);
}
