import { describe, expect, it } from 'vitest';
import { newMessageId } from '../../src/core/ids.js';
import type { Message } from '../../src/core/types.js';
import type { StoreHarness } from './harness.js';

function msg(from: string, to: string, text = 'hi'): Message {
  return { id: newMessageId(), from, to, text, sentAt: Date.now() };
}

/** Messages: delivery, the one claim, acknowledgement, the history. */
export function messagesContract(h: StoreHarness): void {
  describe(`${h.name}: messages`, () => {
    it('delivers a message whole into each inbox and the history, claimed exactly once', async () => {
      const store = await h.open();
      const a = await store.register((await h.liveSession()).input);
      const b = await store.register((await h.liveSession()).input);
      const m = msg(a.code, b.code);
      await store.deliver(m, [b.code]);
      expect(await store.hasUnread(b.code)).toBe(true);
      expect(await store.hasUnread(a.code)).toBe(false);
      expect(await store.inbox(b.code)).toEqual([{ ...m, state: 'unread' }]);
      expect(await store.inboxEntry(b.code, m.id)).toEqual({ ...m, state: 'unread' });
      expect(await store.inboxEntry(b.code, '../../etc/passw')).toBeUndefined();
      expect(await store.inboxSize(b.code)).toBe(1);
      expect(await store.claim(b.code)).toEqual([m]);
      expect((await store.inboxEntry(b.code, m.id))?.state).toBe('shown');
      expect(await store.claim(b.code)).toEqual([]);
      expect(await store.hasUnread(b.code)).toBe(false);
      expect((await store.inbox(b.code))[0]?.state).toBe('shown');
      expect(await store.ack(b.code, m.id)).toBe(true);
      expect(await store.ack(b.code, m.id)).toBe(false);
      expect(await store.inbox(b.code)).toEqual([]);
      expect((await store.history(10)).map((x) => x.id)).toEqual([m.id]);
      expect(await store.message(m.id)).toEqual(m);
    });

    it('a broadcast is one message in every recipient inbox and once in the history', async () => {
      const store = await h.open();
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await store.register((await h.liveSession()).input)).code);
      const m = msg('human:x', 'all');
      await store.deliver(m, codes);
      for (const c of codes) expect((await store.claim(c)).map((x) => x.id)).toEqual([m.id]);
      expect((await store.history(10)).map((x) => x.id)).toEqual([m.id]);
    });

    it('the same message delivered again to another recipient reaches it, and stays once in the history', async () => {
      const store = await h.open();
      const b = await store.register((await h.liveSession()).input);
      const c = await store.register((await h.liveSession()).input);
      const m = msg('human:x', 'all');
      await store.deliver(m, [b.code]);
      await store.deliver(m, [c.code]);
      expect((await store.claim(b.code)).map((x) => x.id)).toEqual([m.id]);
      expect((await store.claim(c.code)).map((x) => x.id)).toEqual([m.id]);
      expect((await store.history(10)).map((x) => x.id)).toEqual([m.id]);
    });

    it('claims oldest first and at most `limit` at a time; ackAll counts what it removed', async () => {
      const store = await h.open();
      const b = await store.register((await h.liveSession()).input);
      const sent = Array.from({ length: 5 }, (_, i) => msg('human:x', b.code, `m${i}`));
      for (const m of sent) await store.deliver(m, [b.code]);
      expect((await store.inbox(b.code, 2)).map((m) => m.text)).toEqual(['m0', 'm1']);
      expect((await store.claim(b.code, 2)).map((m) => m.text)).toEqual(['m0', 'm1']);
      expect((await store.claim(b.code)).map((m) => m.text)).toEqual(['m2', 'm3', 'm4']);
      expect(await store.ackAll(b.code)).toBe(5);
      expect(await store.ackAll(b.code)).toBe(0);
    });

    it('the two-step claim: in flight it is shown and nobody else claims it; committed it stays shown; it can be acknowledged', async () => {
      const store = await h.open();
      const other = await h.reopen(store);
      const b = await store.register((await h.liveSession()).input);
      const sent = Array.from({ length: 3 }, (_, i) => msg('human:x', b.code, `m${i}`));
      for (const m of sent) await store.deliver(m, [b.code]);
      expect((await store.beginClaim(b.code, 2)).map((m) => m.text)).toEqual(['m0', 'm1']);
      // In flight (its claimer is alive): shown to peek, claimed by nobody else.
      expect((await other.inbox(b.code)).map((e) => `${e.text}:${e.state}`)).toEqual(['m0:shown', 'm1:shown', 'm2:unread']);
      expect((await other.inboxEntry(b.code, sent[0]!.id))?.state).toBe('shown');
      expect((await other.claim(b.code)).map((m) => m.text)).toEqual(['m2']);
      expect(await other.beginClaim(b.code)).toEqual([]);
      expect(await other.ack(b.code, sent[1]!.id)).toBe(true);
      await store.commitClaim(b.code);
      await store.commitClaim(b.code); // nothing open: no-op
      expect((await other.inbox(b.code)).map((e) => `${e.text}:${e.state}`)).toEqual(['m0:shown', 'm2:shown']);
      expect(await store.beginClaim(b.code)).toEqual([]);
      expect(await other.inboxSize(b.code)).toBe(2);
      expect(await other.ackAll(b.code)).toBe(2);
    });

    it('gives each message to exactly one of many concurrent claimers, across handles', async () => {
      const store = await h.open();
      const b = await store.register((await h.liveSession()).input);
      const n = 200;
      for (let i = 0; i < n; i++) await store.deliver(msg('human:x', b.code, `m${i}`), [b.code]);
      const handles = [store, await h.reopen(store), await h.reopen(store), await h.reopen(store)];
      const got: string[] = [];
      await Promise.all(
        handles.map(async (s) => {
          for (;;) {
            const batch = await s.claim(b.code, 3);
            if (batch.length === 0) return;
            got.push(...batch.map((m) => m.text));
          }
        }),
      );
      expect(got).toHaveLength(n);
      expect(new Set(got).size).toBe(n);
    });

    it('never lets a hostile code or id reach a key or a path', async () => {
      const store = await h.open();
      for (const bad of ['../x', '/etc', 'a\u0000b', '..', '', '*', 'a:b']) {
        expect(await store.claim(bad)).toEqual([]);
        expect(await store.inbox(bad)).toEqual([]);
        expect(await store.hasUnread(bad)).toBe(false);
        expect(await store.ack(bad, '../../x')).toBe(false);
        expect(await store.ackAll(bad)).toBe(0);
        expect(await store.session(bad)).toBeUndefined();
        expect(await store.message(bad)).toBeUndefined();
      }
    });
  });
}
