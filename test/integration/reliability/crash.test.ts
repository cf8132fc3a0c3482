import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from '../../../src/os/proc.js';
import type { Message } from '../../../src/core/types.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';
import { fakeClaude, tempDir } from '../../support/temp.js';
import { lastJson, spawnWorker, type Proc } from './support/bundle.js';

const KILLS = Number(process.env.RELIABILITY_KILLS ?? 240);
const LANES = 2; // senders alive at once

describe('crashes: senders killed with SIGKILL at random points', () => {
  it(`${KILLS} kills: readers never see a half-written message, the store stays readable, tmp/ is collected`, async () => {
    const home = join(tempDir('ci-rel-crash-'), 'store');
    const store = FsStore.open(home);
    const claude = fakeClaude();
    const me = store.register({ pid: claude.pid, pidStart: processStart(claude.pid)!, serverPid: process.pid, projectRoot: '/r', projectName: 'r', cwd: '/r', startedAt: Date.now() });

    // Two readers parse every file they list while the kills happen; one also claims and acks.
    const readers = [spawnWorker('read', [home, me.code]), spawnWorker('read', [home, me.code])];
    const consumer = spawnWorker('consume', [home, me.code]);

    let killed = 0;
    let notReady = 0;
    const killDelays: number[] = [];
    const lane = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const s: Proc = spawnWorker('crash-send', [home, me.code, `k${killed}-${i}`]);
        try {
          await s.waitFor('ready\n');
        } catch {
          notReady++;
          continue;
        }
        // A random point in its send loop: right away, or after up to 40 ms of sends.
        const delay = Math.random() < 0.25 ? 0 : Math.floor(Math.random() * 40);
        killDelays.push(delay);
        await new Promise<void>((resolve) => (delay === 0 ? setImmediate(resolve) : setTimeout(resolve, delay)));
        s.child.kill('SIGKILL');
        const r = await s.exited;
        expect(r.signal).toBe('SIGKILL');
        killed++;
      }
    };
    await Promise.all(Array.from({ length: LANES }, () => lane(Math.ceil(KILLS / LANES))));

    for (const r of readers) r.child.kill('SIGTERM');
    consumer.child.stdin!.end('done\n');
    const stats = await Promise.all(readers.map(async (r) => lastJson<{ files: number; vanished: number; bad: string[] }>((await r.closed).stdout)));
    const consumed = lastJson<{ claimed: string[]; ackFailures: number; unparsable: number }>((await consumer.closed).stdout);

    expect(notReady).toBe(0);
    expect(killed).toBeGreaterThanOrEqual(KILLS);
    for (const s of stats) expect(s.bad).toEqual([]);
    expect(stats.every((s) => s.files > 0)).toBe(true);
    expect(consumed).toMatchObject({ ackFailures: 0, unparsable: 0 });

    // After the fact: every message file in the store parses, whole, and the store API reads it all.
    const checkDir = (dir: string): number => {
      let n = 0;
      for (const name of readdirSync(dir)) {
        const m = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Message;
        expect(`${m.id}.json`).toBe(name);
        expect(m.text).toMatch(/^[0-9a-f]{64} /);
        n++;
      }
      return n;
    };
    const inLog = checkDir(join(home, 'log'));
    checkDir(join(home, 'inbox', me.code, 'new'));
    checkDir(join(home, 'inbox', me.code, 'shown'));
    expect(store.history(Number.MAX_SAFE_INTEGER)).toHaveLength(inLog);
    expect(store.sessions().map((s) => s.code)).toEqual([me.code]);

    // What the killed writers left in tmp/ (never linked anywhere) is collected, and only that.
    const leftovers = readdirSync(join(home, 'tmp'));
    expect(leftovers.every((n) => n.endsWith('.msg'))).toBe(true);
    expect(store.collectTmp(3_600_000)).toBe(0); // fresh leftovers are left for their (possible) writers
    expect(store.collectTmp(-1)).toBe(leftovers.length);
    expect(readdirSync(join(home, 'tmp'))).toEqual([]);
    // The store still works after all that.
    const after = new FsStore(home);
    expect(after.claim(me.code).every((m) => typeof m.text === 'string')).toBe(true);

    const files = stats.reduce((a, s) => a + s.files, 0);
    console.log(
      `[reliability] crashes: ${killed} senders killed with SIGKILL (delays 0-40 ms, ${killDelays.filter((d) => d === 0).length} at once), ` +
        `${files} message files parsed by readers during the kills, 0 half-written; ${consumed.claimed.length} claimed + acked meanwhile; ` +
        `${inLog} in the history; ${leftovers.length} tmp/ leftovers of killed writes collected`,
    );
  }, 240_000);
});
