import { describe, expect, it } from 'vitest';
import type { StoreHarness } from './harness.js';

/** Presence: codes, re-registration, and dead sessions never returned. */
export function presenceContract(h: StoreHarness): void {
  describe(`${h.name}: presence`, () => {
    it('registers a session with a 4-character code, found by its Claude Code pid', async () => {
      const store = await h.open();
      const live = await h.liveSession();
      const s = await store.register(live.input);
      expect(s.code).toMatch(/^[a-z0-9]{4}$/);
      expect((await store.sessionByPid(live.input.pid))?.code).toBe(s.code);
      expect((await store.sessions()).map((x) => x.code)).toEqual([s.code]);
      // A restarted server of the same Claude Code process keeps the code.
      expect((await store.register(live.input)).code).toBe(s.code);
      expect(await store.sessions()).toHaveLength(1);
    });

    it('takes a preferred code when it is free (a server putting its own record back)', async () => {
      const store = await h.open();
      const live = await h.liveSession();
      const s = await store.register(live.input);
      await store.unregister(s.code);
      expect(await store.session(s.code)).toBeUndefined();
      expect((await store.register(live.input, s.code)).code).toBe(s.code);
    });

    it('unregisters only for the server that owns the record, when one is named', async () => {
      const store = await h.open();
      const live = await h.liveSession();
      const s = await store.register(live.input);
      await store.unregister(s.code, live.input.serverPid + 1);
      expect((await store.session(s.code))?.code).toBe(s.code);
      await store.unregister(s.code, live.input.serverPid);
      expect(await store.session(s.code)).toBeUndefined();
    });

    it('never returns a session whose process died without a word, and drops its inbox', async () => {
      const store = await h.open();
      const keep = await store.register((await h.liveSession()).input);
      const doomed = await h.liveSession();
      const s = await store.register(doomed.input);
      await doomed.kill();
      expect((await store.sessions()).map((x) => x.code)).toEqual([keep.code]);
      expect(await store.session(s.code)).toBeUndefined();
      expect(await store.sessionByPid(doomed.input.pid)).toBeUndefined();
      expect(await store.inbox(s.code)).toEqual([]);
    });

    it('the newest watcher holds the lease; a release names its holder', async () => {
      const store = await h.open();
      const b = await store.register((await h.liveSession()).input);
      await store.takeWatcherLease(b.code, { pid: 10, pidStart: 'a', since: 1 });
      await store.takeWatcherLease(b.code, { pid: 11, pidStart: 'b', since: 2 });
      expect((await store.watcherLease(b.code))?.pid).toBe(11);
      await store.releaseWatcherLease(b.code, 10);
      expect((await store.watcherLease(b.code))?.pid).toBe(11);
      await store.releaseWatcherLease(b.code);
      expect(await store.watcherLease(b.code)).toBeUndefined();
    });
  });
}
