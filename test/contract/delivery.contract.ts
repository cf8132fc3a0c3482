import { describe, expect, it } from 'vitest';
import { newMessageId } from '../../src/core/ids.js';
import type { Message } from '../../src/core/types.js';
import type { StoreHarness } from './harness.js';

function msg(to: string, text = 'hi'): Message {
  return { id: newMessageId(), from: 'human:contract', to, text, sentAt: Date.now() };
}

/** Giving a claim back (`unclaim`, the inbox socket's failed post) and the recorded delivery path. */
export function deliveryContract(h: StoreHarness): void {
  describe(`${h.name}: unclaim and the delivery path`, () => {
    it('gives claimed messages back unread, in order, so the next claim takes them again', async () => {
      const store = await h.open();
      const s = await store.register((await h.liveSession()).input);
      const [m1, m2] = [msg(s.code, 'one'), msg(s.code, 'two')];
      await store.deliver(m1, [s.code]);
      await store.deliver(m2, [s.code]);
      expect((await store.claim(s.code)).map((m) => m.id)).toEqual([m1.id, m2.id]);
      expect(await store.hasUnread(s.code)).toBe(false);
      expect(await store.unclaim(s.code, [m1.id, m2.id])).toBe(2);
      expect(await store.hasUnread(s.code)).toBe(true);
      expect((await store.claim(s.code)).map((m) => m.id)).toEqual([m1.id, m2.id]);
    });

    it('leaves an acknowledged message gone, and ignores ids it never saw', async () => {
      const store = await h.open();
      const s = await store.register((await h.liveSession()).input);
      const m = msg(s.code);
      await store.deliver(m, [s.code]);
      await store.claim(s.code);
      await store.ack(s.code, m.id);
      expect(await store.unclaim(s.code, [m.id, newMessageId(), '../../etc'])).toBe(0);
      expect(await store.inboxSize(s.code)).toBe(0);
    });

    it('wakes whoever waits on the session when it gives messages back', async () => {
      const store = await h.open();
      const s = await store.register((await h.liveSession()).input);
      const m = msg(s.code);
      await store.deliver(m, [s.code]);
      await store.claim(s.code);
      let rung = 0;
      const woken = new Promise<void>((resolve) => {
        const stop = store.subscribe(s.code, () => {
          rung++;
          stop();
          resolve();
        });
      });
      await store.unclaim(s.code, [m.id]);
      await woken;
      expect(rung).toBe(1);
    });

    it('records the delivery path per session, wakes its waiters, and forgets it with the session', async () => {
      const store = await h.open();
      const s = await store.register((await h.liveSession()).input);
      expect(await store.deliveryPath(s.code)).toBeUndefined();
      const woken = new Promise<void>((resolve) => {
        const stop = store.subscribe(s.code, () => {
          stop();
          resolve();
        });
      });
      const record = { path: 'socket' as const, reason: 'Claude Code 2.1.332 inbox socket', pid: 123, pidStart: '456', since: 789 };
      await store.setDeliveryPath(s.code, record);
      await woken;
      expect(await store.deliveryPath(s.code)).toEqual(record);
      await store.setDeliveryPath(s.code, { ...record, path: 'hooks', reason: 'posting failed' });
      expect((await store.deliveryPath(s.code))?.path).toBe('hooks');
      await store.unregister(s.code);
      expect(await store.deliveryPath(s.code)).toBeUndefined();
    });
  });
}
