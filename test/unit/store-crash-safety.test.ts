import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreFullError } from '../../src/core/errors.js';
import { newMessageId } from '../../src/core/ids.js';
import type { Message } from '../../src/core/types.js';
import { processStart } from '../../src/os/proc.js';
import { FsStore } from '../../src/store/fs/fs-store.js';
import { io, writeFileAtomic } from '../../src/store/fs/fs-util.js';
import { selfOwner } from '../../src/store/fs/owner.js';
import { watch } from '../../src/claude/watcher.js';
import { watchUntil } from '../integration/reliability/support/watch-until.js';
import { fakeClaude, tempDir } from '../support/temp.js';

const realWrite = io.write;
afterEach(() => {
  io.write = realWrite;
});

function msg(to: string, text = 'hi'): Message {
  return { id: newMessageId(), from: 'human:t', to, text, sentAt: Date.now() };
}

function world(options?: ConstructorParameters<typeof FsStore>[1]) {
  const home = join(tempDir('ci-crashsafe-'), 'store');
  FsStore.open(home);
  const store = new FsStore(home, options);
  const claude = fakeClaude();
  const s = store.register({ pid: claude.pid, pidStart: processStart(claude.pid)!, serverPid: process.pid, projectRoot: '/p', projectName: 'p', cwd: '/p', startedAt: Date.now() });
  const ls = (...parts: string[]) => (existsSync(join(home, ...parts)) ? readdirSync(join(home, ...parts)).sort() : []);
  return { home, store, code: s.code, ls, claudePid: claude.pid };
}

/** An owner that is not alive: our own pid with another start time (a reused pid). */
const DEAD = `${process.pid}-1`;

const noSpace = (): never => {
  throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
};

describe('writes on a full disk', () => {
  it('a write that comes back short is continued until every byte is written', () => {
    const w = world();
    let calls = 0;
    io.write = (fd, buf, off, len) => (calls++, realWrite(fd, buf, off, Math.min(len, 1000)));
    const m = msg(w.code, 'y'.repeat(11_192));
    w.store.deliver(m, [w.code]);
    expect(calls).toBeGreaterThan(11);
    expect(JSON.parse(readFileSync(join(w.home, 'inbox', w.code, 'new', `${m.id}.json`), 'utf8'))).toEqual(m);
  });

  for (const [what, write] of [
    ['a short write (8,192 bytes), then no progress', (n: { i: number }) => (fd: number, buf: Buffer, off: number, len: number) => (n.i++ === 0 ? realWrite(fd, buf, off, Math.min(len, 8192)) : 0)],
    ['a short write, then ENOSPC', (n: { i: number }) => (fd: number, buf: Buffer, off: number, len: number) => (n.i++ === 0 ? realWrite(fd, buf, off, Math.min(len, 8192)) : noSpace())],
    ['ENOSPC at once', () => noSpace],
  ] as const) {
    it(`deliver with ${what}: a clear error, nothing sent, no partial file anywhere`, () => {
      const w = world();
      io.write = write({ i: 0 });
      const m = msg(w.code, 'z'.repeat(11_192));
      let err: unknown;
      try {
        w.store.deliver(m, [w.code]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StoreFullError);
      const e = err as StoreFullError;
      expect(e.message).toMatch(/No space left on the disk/);
      expect(e.message).toMatch(/the message was not sent/);
      expect(e.describe()).toMatch(/Free some space on the disk that holds the intercom store/);
      expect({ tmp: w.ls('tmp'), new: w.ls('inbox', w.code, 'new'), incoming: w.ls('inbox', w.code, 'incoming'), log: w.ls('log') }).toEqual({ tmp: [], new: [], incoming: [], log: [] });
    });
  }

  it('writeFileAtomic with a short write: throws, the old file stays whole, no temp file is left', () => {
    const dir = tempDir();
    const file = join(dir, 'record.json');
    writeFileSync(file, '{"old":true}');
    io.write = (fd, buf, off, len) => (len > 5 ? realWrite(fd, buf, off, 5) : 0);
    expect(() => writeFileAtomic(file, JSON.stringify({ new: 'x'.repeat(100) }))).toThrow(StoreFullError);
    expect(readFileSync(file, 'utf8')).toBe('{"old":true}');
    expect(readdirSync(dir)).toEqual(['record.json']);
  });

  it('a send that fails for space makes room (history nobody holds, old leftovers) and is retried once', () => {
    const w = world();
    const acked = Array.from({ length: 10 }, (_, i) => msg(w.code, `acked ${i}`));
    const kept = Array.from({ length: 3 }, (_, i) => msg(w.code, `kept ${i}`));
    for (const m of [...acked, ...kept]) w.store.deliver(m, [w.code]);
    for (const m of acked) expect(w.store.ack(w.code, m.id)).toBe(true);
    let calls = 0;
    io.write = (fd, buf, off, len) => (calls++ === 0 ? noSpace() : realWrite(fd, buf, off, len));
    const fresh = msg(w.code, 'after the disk filled');
    w.store.deliver(fresh, [w.code]);
    // Sent; the acknowledged messages' history (their last link) went to make room; the
    // unacknowledged ones, which freeing would not help, stayed.
    expect(w.store.inbox(w.code).map((e) => e.text)).toEqual([...kept.map((m) => m.text), fresh.text]);
    expect(w.store.history(100).map((m) => m.text)).toEqual([...kept.map((m) => m.text), fresh.text]);
  });

  it('the history is bounded in bytes as well as in count', () => {
    const w = world({ historyMaxBytes: 5000 });
    const sent = Array.from({ length: 10 }, (_, i) => msg(w.code, `${i} ${'b'.repeat(900)}`));
    for (const m of sent) w.store.deliver(m, [w.code]);
    expect(w.store.trimHistory()).toBeGreaterThan(0);
    const left = w.ls('log');
    const bytes = left.reduce((a, n) => a + readFileSync(join(w.home, 'log', n)).length, 0);
    expect(bytes).toBeLessThanOrEqual(5000);
    expect(w.store.history(100).map((m) => m.id)).toEqual(sent.slice(sent.length - left.length).map((m) => m.id));
  });
});

/** Hand this process's claims in `code`'s inbox to a dead owner, as if it had been killed. */
function handToDeadOwner(home: string, code: string): void {
  const dir = join(home, 'inbox', code, 'claims');
  for (const name of readdirSync(dir)) if (name.includes(selfOwner())) renameSync(join(dir, name), join(dir, name.replace(selfOwner(), DEAD)));
}

describe('claims that outlive their claimer', () => {
  it('a claim in flight counts as shown while its owner lives, and goes back to unread when it died', () => {
    const w = world();
    const sent = [msg(w.code, 'a'), msg(w.code, 'b'), msg(w.code, 'c')];
    for (const m of sent) w.store.deliver(m, [w.code]);
    expect(w.store.beginClaim(w.code, 2).map((m) => m.text)).toEqual(['a', 'b']);
    expect(w.store.inbox(w.code).map((e) => `${e.text}:${e.state}`)).toEqual(['a:shown', 'b:shown', 'c:unread']);
    expect(w.store.inboxEntry(w.code, sent[0]!.id)?.state).toBe('shown');
    expect(w.store.inboxSize(w.code)).toBe(3);
    // The owner dies before committing.
    handToDeadOwner(w.home, w.code);
    expect(w.store.beginClaim(w.code).map((m) => m.text)).toEqual(['a', 'b', 'c']);
    w.store.commitClaim(w.code);
    expect(w.store.beginClaim(w.code)).toEqual([]);
    expect(w.store.inbox(w.code).map((e) => `${e.text}:${e.state}`)).toEqual(['a:shown', 'b:shown', 'c:shown']);
    // Committed claims are moved on to shown/ by the next look, and their markers go.
    expect(w.ls('inbox', w.code, 'claims')).toEqual([]);
    expect(w.ls('inbox', w.code, 'shown')).toHaveLength(3);
  });

  it('a committed claim of a dead owner stays shown; messages in flight can be acknowledged', () => {
    const w = world();
    const [a, b] = [msg(w.code, 'a'), msg(w.code, 'b')];
    w.store.deliver(a, [w.code]);
    w.store.deliver(b, [w.code]);
    w.store.beginClaim(w.code);
    expect(w.store.ack(w.code, a.id)).toBe(true);
    w.store.commitClaim(w.code);
    handToDeadOwner(w.home, w.code);
    expect(w.store.beginClaim(w.code)).toEqual([]);
    expect(w.store.inbox(w.code).map((e) => `${e.text}:${e.state}`)).toEqual(['b:shown']);
    expect(w.store.ackAll(w.code)).toBe(1);
    expect(w.store.inboxSize(w.code)).toBe(0);
  });

  it('one process claiming twice: each claim commits on its own, nothing is shown before its commit', () => {
    const w = world();
    w.store.deliver(msg(w.code, 'first'), [w.code]);
    w.store.beginClaim(w.code);
    w.store.commitClaim(w.code);
    w.store.deliver(msg(w.code, 'second'), [w.code]);
    expect(w.store.beginClaim(w.code).map((m) => m.text)).toEqual(['second']);
    // Dies with the second claim open: only that one goes back.
    handToDeadOwner(w.home, w.code);
    expect(w.store.inbox(w.code).map((e) => `${e.text}:${e.state}`)).toEqual(['first:shown', 'second:unread']);
  });
});

describe('deliveries of a sender that died midway', () => {
  it('an idle watcher finishes a dead sender\'s delivery at its periodic look (nobody rang), and wakes', async () => {
    const w = world();
    const out: string[] = [];
    let resolveStop!: () => void;
    const stopSignal = new Promise<void>((r) => (resolveStop = r));
    const exit = watch({
      store: w.store,
      input: { hook_event_name: 'Stop', stop_hook_active: false },
      env: { CLAUDE_PID: String(w.claudePid), CLAUDE_CODE_ENTRYPOINT: 'cli' },
      selfPid: process.pid,
      writeStderr: (t) => out.push(t),
      recoveryIntervalMs: 100,
      stopSignal,
    });
    // Once it holds the lease it is waiting; then a sender dies after committing (history linked),
    // before moving its staged link into new/.
    const lease = join(w.home, 'inbox', w.code, 'watcher.json');
    await watchUntil(join(w.home, 'inbox', w.code), () => existsSync(lease), 10_000, 'the first watcher to take the lease');
    w.store.deliver(msg(w.code, 'first'), [w.code]); // makes log/; the watcher takes it and exits
    expect(await exit).toBe(2);
    expect(out.join('')).toContain('first');
    // A second watcher, and the dead sender's committed delivery appears with no ring at all.
    out.length = 0;
    const again = watch({
      store: w.store,
      input: { hook_event_name: 'Stop', stop_hook_active: false },
      env: { CLAUDE_PID: String(w.claudePid), CLAUDE_CODE_ENTRYPOINT: 'cli' },
      selfPid: process.pid,
      writeStderr: (t) => out.push(t),
      recoveryIntervalMs: 100,
      stopSignal,
    });
    await watchUntil(join(w.home, 'inbox', w.code), () => existsSync(lease), 10_000, 'the second watcher to take the lease');
    const m = staged(w, DEAD, true);
    const timeout = setTimeout(resolveStop, 10_000);
    expect(await again).toBe(2);
    clearTimeout(timeout);
    expect(out.join('')).toContain(m.text);
  });

  function staged(w: ReturnType<typeof world>, owner: string, inLog: boolean): Message {
    const m = msg(w.code, `staged by ${owner}, ${inLog ? 'committed' : 'not committed'}`);
    const file = join(w.home, 'tmp', `${m.id}.x.msg`);
    writeFileSync(file, JSON.stringify(m));
    mkdirSync(join(w.home, 'inbox', w.code, 'incoming'), { recursive: true });
    linkSync(file, join(w.home, 'inbox', w.code, 'incoming', `${m.id}.${owner}`));
    if (inLog) linkSync(file, join(w.home, 'log', `${m.id}.json`));
    return m;
  }

  it('rolls forward what the history has, back what it has not, and leaves a live sender alone', () => {
    const w = world();
    w.store.deliver(msg(w.code, 'first'), [w.code]); // makes log/
    const forward = staged(w, DEAD, true);
    const back = staged(w, DEAD, false);
    const live = staged(w, selfOwner(), true);
    const inbox = w.store.inbox(w.code).map((e) => e.text);
    expect(inbox).toEqual(['first', forward.text]);
    expect(w.ls('inbox', w.code, 'incoming')).toEqual([`${live.id}.${selfOwner()}`]);
    expect(inbox).not.toContain(back.text);
    expect(w.store.history(10).map((m) => m.text)).not.toContain(back.text);
  });
});
