/**
 * What every store backend promises about giving a claim back (`unclaim`) and the recorded
 * delivery path. `runDeliveryContract(name, factory)` runs it against one backend; the factory
 * returns a fresh store and a way to register a live session in it.
 */
import { describe, expect, it } from 'vitest';
import { newMessageId } from '../../src/core/ids.js';
import type { Message, Presence } from '../../src/core/types.js';
import type { IntercomStore } from '../../src/store/store.js';

export interface ContractWorld {
  store: IntercomStore;
  /** A registered, live session. */
  session: () => Presence;
}

function msg(to: string, text = 'hi'): Message {
  return { id: newMessageId(), from: 'human:contract', to, text, sentAt: Date.now() };
}

export function runDeliveryContract(name: string, factory: () => ContractWorld): void {
  describe(`${name}: unclaim and the delivery path`, () => {
    it('gives claimed messages back unread, in order, so the next claim takes them again', () => {
      const { store, session } = factory();
      const s = session();
      const [m1, m2] = [msg(s.code, 'one'), msg(s.code, 'two')];
      store.deliver(m1, [s.code]);
      store.deliver(m2, [s.code]);
      expect(store.claim(s.code).map((m) => m.id)).toEqual([m1.id, m2.id]);
      expect(store.hasUnread(s.code)).toBe(false);
      expect(store.unclaim(s.code, [m1.id, m2.id])).toBe(2);
      expect(store.hasUnread(s.code)).toBe(true);
      expect(store.claim(s.code).map((m) => m.id)).toEqual([m1.id, m2.id]);
    });

    it('leaves an acknowledged message gone, and ignores ids it never saw', () => {
      const { store, session } = factory();
      const s = session();
      const m = msg(s.code);
      store.deliver(m, [s.code]);
      store.claim(s.code);
      store.ack(s.code, m.id);
      expect(store.unclaim(s.code, [m.id, newMessageId(), '../../etc'])).toBe(0);
      expect(store.inboxSize(s.code)).toBe(0);
    });

    it('wakes whoever waits on the session when it gives messages back', async () => {
      const { store, session } = factory();
      const s = session();
      const m = msg(s.code);
      store.deliver(m, [s.code]);
      store.claim(s.code);
      let rung = 0;
      const woken = new Promise<void>((resolve) => {
        const stop = store.subscribe(s.code, () => {
          rung++;
          stop();
          resolve();
        });
      });
      store.unclaim(s.code, [m.id]);
      await woken;
      expect(rung).toBe(1);
    });

    it('records the delivery path per session, wakes its waiters, and forgets it with the session', async () => {
      const { store, session } = factory();
      const s = session();
      expect(store.deliveryPath(s.code)).toBeUndefined();
      const woken = new Promise<void>((resolve) => {
        const stop = store.subscribe(s.code, () => {
          stop();
          resolve();
        });
      });
      const record = { path: 'socket' as const, reason: 'Claude Code 2.1.332 inbox socket', pid: 123, pidStart: '456', since: 789 };
      store.setDeliveryPath(s.code, record);
      await woken;
      expect(store.deliveryPath(s.code)).toEqual(record);
      store.setDeliveryPath(s.code, { ...record, path: 'hooks', reason: 'posting failed' });
      expect(store.deliveryPath(s.code)?.path).toBe('hooks');
      store.unregister(s.code);
      expect(store.deliveryPath(s.code)).toBeUndefined();
    });
  });
}
