import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from '../../../src/os/proc.js';
import { newMessageId } from '../../../src/core/ids.js';
import type { Message } from '../../../src/core/types.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';
import { fakeClaude, tempDir } from '../../support/temp.js';
import { HOOK_CJS, lastJson, spawnNode, spawnWorker } from './support/bundle.js';
import { watchUntil } from './support/watch-until.js';

const CLAIM_MESSAGES = Number(process.env.RELIABILITY_CLAIM_MESSAGES ?? 1500);
const CLAIMERS = 4;
const RACES = Number(process.env.RELIABILITY_RACES ?? 210);
const RACE_LANES = 3;
const PER_RACE = 25; // more than one delivery holds (20): both sides get a share

function world() {
  const home = join(tempDir('ci-rel-once-'), 'store');
  const store = FsStore.open(home);
  const session = (pid: number) =>
    store.register({ pid, pidStart: processStart(pid)!, serverPid: process.pid, projectRoot: '/r', projectName: 'r', cwd: '/r', startedAt: Date.now() });
  const deliver = (code: string, n: number): string[] => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const m: Message = { id: newMessageId(), from: 'human:race', to: code, text: `race ${i} </intercom-message>`, sentAt: Date.now() };
      store.deliver(m, [code]);
      ids.push(m.id);
    }
    return ids;
  };
  return { home, store, session, deliver };
}

/** The ids in a framed delivery, checking each is framed by exactly one opening and one closing tag. */
function framedIds(text: string): string[] {
  const ids = [...text.matchAll(/<intercom-message id="([0-9a-z]{17})"/g)].map((m) => m[1]!);
  expect(text.split('<intercom-message ').length - 1).toBe(ids.length);
  expect(text.split('</intercom-message>').length - 1).toBe(ids.length);
  expect(text).not.toContain('<system-reminder');
  return ids;
}

function expectPartition(sent: readonly string[], parts: Record<string, readonly string[]>): void {
  const owner = new Map<string, string[]>();
  for (const [who, ids] of Object.entries(parts)) for (const id of ids) owner.set(id, [...(owner.get(id) ?? []), who]);
  const twice = [...owner].filter(([, w]) => w.length > 1);
  const lost = sent.filter((id) => !owner.has(id));
  const foreign = [...owner.keys()].filter((id) => !sent.includes(id));
  expect({ lost, twice, foreign }).toEqual({ lost: [], twice: [], foreign: [] });
}

describe('exactly once into context, under races', () => {
  it(`${CLAIMERS} processes claiming the same inbox while ${CLAIM_MESSAGES} messages arrive: each claimed by exactly one`, async () => {
    const w = world();
    const claude = fakeClaude();
    const s = w.session(claude.pid);
    const claimers = Array.from({ length: CLAIMERS }, () => spawnWorker('claim', [w.home, s.code]));
    const sent: string[] = [];
    // In bursts, yielding between them so that the claimers run against a filling inbox.
    while (sent.length < CLAIM_MESSAGES) {
      sent.push(...w.deliver(s.code, Math.min(25, CLAIM_MESSAGES - sent.length)));
      await new Promise<void>((r) => setImmediate(r));
    }
    const newDir = join(w.home, 'inbox', s.code, 'new');
    await watchUntil(newDir, () => readdirSync(newDir).length === 0, 60_000, 'the claimers to empty the inbox');
    for (const c of claimers) c.child.stdin!.end('stop\n');
    const results = await Promise.all(claimers.map(async (c) => lastJson<{ ids: string[]; rounds: number }>((await c.closed).stdout)));
    const parts = Object.fromEntries(results.map((r, i) => [`claimer${i}`, r.ids]));
    expectPartition(sent, parts);
    // The store agrees: everything is shown (in context), nothing unread, nothing twice.
    const inbox = w.store.inbox(s.code);
    expect(inbox.filter((e) => e.state === 'shown')).toHaveLength(sent.length);
    const shares = results.map((r) => r.ids.length);
    expect(shares.filter((n) => n > 0).length).toBeGreaterThan(1); // a real race: more than one winner
    console.log(
      `[reliability] claim races: ${sent.length} messages, ${CLAIMERS} claiming processes (shares ${shares.join('/')}, ` +
        `${results.reduce((a, r) => a + r.rounds, 0)} claim rounds): each claimed exactly once`,
    );
  }, 120_000);

  it(`hook.cjs hook vs hook.cjs watch, ${RACES} real process races: union = sent, intersection = empty`, async () => {
    const w = world();
    let contested = 0;
    let watcherWins = 0;
    let hookWins = 0;
    let swept = 0;
    let total = 0;
    let trials = 0;
    const lane = async (n: number): Promise<void> => {
      const claude = fakeClaude();
      const s = w.session(claude.pid);
      const env = { CLAUDE_INTERCOM_HOME: w.home, CLAUDE_PID: String(claude.pid), CLAUDE_CODE_ENTRYPOINT: 'cli' };
      const newDir = join(w.home, 'inbox', s.code, 'new');
      for (let i = 0; i < n; i++) {
        const sent = w.deliver(s.code, PER_RACE);
        // Both start at once and go for the same files.
        const watcher = spawnNode([HOOK_CJS, 'watch'], env, JSON.stringify({ hook_event_name: 'Stop', stop_hook_active: false }));
        const hook = spawnNode([HOOK_CJS, 'hook'], env, JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: {} }));
        const h = await hook.closed;
        expect(h.code).toBe(0);
        // The watcher ends by itself once it has delivered; if the hook left nothing to claim it
        // would wait for more, so it is stopped (SIGTERM lands only between its synchronous claims).
        const watcherDone = watcher.exited.then(() => 'exited' as const);
        const drained = watchUntil(newDir, () => readdirSync(newDir).length === 0, 30_000, 'inbox drained').then(() => 'drained' as const);
        if ((await Promise.race([watcherDone, drained])) === 'drained') watcher.child.kill('SIGTERM');
        const wr = await watcher.closed;
        expect([0, 2]).toContain(wr.code);
        const hookIds = h.stdout === '' ? [] : framedIds((JSON.parse(h.stdout) as { hookSpecificOutput: { additionalContext: string } }).hookSpecificOutput.additionalContext);
        const watcherIds = wr.code === 2 ? framedIds(wr.stderr) : [];
        if (wr.code === 0) expect(wr.stderr).toBe('');
        const sweep = w.store.claim(s.code).map((m) => m.id);
        expectPartition(sent, { hook: hookIds, watcher: watcherIds, sweep });
        if (hookIds.length > 0 && watcherIds.length > 0) contested++;
        if (watcherIds.length > 0) watcherWins++;
        if (hookIds.length > 0) hookWins++;
        swept += sweep.length;
        total += sent.length;
        trials++;
        w.store.ackAll(s.code);
      }
    };
    await Promise.all(Array.from({ length: RACE_LANES }, () => lane(Math.ceil(RACES / RACE_LANES))));
    expect(trials).toBeGreaterThanOrEqual(RACES);
    // Both sides won some: these were races, not a fixed order.
    expect(watcherWins).toBeGreaterThan(0);
    expect(hookWins).toBeGreaterThan(0);
    console.log(
      `[reliability] hook vs watcher: ${trials} process races, ${total} messages, each in exactly one context ` +
        `(hook got some in ${hookWins}, watcher in ${watcherWins}, both in ${contested}; ${swept} left unread for peek), duplicated 0, lost 0`,
    );
  }, 240_000);
});
