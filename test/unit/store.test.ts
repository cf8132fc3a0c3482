import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsafeStateError } from '../../src/core/errors.js';
import { newMessageId } from '../../src/core/ids.js';
import type { Message } from '../../src/core/types.js';
import { processStart } from '../../src/claude/proc.js';
import { FsStore } from '../../src/store/fs-store.js';
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

  it('registers a session with a 4-character code, found by its Claude Code pid', () => {
    const store = FsStore.open(tempDir());
    const claude = fakeClaude();
    const s = register(store, claude.pid);
    expect(s.code).toMatch(/^[a-z0-9]{4}$/);
    expect(store.sessionByPid(claude.pid)?.code).toBe(s.code);
    expect(store.sessions().map((x) => x.code)).toEqual([s.code]);
    // A restarted server of the same Claude Code process keeps the code.
    expect(register(store, claude.pid).code).toBe(s.code);
    expect(store.sessions()).toHaveLength(1);
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

  it('delivers a message whole into each inbox and the history, claimed exactly once', () => {
    const store = FsStore.open(tempDir());
    const a = register(store, fakeClaude().pid);
    const b = register(store, fakeClaude().pid);
    const m = msg(a.code, b.code);
    store.deliver(m, [b.code]);
    expect(store.hasUnread(b.code)).toBe(true);
    expect(store.inbox(b.code)).toEqual([{ ...m, state: 'unread' }]);
    expect(store.inboxEntry(b.code, m.id)).toEqual({ ...m, state: 'unread' });
    expect(store.inboxEntry(b.code, '../../etc/passw')).toBeUndefined();
    expect(store.claim(b.code)).toEqual([m]);
    expect(store.inboxEntry(b.code, m.id)?.state).toBe('shown');
    expect(store.claim(b.code)).toEqual([]);
    expect(store.hasUnread(b.code)).toBe(false);
    expect(store.inbox(b.code)[0]?.state).toBe('shown');
    expect(store.ack(b.code, m.id)).toBe(true);
    expect(store.ack(b.code, m.id)).toBe(false);
    expect(store.inbox(b.code)).toEqual([]);
    expect(store.history(10).map((x) => x.id)).toEqual([m.id]);
    expect(store.message(m.id)).toEqual(m);
  });

  it('claims oldest first and at most `limit` at a time', () => {
    const store = FsStore.open(tempDir());
    const b = register(store, fakeClaude().pid);
    const sent = Array.from({ length: 5 }, (_, i) => msg('human:x', b.code, `m${i}`));
    for (const m of sent) store.deliver(m, [b.code]);
    expect(store.claim(b.code, 2).map((m) => m.text)).toEqual(['m0', 'm1']);
    expect(store.claim(b.code).map((m) => m.text)).toEqual(['m2', 'm3', 'm4']);
    expect(store.ackAll(b.code)).toBe(5);
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

  it('never lets a hostile code or id reach a path', () => {
    const home = tempDir();
    const store = FsStore.open(home);
    for (const bad of ['../x', '/etc', 'a\u0000b', '..', '']) {
      expect(store.claim(bad)).toEqual([]);
      expect(store.inbox(bad)).toEqual([]);
      expect(store.ack(bad, '../../x')).toBe(false);
      expect(store.ackAll(bad)).toBe(0);
      expect(store.session(bad)).toBeUndefined();
      expect(store.message(bad)).toBeUndefined();
    }
  });

  it('hands the watcher lease to the newest watcher', () => {
    const store = FsStore.open(tempDir());
    const b = register(store, fakeClaude().pid);
    store.takeWatcherLease(b.code, { pid: 10, pidStart: 'a', since: 1 });
    store.takeWatcherLease(b.code, { pid: 11, pidStart: 'b', since: 2 });
    expect(store.watcherLease(b.code)?.pid).toBe(11);
    store.releaseWatcherLease(b.code, 10);
    expect(store.watcherLease(b.code)?.pid).toBe(11);
    store.releaseWatcherLease(b.code);
    expect(store.watcherLease(b.code)).toBeUndefined();
  });
});
