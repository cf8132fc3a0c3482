import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from '../../../src/os/proc.js';
import { StoreFullError } from '../../../src/core/errors.js';
import { newMessageId } from '../../../src/core/ids.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';
import { codeOf, startSession } from '../../support/mcp.js';
import { spawnCli } from '../../support/processes.js';
import { fakeClaude, onCleanup, tempDir } from '../../support/temp.js';

/**
 * A real, tiny file system (tmpfs) that fills up. The injected short writes and ENOSPC of
 * test/unit/store-crash-safety.test.ts always run; this adds the kernel's own behaviour where
 * mounting is permitted (root, and a container that allows it).
 */

function mountTmpfs(size: string): { dir?: string; why?: string } {
  const dir = tempDir('ci-rel-tmpfs-');
  if (process.getuid?.() !== 0) return { why: 'not root, cannot mount a tmpfs' };
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return { why: `mount -t tmpfs was refused (${(r.stderr || String(r.error)).trim()})` };
  onCleanup(() => spawnSync('umount', ['-l', dir]));
  return { dir };
}

const probe = mountTmpfs('64k');
const why = probe.why;
if (why) console.log(`[reliability] full disk on a real tmpfs: SKIPPED, ${why} (the injected short-write tests still ran)`);

/** Fill the file system, then give back `free` bytes: the next write larger than that comes up short. */
function fillLeaving(dir: string, free: number): void {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 1);
  let size = 0;
  try {
    for (;;) {
      const n = writeSync(fd, chunk);
      size += n;
      if (n < chunk.length) break;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  ftruncateSync(fd, Math.max(0, size - free));
  closeSync(fd);
}

function world(size: string) {
  const { dir } = mountTmpfs(size);
  const home = join(dir!, 'store');
  const store = FsStore.open(home);
  const claude = fakeClaude();
  const s = store.register({ pid: claude.pid, pidStart: processStart(claude.pid)!, serverPid: process.pid, projectRoot: '/r', projectName: 'r', cwd: '/r', startedAt: Date.now() });
  const env = { CLAUDE_INTERCOM_HOME: home, USER: 'tester', HOME: dir! };
  const files = (...p: string[]) => (existsSync(join(home, ...p)) ? readdirSync(join(home, ...p)) : []);
  return { dir: dir!, home, store, code: s.code, env, files };
}

const TEXT = (tag: string) => `${tag} ${'m'.repeat(11_192 - tag.length - 1)}`;

describe.skipIf(why !== undefined)('a full disk (a real 64-256 KiB tmpfs)', () => {
  it('a send that does not fit fails with what happened and what to do (CLI and MCP), and leaves nothing behind', async () => {
    const w = world('256k');
    const peer = await startSession(w.env, w.dir);
    fillLeaving(w.dir, 8192);

    const cli = await spawnCli(['send', w.code, TEXT('cli')], w.env).exited;
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/No space left on the disk to write .* bytes written.*: the message was not sent, and the partial file was removed/);
    expect(cli.stderr).toMatch(/Free some space on the disk that holds the intercom store/);

    const mcp = await peer.call('send', { to: w.code, message: TEXT('mcp') });
    expect(mcp.isError).toBe(true);
    expect(mcp.text).toMatch(/No space left on the disk .*the message was not sent/);
    expect(mcp.text).toMatch(/Free some space/);

    // Nothing half-written anywhere, nothing delivered, nothing in the history.
    expect({ tmp: w.files('tmp'), new: w.files('inbox', w.code, 'new'), incoming: w.files('inbox', w.code, 'incoming'), log: w.files('log') }).toEqual({
      tmp: [],
      new: [],
      incoming: [],
      log: [],
    });
    expect(codeOf(peer)).toMatch(/^[a-z0-9]{4}$/);
  });

  it('a store that filled the disk recovers by itself once its messages are acknowledged', async () => {
    const w = world('256k');
    let stored = 0;
    try {
      for (;;) {
        w.store.deliver({ id: newMessageId(), from: 'human:t', to: w.code, text: TEXT(`fill ${stored}`), sentAt: Date.now() }, [w.code]);
        stored++;
      }
    } catch (err) {
      expect(err).toBeInstanceOf(StoreFullError);
    }
    expect(stored).toBeGreaterThan(5);
    // Full: while the messages are unacknowledged, a send fails (they are not ours to drop).
    const refused = await spawnCli(['send', w.code, TEXT('while full')], w.env).exited;
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/No space left/);
    // doctor says so, and what to do.
    const doctor = await spawnCli(['doctor', '--json', '--no-self-test'], w.env).exited;
    const space = (JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string; detail: string; fix?: string }> }).checks.find((c) => c.id === 'store-space');
    expect(space).toMatchObject({ status: 'warning', detail: expect.stringMatching(new RegExp(`${stored} unacknowledged.*sends may fail for lack of space`)) });
    expect(space?.fix).toMatch(/Free space on the disk that holds .*unacknowledged messages stay until their session acknowledges them \(ack_all\)/);
    // The session acknowledges everything: a send works again, with no hand work.
    expect(w.store.ackAll(w.code)).toBe(stored);
    const sent = await spawnCli(['send', w.code, TEXT('after ack')], w.env).exited;
    expect({ code: sent.code, stderr: sent.stderr }).toEqual({ code: 0, stderr: '' });
    const inbox = w.store.inbox(w.code);
    expect(inbox.map((e) => e.text)).toEqual([TEXT('after ack')]);
    expect(w.store.history(1)[0]?.text).toBe(TEXT('after ack'));
    expect(w.files('tmp')).toEqual([]);
    console.log(
      `[reliability] full disk (256 KiB tmpfs): ${stored} messages of 11 KiB filled it; sends failed cleanly while they were unacknowledged ` +
        `and worked again after ack_all (history trimmed to ${w.files('log').length} entries to make room); no partial file left`,
    );
  });
});
