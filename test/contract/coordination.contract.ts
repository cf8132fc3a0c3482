import { describe, expect, it } from 'vitest';
import { ACTIVITY_PER_SESSION, type FileActivity, type Reservation } from '../../src/store/coordination.js';
import type { StoreHarness } from './harness.js';

function act(path: string, at: number, extra: Partial<FileActivity> = {}): FileActivity {
  return { path: `/repo${path}`, worktree: '/repo', relPath: path.slice(1), gitCommonDir: '/repo/.git', branch: 'main', tool: 'Edit', at, ...extra };
}

function reservation(patterns: string[], expiresAt: number): Reservation {
  return { patterns, worktree: '/repo', gitCommonDir: '/repo/.git', reason: 'r', since: expiresAt - 60_000, expiresAt };
}

/** Coordination: activity, reservations, status and warn-once marks live and die with their session. */
export function coordinationContract(h: StoreHarness): void {
  describe(`${h.name}: coordination`, () => {
    it('keeps activity per session, newest first, one record per file, bounded', async () => {
      const store = await h.open();
      const a = await store.register((await h.liveSession()).input);
      const b = await store.register((await h.liveSession()).input);
      await store.recordActivity(a.code, act('/x.ts', 1000));
      await store.recordActivity(a.code, act('/y.ts', 2000));
      await store.recordActivity(a.code, act('/x.ts', 3000, { tool: 'Write' }));
      const view = await store.coordination(5000);
      const mine = view.find((v) => v.session.code === a.code)!;
      expect(mine.activity.map((x) => [x.relPath, x.at, x.tool])).toEqual([
        ['x.ts', 3000, 'Write'],
        ['y.ts', 2000, 'Edit'],
      ]);
      expect(mine.activity[0]).toEqual(act('/x.ts', 3000, { tool: 'Write' }));
      expect(view.find((v) => v.session.code === b.code)!.activity).toEqual([]);
      for (let i = 0; i < ACTIVITY_PER_SESSION + 10; i++) await store.recordActivity(b.code, act(`/f${i}.ts`, 10_000 + i));
      const bs = (await store.coordination(0)).find((v) => v.session.code === b.code)!.activity;
      expect(bs).toHaveLength(ACTIVITY_PER_SESSION);
      expect(bs[0]!.relPath).toBe(`f${ACTIVITY_PER_SESSION + 9}.ts`);
    });

    it('answers for one file with only the sessions and records that concern it, whatever else is stored', async () => {
      const store = await h.open();
      const a = await store.register((await h.liveSession()).input);
      const b = await store.register((await h.liveSession()).input);
      const c = await store.register((await h.liveSession()).input);
      const other = await store.register((await h.liveSession()).input);
      await store.recordActivity(a.code, act('/x.ts', 1000));
      await store.recordActivity(a.code, act('/y.ts', 2000));
      // The same repository path in another worktree of the repository.
      await store.recordActivity(b.code, act('/x.ts', 1500, { path: '/wt/x.ts', worktree: '/wt' }));
      // Another repository with the same relative path: not this file.
      await store.recordActivity(other.code, act('/x.ts', 1500, { path: '/other/x.ts', worktree: '/other', gitCommonDir: '/other/.git' }));
      await store.setReservations(c.code, [reservation(['x.ts'], 10_000), reservation(['docs/**'], 10_000)]);
      await store.setReservations(other.code, [{ ...reservation(['**'], 10_000), worktree: '/other', gitCommonDir: '/other/.git' }]);
      await store.setStatus(a.code, { text: 'on x', at: 1 });
      const file = { path: '/repo/x.ts', relPath: 'x.ts', worktree: '/repo', gitCommonDir: '/repo/.git' };
      const got = await store.coordinationFor(file, 5000);
      const byCode = new Map(got.map((v) => [v.session.code, v]));
      expect([...byCode.keys()].sort()).toEqual([a.code, b.code, c.code].sort());
      expect(byCode.get(a.code)).toMatchObject({ status: { text: 'on x' }, activity: [act('/x.ts', 1000)], reservations: [] });
      expect(byCode.get(b.code)!.activity.map((x) => x.worktree)).toEqual(['/wt']);
      expect(byCode.get(c.code)).toMatchObject({ activity: [], reservations: [reservation(['x.ts'], 10_000)] });
      // Expired reservations and evicted records are not there.
      expect((await store.coordinationFor(file, 20_000)).map((v) => v.session.code).sort()).toEqual([a.code, b.code].sort());
      for (let i = 0; i < ACTIVITY_PER_SESSION; i++) await store.recordActivity(a.code, act(`/n${i}.ts`, 3000 + i));
      expect((await store.coordinationFor(file, 20_000)).map((v) => v.session.code)).toEqual([b.code]);
      expect(await store.coordinationFor({ ...file, path: '/repo/nobody.ts', relPath: 'nobody.ts' }, 5000)).toEqual([]);
      expect((await store.coordinationFor({ ...file, path: '/repo/docs/a.md', relPath: 'docs/a.md' }, 5000)).map((v) => [v.session.code, v.reservations.map((r) => r.patterns)])).toEqual([[c.code, [['docs/**']]]]);
    });

    it('returns unexpired reservations only, and status until it is cleared', async () => {
      const store = await h.open();
      const a = await store.register((await h.liveSession()).input);
      await store.setReservations(a.code, [reservation(['docs/**'], 10_000), reservation(['src/a.ts'], 20_000)]);
      await store.setStatus(a.code, { text: 'refactoring', at: 5 });
      let v = (await store.coordination(15_000)).find((x) => x.session.code === a.code)!;
      expect(v.reservations.map((r) => r.patterns)).toEqual([['src/a.ts']]);
      expect(v.status).toEqual({ text: 'refactoring', at: 5 });
      await store.setStatus(a.code, undefined);
      await store.setReservations(a.code, []);
      v = (await store.coordination(15_000)).find((x) => x.session.code === a.code)!;
      expect(v.status).toBeUndefined();
      expect(v.reservations).toEqual([]);
    });

    it('warns once per (session, key) per window; other sessions and keys are apart', async () => {
      const store = await h.open();
      const a = await store.register((await h.liveSession()).input);
      const b = await store.register((await h.liveSession()).input);
      expect(await store.firstWarning(a.code, 'k1', 1000, 600_000)).toBe(true);
      expect(await store.firstWarning(a.code, 'k1', 2000, 600_000)).toBe(false);
      expect(await store.firstWarning(a.code, 'k2', 2000, 600_000)).toBe(true);
      expect(await store.firstWarning(b.code, 'k1', 2000, 600_000)).toBe(true);
      // A new window: told again.
      expect(await store.firstWarning(a.code, 'k1', 1000 + 600_000, 600_000)).toBe(true);
      expect(await store.firstWarning(a.code, 'k1', 1001 + 600_000, 600_000)).toBe(false);
    });

    it('gives the first warning to exactly one of many racing callers, across handles', async () => {
      const store = await h.open();
      const a = await store.register((await h.liveSession()).input);
      const handles = [store, await h.reopen(store), await h.reopen(store), await h.reopen(store)];
      const answers = await Promise.all(handles.flatMap((s) => [1, 2, 3].map(() => Promise.resolve(s.firstWarning(a.code, 'race', 1000, 600_000)))));
      expect(answers.filter(Boolean)).toHaveLength(1);
    });

    it('everything of a session goes with it: unregistered, or its process died without a word', async () => {
      const store = await h.open();
      const keep = await store.register((await h.liveSession()).input);
      const doomed = await h.liveSession();
      const d = await store.register(doomed.input);
      const gone = await store.register((await h.liveSession()).input);
      for (const s of [d, gone]) {
        await store.recordActivity(s.code, act('/a.ts', 1000));
        await store.setReservations(s.code, [reservation(['docs/**'], 10_000)]);
        await store.setStatus(s.code, { text: 'busy', at: 1 });
        expect(await store.firstWarning(s.code, 'k', 1000, 600_000)).toBe(true);
      }
      await doomed.kill();
      await store.unregister(gone.code);
      const view = await store.coordination(2000);
      expect(view.map((v) => v.session.code)).toEqual([keep.code]);
      expect(await store.coordinationFor({ path: '/repo/a.ts', relPath: 'a.ts', worktree: '/repo', gitCommonDir: '/repo/.git' }, 2000)).toEqual([]);
      // A new session that gets one of those codes starts clean.
      for (const code of [d.code, gone.code]) {
        const again = await store.register((await h.liveSession()).input, code);
        expect(again.code).toBe(code);
        const v = (await store.coordination(2000)).find((x) => x.session.code === code)!;
        expect(v).toMatchObject({ activity: [], reservations: [] });
        expect(await store.coordinationFor({ path: '/repo/a.ts', relPath: 'a.ts', worktree: '/repo', gitCommonDir: '/repo/.git' }, 2000)).toEqual([]);
        expect(v.status).toBeUndefined();
        expect(await store.firstWarning(code, 'k', 1500, 600_000)).toBe(true);
      }
    });

    it('stores nothing for a session that is not registered, and never lets a hostile code reach a key or a path', async () => {
      const store = await h.open();
      await store.recordActivity('zzzz', act('/a.ts', 1));
      await store.setStatus('zzzz', { text: 'x', at: 1 });
      expect(await store.firstWarning('zzzz', 'k', 1, 1000)).toBe(false);
      for (const bad of ['../x', '/etc', 'a\u0000b', '..', '', '*', 'a:b']) {
        await store.recordActivity(bad, act('/a.ts', 1));
        await store.setReservations(bad, [reservation(['**'], 10)]);
        await store.setStatus(bad, { text: 'x', at: 1 });
        expect(await store.firstWarning(bad, 'k', 1, 1000)).toBe(false);
      }
      expect(await store.coordination(0)).toEqual([]);
    });
  });
}
