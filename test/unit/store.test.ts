import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsafeStateError } from '../../src/core/errors.js';
import { newMessageId } from '../../src/core/ids.js';
import type { Message } from '../../src/core/types.js';
import { processStart } from '../../src/os/proc.js';
import { FsStore } from '../../src/store/fs/fs-store.js';
import { fakeClaude, tempDir } from '../support/temp.js';

function msg(from: string, to: string, text = 'hi'): Message {
  return { id: newMessageId(), from, to, text, sentAt: Date.now() };
}

function register(store: FsStore, pid: number, root = '/proj') {
  return store.register({ pid, pidStart: processStart(pid)!, serverPid: process.pid, projectRoot: root, projectName: 'proj', cwd: root, startedAt: Date.now() });
}

describe('FsStore', () => {
  it('creates the store private (0700) and refuses one open to others', () => {
    const home = join(tempDir(), 'store');
    FsStore.open(home);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    chmodSync(home, 0o755);
    expect(() => FsStore.open(home)).toThrow(UnsafeStateError);
    expect(() => FsStore.open(home)).toThrow(expect.objectContaining({ hint: expect.stringContaining('chmod -R go-rwx') }));
  });

  it('prunes a dead session when read, and never takes a pid reuse for it', async () => {
    const home = tempDir();
    const store = FsStore.open(home);
    const claude = fakeClaude();
    const s = register(store, claude.pid);
    // Same pid, another start time: a newcomer that got the pid is not the session.
    const forged = JSON.parse(JSON.stringify({ ...s, pidStart: '1' }));
    writeFileSync(join(home, 'sessions', `${s.code}.json`), JSON.stringify(forged));
    expect(store.session(s.code)).toBeUndefined();
    expect(existsSync(join(home, 'sessions', `${s.code}.json`))).toBe(false);

    const other = fakeClaude();
    const t = register(store, other.pid);
    const exited = new Promise((r) => other.once('exit', r));
    other.kill('SIGKILL');
    await exited;
    expect(store.sessions().map((x) => x.code)).not.toContain(t.code);
    expect(existsSync(join(home, 'inbox', t.code))).toBe(false);
  });

  it('keeps the history bounded', () => {
    const store = new FsStore(FsStore.open(tempDir()).home, { historyLimit: 10 });
    for (let i = 0; i < 400; i++) store.deliver(msg('human:x', 'all'), []);
    const n = readdirSync(join(store.home, 'log')).length;
    expect(n).toBeLessThan(400);
  });

  it('cleans up what killed writers leave in tmp/', () => {
    const store = FsStore.open(tempDir());
    mkdirSync(join(store.home, 'tmp'), { recursive: true });
    writeFileSync(join(store.home, 'tmp', 'left.msg'), '{"half');
    expect(store.collectTmp(-1)).toBe(1);
    expect(readdirSync(join(store.home, 'tmp'))).toEqual([]);
  });
});
