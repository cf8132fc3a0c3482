import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeOf, startSession } from '../../support/mcp.js';
import { spawnCli } from '../../support/processes.js';
import { tempDir } from '../../support/temp.js';
import { HOOK_CJS, spawnNode, walk } from './support/bundle.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';
import { watchUntil } from './support/watch-until.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/** A temp root that other users may enter (so only the store's own modes keep them out). */
function world() {
  const root = tempDir('ci-rel-perm-');
  chmodSync(root, 0o755);
  const store = join(root, 'store');
  return { root, store, env: { CLAUDE_INTERCOM_HOME: store, USER: 'tester' } };
}

/** Run a command as the user nobody; returns its exit status and stderr. */
function asNobody(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { uid: NOBODY, gid: NOBODY, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  return { status: r.status, stderr: r.stderr };
}

describe('permissions: the store is private, and an unsafe store is refused', () => {
  it('after a realistic workload (even under umask 000) every dir is 0700 and every file 0600, and nobody else gets in', async () => {
    const w = world();
    let umaskSet = false;
    let old = 0;
    try {
      old = process.umask(0); // children inherit it: the modes must come from the code, not the umask
      umaskSet = true;
    } catch {
      /* worker threads cannot change the umask: the check below still runs under the usual one */
    }
    try {
      const a = await startSession(w.env, w.root);
      const b = await startSession(w.env, w.root);
      const [ca, cb] = [codeOf(a), codeOf(b)];
      const store = FsStore.open(w.store);
      const bPid = store.session(cb)!.pid;
      const hookEnv = { ...w.env, CLAUDE_PID: String(bPid), CLAUDE_CODE_ENTRYPOINT: 'cli' };

      await a.call('send', { to: cb, message: 'one' });
      await a.call('send', { to: 'all', message: 'two' });
      const peek = (await b.call('peek')).text;
      const id = /id="([0-9a-z]{17})"/.exec(peek)![1]!;
      await b.call('reply', { message_id: id, message: 'back' });
      await a.call('ack_all');
      expect((await spawnCli(['send', cb, 'from a person'], w.env).exited).code).toBe(0);
      expect((await spawnCli(['log'], w.env).exited).code).toBe(0);
      expect((await spawnCli(['who', '--all'], w.env).exited).code).toBe(0);
      const hook = await spawnNode([HOOK_CJS, 'hook'], hookEnv, JSON.stringify({ hook_event_name: 'PostToolUse' })).closed;
      expect(hook.stdout).toContain('from a person');
      // The watcher: takes its lease, then a message wakes it.
      const watcher = spawnNode([HOOK_CJS, 'watch'], hookEnv, JSON.stringify({ hook_event_name: 'Stop' }));
      await watchUntil(join(w.store, 'inbox', cb), () => store.watcherLease(cb)?.pid === watcher.child.pid, 10_000, 'the lease');
      await a.call('send', { to: cb, message: 'wake' });
      expect((await watcher.closed).code).toBe(2);
      // A failing hook writes the debug log.
      await spawnNode([HOOK_CJS, 'hook'], hookEnv, '{broken').closed;
      expect(existsSync(join(w.store, 'debug.log'))).toBe(true);
      // A leftover in tmp/ (a killed writer's) is collected.
      expect(store.collectTmp(-1)).toBeGreaterThanOrEqual(0);

      const entries = walk(w.store);
      const wrong = entries
        .filter((e) => (e.type === 'dir' && e.mode !== 0o700) || (e.type === 'file' && e.mode !== 0o600) || e.type === 'other' || e.uid !== process.getuid?.())
        .map((e) => `${e.path} ${e.type} ${e.mode.toString(8)} uid ${e.uid}`);
      expect(wrong).toEqual([]);
      // Symlinks (pids/<pid> -> code) carry no permissions of their own; they only name a code.
      for (const e of entries.filter((x) => x.type === 'link')) expect(readlinkSync(e.path)).toMatch(/^[a-z0-9]{4}$/);
      const counts = { dirs: entries.filter((e) => e.type === 'dir').length, files: entries.filter((e) => e.type === 'file').length };
      expect(counts.files).toBeGreaterThan(8);

      if (isRoot) {
        // Another user, for real: cannot list, read, or write anything in the store.
        const logFile = entries.find((e) => e.type === 'file' && e.path.includes('/log/'))!.path;
        expect(asNobody('ls', [w.store]).status).not.toBe(0);
        expect(asNobody('cat', [logFile]).status).not.toBe(0);
        expect(asNobody('touch', [join(w.store, 'intruder')]).status).not.toBe(0);
        expect(asNobody('ls', [w.root]).status).toBe(0); // the parent is open: the store's modes did it
        expect(existsSync(join(w.store, 'intruder'))).toBe(false);
      }
      console.log(`[reliability] permissions: ${counts.dirs} dirs 0700, ${counts.files} files 0600 after the workload (umask ${umaskSet ? '000' : 'unchanged'}; ${ca}/${cb})${isRoot ? ', user nobody refused' : ''}`);
    } finally {
      if (umaskSet) process.umask(old);
    }
  }, 60_000);

  it('a store open to others is refused with the chmod fix; the hook stays silent and writes nothing into it', async () => {
    for (const mode of [0o755, 0o770, 0o707, 0o777, 0o701]) {
      const w = world();
      mkdirSync(w.store);
      chmodSync(w.store, mode);
      const r = await spawnCli(['who'], w.env).exited;
      expect(r.code, mode.toString(8)).toBe(1);
      expect(r.stderr).toMatch(/open to other users/);
      expect(r.stderr).toContain(`chmod -R go-rwx ${JSON.stringify(w.store)}`);
      const h = await spawnNode([HOOK_CJS, 'hook'], { ...w.env, CLAUDE_PID: '12345' }, JSON.stringify({ hook_event_name: 'PostToolUse' })).closed;
      expect(h).toMatchObject({ code: 0, stdout: '', stderr: '' });
      expect(statSync(w.store).mode & 0o777).toBe(mode); // not "fixed" behind the user's back
      expect(existsSync(join(w.store, 'debug.log')), `debug.log written into a ${mode.toString(8)} store`).toBe(false);
    }
    const w = world();
    writeFileSync(w.store, 'a file, not a folder');
    const r = await spawnCli(['who'], w.env).exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a directory/);
  }, 60_000);

  it.runIf(isRoot)('a store owned by another user is refused with the chown hint', async () => {
    const w = world();
    mkdirSync(w.store, { mode: 0o700 });
    chownSync(w.store, NOBODY, NOBODY);
    const r = await spawnCli(['who'], w.env).exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`belongs to user id ${NOBODY}, not to you \\(0\\)`));
    expect(r.stderr).toContain(`sudo chown -R 0 ${JSON.stringify(w.store)}`);
    const send = await spawnCli(['send', 'abcd', 'hi'], w.env).exited;
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/refusing to use it/);
  }, 30_000);

  it.runIf(isRoot)('the hook and watcher never write into a refused store: a planted debug.log symlink stays untouched', async () => {
    const cases: Array<[string, (store: string) => void]> = [
      ['owned by nobody', (s) => chownSync(s, NOBODY, NOBODY)],
      ['open to others', (s) => chmodSync(s, 0o777)],
    ];
    const touched: string[] = [];
    for (const [what, spoil] of cases) {
      const w = world();
      mkdirSync(w.store, { mode: 0o700 });
      const victim = join(w.root, 'victim.txt');
      writeFileSync(victim, 'precious\n');
      symlinkSync(victim, join(w.store, 'debug.log'));
      spoil(w.store);
      // Broken stdin makes the hook log an error; so does the unsafe store itself.
      for (const stdin of ['{broken', JSON.stringify({ hook_event_name: 'PostToolUse' })]) {
        for (const verb of ['hook', 'watch']) {
          const r = await spawnNode([HOOK_CJS, verb], { ...w.env, CLAUDE_PID: '12345' }, stdin).closed;
          expect(r.code).toBe(0);
          if (readFileSync(victim, 'utf8') !== 'precious\n') touched.push(`${what}: ${verb} with ${stdin}`);
          writeFileSync(victim, 'precious\n');
        }
      }
    }
    expect(touched).toEqual([]);
  }, 30_000);
});
