import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileActivity } from '../../src/store/coordination.js';
import { processStart } from '../../src/os/proc.js';
import { RedisStore } from '../../src/store/redis/redis-store.js';
import { RespClient } from '../../src/store/redis/resp.js';
import { parseBackendUrl } from '../../src/store/redis/url.js';
import { type Engine, startEngine } from '../support/redis-engine.js';
import { fakeClaude, onCleanup } from '../support/temp.js';

// What the contract cannot see from outside: the engine's coordination indexes hold nothing of a
// session that ended or of an edit that was evicted, and the hook's question costs the same number
// of engine commands however many sessions there are.
let engine: Engine;
let admin: RespClient;
let n = 0;
beforeAll(async () => {
  engine = await startEngine();
  admin = await RespClient.connect(parseBackendUrl(engine.adminUrl()).connect);
});
afterAll(async () => {
  admin.close();
  await engine.stop();
});

function open(ttlMs: number): RedisStore {
  const store = new RedisStore(parseBackendUrl(`${engine.url('team-a')}?prefix=team-a:k${++n}`), { machine: 'm', ttlMs });
  onCleanup(() => store.close());
  return store;
}

function live(): { input: Parameters<RedisStore['register']>[0]; kill: () => Promise<void> } {
  const child = fakeClaude();
  return {
    input: { pid: child.pid, pidStart: processStart(child.pid)!, serverPid: process.pid, projectRoot: '/proj', projectName: 'proj', cwd: '/proj', startedAt: Date.now() },
    kill: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function act(rel: string, at: number): FileActivity {
  return { path: `/repo/${rel}`, worktree: '/repo', relPath: rel, gitCommonDir: '/repo/.git', tool: 'Edit', at };
}

/** Every index entry of `code` in the store's namespace: file index fields and repository index members. */
async function indexed(store: RedisStore, code: string): Promise<string[]> {
  const out: string[] = [];
  for (const k of (await admin.call(['KEYS', `${store.address.prefix}:cf:*`])) as string[]) if ((await admin.call(['HEXISTS', k, code])) === 1) out.push(k);
  for (const k of (await admin.call(['KEYS', `${store.address.prefix}:cq:*`])) as string[]) if ((await admin.call(['SISMEMBER', k, code])) === 1) out.push(k);
  return out;
}

async function perCode(store: RedisStore, code: string): Promise<number> {
  return (await admin.call(['EXISTS', ...['ca', 'cs', 'cr', 'cw'].map((p) => store.key(p, code))])) as number;
}

describe('redis: coordination keys', () => {
  it('evicted edits leave the file index; an ended session leaves every index and key', async () => {
    const store = open(400);
    const a = live();
    const b = live();
    const sa = await store.register(a.input);
    const sb = await store.register(b.input);
    for (const s of [sa, sb]) {
      for (let i = 0; i < 40; i++) await store.recordActivity(s.code, act(`f${i}.ts`, 1000 + i));
      await store.setReservations(s.code, [{ patterns: ['docs/**'], worktree: '/repo', gitCommonDir: '/repo/.git', since: 1, expiresAt: 10_000 }]);
      await store.setStatus(s.code, { text: 'busy', at: 1 });
      expect(await store.firstWarning(s.code, 'k', 1, 1000)).toBe(true);
      // 32 file index entries (the 8 oldest evicted) and one repository index membership.
      expect(await indexed(store, s.code)).toHaveLength(32 + 1);
      expect(await perCode(store, s.code)).toBe(4);
    }
    await store.unregister(sa.code);
    expect(await indexed(store, sa.code)).toEqual([]);
    expect(await perCode(store, sa.code)).toBe(0);
    // Died without a word: once its presence lapses, the next listing prunes it and its records.
    await b.kill();
    await expect.poll(async () => (await admin.call(['EXISTS', store.key('s', sb.code)])) as number, { timeout: 3000, interval: 50 }).toBe(0);
    expect(await store.sessions()).toEqual([]);
    expect(await indexed(store, sb.code)).toEqual([]);
    expect(await perCode(store, sb.code)).toBe(0);
  });

  it("the hook's question takes the same number of engine commands with 2 sessions or 40", async () => {
    const commandsFor = async (sessions: number): Promise<number> => {
      const store = open(60_000); // no heartbeat during the count
      const codes: string[] = [];
      for (let i = 0; i < sessions; i++) codes.push((await store.register(live().input)).code);
      // One session edited the file; every other one edits files of its own.
      await store.recordActivity(codes[0]!, act('x.ts', 1));
      for (const [i, code] of codes.slice(1).entries()) await store.recordActivity(code, act(`own${i}.ts`, 1));
      const file = { path: '/repo/x.ts', relPath: 'x.ts', worktree: '/repo', gitCommonDir: '/repo/.git' };
      await store.coordinationFor(file, 2); // connected
      const count = async (): Promise<number> => Number(/total_commands_processed:(\d+)/.exec((await admin.call(['INFO', 'stats'])) as string)![1]);
      const before = await count();
      const got = await store.coordinationFor(file, 2);
      const used = (await count()) - before - 1; // the INFO of `before` itself
      expect(got.map((c) => c.session.code)).toEqual([codes[0]]);
      return used;
    };
    const small = await commandsFor(2);
    const large = await commandsFor(40);
    expect(small).toBeGreaterThan(0);
    expect(large).toBe(small);
  });
});
