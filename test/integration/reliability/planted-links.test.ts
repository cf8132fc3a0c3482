import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from '../../../src/os/proc.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';
import { spawnCli } from '../../support/processes.js';
import { fakeClaude, tempDir } from '../../support/temp.js';
import { HOOK_CJS, snapshot, spawnNode } from './support/bundle.js';

/**
 * Symbolic links planted in the store (which needs write access to it: the store is 0700) must
 * never be followed: nothing outside the store is written, moved, deleted or delivered through
 * them, and what refuses says so (the command's error, or the hook's debug.log).
 */

const VICTIM_ID = '0000000000aaaaaaa';

interface Case {
  /** The path in the store replaced by a link. */
  at: (code: string) => string;
  /** Link to the victim folder, or to a file in it. */
  to: 'dir' | 'precious.txt' | 'x.fifo' | `${typeof VICTIM_ID}.json`;
  /** Must some command or the hook report the refusal? */
  reported: boolean;
}

const CASES: Case[] = [
  { at: () => 'tmp', to: 'dir', reported: true },
  { at: () => 'log', to: 'dir', reported: true },
  { at: () => 'sessions', to: 'dir', reported: true },
  { at: () => 'pids', to: 'dir', reported: true },
  { at: () => 'bells', to: 'dir', reported: true },
  { at: () => 'inbox', to: 'dir', reported: true },
  { at: (c) => `inbox/${c}`, to: 'dir', reported: true },
  { at: (c) => `inbox/${c}/new`, to: 'dir', reported: true },
  { at: (c) => `inbox/${c}/shown`, to: 'dir', reported: true },
  { at: (c) => `inbox/${c}/claims`, to: 'dir', reported: true },
  { at: (c) => `inbox/${c}/incoming`, to: 'dir', reported: true },
  { at: (c) => `bells/s-${c}`, to: 'dir', reported: false },
  { at: (c) => `bells/s-${c}/planted.fifo`, to: 'x.fifo', reported: false },
  { at: (c) => `inbox/${c}/watcher.json`, to: 'precious.txt', reported: false },
  { at: (c) => `sessions/${c}.json`, to: 'precious.txt', reported: false },
  { at: () => `log/${VICTIM_ID}.json`, to: `${VICTIM_ID}.json`, reported: false },
  { at: (c) => `inbox/${c}/new/${VICTIM_ID}.json`, to: `${VICTIM_ID}.json`, reported: false },
];

function world() {
  const root = tempDir('ci-rel-links-');
  const home = join(root, 'store');
  const store = FsStore.open(home);
  const claude = fakeClaude();
  const s = store.register({ pid: claude.pid, pidStart: processStart(claude.pid)!, serverPid: process.pid, projectRoot: '/r', projectName: 'r', cwd: '/r', startedAt: Date.now() });
  mkdirSync(join(home, 'bells', `s-${s.code}`), { recursive: true, mode: 0o700 });
  // Outside the store: files that must stay exactly as they are, some of them old (what a
  // collection of leftovers would delete), one shaped like a message, one named like a doorbell.
  const victim = join(root, 'victim');
  mkdirSync(join(victim, 'abcd'), { recursive: true });
  writeFileSync(join(victim, 'precious.txt'), 'do not touch');
  writeFileSync(join(victim, 'x.fifo'), 'not a fifo');
  writeFileSync(join(victim, `${VICTIM_ID}.json`), JSON.stringify({ id: VICTIM_ID, from: 'human:evil', to: s.code, text: 'VICTIM TEXT', sentAt: 1 }));
  const old = new Date(Date.now() - 3_600_000);
  for (const f of ['precious.txt', 'x.fifo', `${VICTIM_ID}.json`, 'abcd', '']) utimesSync(join(victim, f), old, old);
  const env = { CLAUDE_INTERCOM_HOME: home, CLAUDE_PID: String(claude.pid), USER: 'tester', HOME: join(root, 'home') };
  // A person's `send` from a terminal: inside Claude Code (CLAUDE_PID set) it would speak as the session.
  const { CLAUDE_PID: _session, ...personEnv } = env;
  return { root, home, code: s.code, claudePid: claude.pid, victim, env, personEnv };
}

describe('links planted in the store are refused, never followed', () => {
  it(`${CASES.length} planted links × (send, hook, watch, log, a session starting, leftovers collected): nothing outside changes`, async () => {
    let refusals = 0;
    for (const c of CASES) {
      const w = world();
      const at = join(w.home, c.at(w.code));
      rmSync(at, { recursive: true, force: true });
      mkdirSync(dirname(at), { recursive: true, mode: 0o700 });
      symlinkSync(c.to === 'dir' ? w.victim : join(w.victim, c.to), at);
      const before = snapshot(w.victim);
      const label = c.at('<code>');

      const outputs: string[] = [];
      const send = await spawnCli(['send', w.code, 'hello through a planted link'], w.personEnv).exited;
      outputs.push(send.stderr);
      const hook = await spawnNode([HOOK_CJS, 'hook'], { ...w.env, CLAUDE_CODE_ENTRYPOINT: 'cli' }, JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Bash' })).closed;
      const watch = await spawnNode([HOOK_CJS, 'watch'], { ...w.env, CLAUDE_CODE_ENTRYPOINT: 'sdk-cli' }, JSON.stringify({ hook_event_name: 'Stop', stop_hook_active: false })).closed;
      for (const r of [hook, watch]) {
        expect({ label, code: r.code }).toEqual({ label, code: r === hook ? 0 : r.code === 2 ? 2 : 0 });
        // The message file outside is never delivered.
        expect({ label, victimDelivered: (r.stdout + r.stderr).includes('VICTIM TEXT') }).toEqual({ label, victimDelivered: false });
      }
      outputs.push((await spawnCli(['log'], w.env).exited).stderr);
      // A new session starting (what `serve` does) and the collection of old leftovers in tmp/.
      const store = new FsStore(w.home);
      const other = fakeClaude();
      try {
        store.register({ pid: other.pid, pidStart: processStart(other.pid)!, serverPid: process.pid, projectRoot: '/r', projectName: 'r', cwd: '/r', startedAt: Date.now() });
      } catch (err) {
        outputs.push(String((err as Error).message));
      }
      try {
        store.collectTmp(0);
      } catch (err) {
        outputs.push(String((err as Error).message));
      }
      const debugLog = join(w.home, 'debug.log');
      if (existsSync(debugLog)) outputs.push(readFileSync(debugLog, 'utf8'));

      expect({ label, outside: snapshot(w.victim) }).toEqual({ label, outside: before });
      const said = outputs.join('\n');
      if (c.reported) {
        expect({ label, reported: /is a symbolic link .*refusing to follow it/.test(said) }).toEqual({ label, reported: true });
        refusals++;
      }
    }
    console.log(`[reliability] planted links: ${CASES.length} links (store folders, inbox folders, bells, records, message files) × 6 operations: nothing outside the store changed; ${refusals} refusals reported`);
  }, 180_000);

  it('a send through a refused inbox says what is wrong and what to do, and sends nothing', async () => {
    const w = world();
    const at = join(w.home, 'inbox', w.code, 'new');
    rmSync(at, { recursive: true });
    symlinkSync(w.victim, at);
    const r = await spawnCli(['send', w.code, 'hi'], w.personEnv).exited;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${at} in the intercom store is a symbolic link`);
    expect(r.stderr).toMatch(/remove it \(rm .*\) and intercom recreates the folder/);
    expect(new FsStore(w.home).history(10)).toEqual([]);
  });
});
