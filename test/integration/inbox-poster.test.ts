/**
 * The socket path against a stand-in for Claude Code's inbox socket (a Unix socket server that
 * records every line): what serve's poster posts, what it gives back when posting fails, and a
 * race of the poster against real `hook.cjs` hooks and watchers and claiming processes.
 */
import { createServer, type Server } from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startInboxPoster, type InboxPoster } from '../../src/claude/inbox-poster.js';
import { processStart } from '../../src/os/proc.js';
import { newMessageId } from '../../src/core/ids.js';
import type { Message } from '../../src/core/types.js';
import { FsStore } from '../../src/store/fs/fs-store.js';
import { fakeClaude, onCleanup, tempDir } from '../support/temp.js';
import { HOOK_CJS, lastJson, spawnNode, spawnWorker } from './reliability/support/bundle.js';
import { watchUntil } from './reliability/support/watch-until.js';

const RACE_MESSAGES = Number(process.env.RELIABILITY_SOCKET_RACE_MESSAGES ?? 1200);

interface FakeInbox {
  path: string;
  server: Server;
  /** Every line received, parsed. */
  lines: Array<{ type: string; message: { role: string; content: string } }>;
  /** Resolves when `n` lines have arrived. */
  until: (n: number) => Promise<void>;
  close: () => Promise<void>;
}

async function fakeInbox(dir: string): Promise<FakeInbox> {
  const path = join(dir, 'inbox.sock');
  const lines: FakeInbox['lines'] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const parsed = JSON.parse(line) as { type: string };
        if (parsed.type === 'user') lines.push(parsed as FakeInbox['lines'][number]);
        for (const w of waiters.splice(0)) w();
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  onCleanup(() => server.close());
  return {
    path,
    server,
    lines,
    until: (n) =>
      new Promise<void>((resolve) => {
        const check = (): void => (lines.length >= n ? resolve() : void waiters.push(check));
        check();
      }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function world() {
  const root = tempDir('ci-poster-');
  const home = join(root, 'store');
  const store = FsStore.open(home);
  const claude = fakeClaude();
  const session = store.register({ pid: claude.pid, pidStart: processStart(claude.pid)!, serverPid: process.pid, projectRoot: '/r', projectName: 'r', cwd: '/r', startedAt: Date.now() });
  const send = (text: string): Message => {
    const m: Message = { id: newMessageId(), from: 'k3x9', to: session.code, text, sentAt: Date.now(), fromProject: 'web' };
    store.deliver(m, [session.code]);
    return m;
  };
  return { root, home, store, claude, session, send };
}

function poster(w: ReturnType<typeof world>, socketPath: string, errors: string[] = []): InboxPoster {
  const p = startInboxPoster({
    store: w.store,
    code: () => w.session.code,
    socketPath,
    decide: () => ({ path: 'socket', reason: 'test socket' }),
    selfPid: process.pid,
    selfStart: processStart(process.pid)!,
    now: Date.now,
    onError: (what, err) => errors.push(`${what}: ${String(err)}`),
    postTimeoutMs: 2_000,
  });
  onCleanup(() => p.stop());
  return p;
}

const ids = (text: string): string[] => [...text.matchAll(/<intercom-message id="([0-9a-z]{17})"/g)].map((m) => m[1]!);

describe('the inbox-socket poster (serve)', () => {
  it('posts each message once, framed, with the sender and first line on top, and records the socket path', async () => {
    const w = world();
    const inbox = await fakeInbox(w.root);
    const p = poster(w, inbox.path);
    await p.idle();
    expect(w.store.deliveryPath(w.session.code)).toMatchObject({ path: 'socket', reason: 'test socket', pid: process.pid });
    const m = w.send('PING first line\nsecond </intercom-message> line');
    await inbox.until(1);
    await p.idle();
    const text = inbox.lines[0]!.message.content;
    expect(inbox.lines[0]!.message.role).toBe('user');
    expect(text.split('\n')[0]).toBe('[claude-intercom] k3x9 (web): PING first line');
    expect(ids(text)).toEqual([m.id]);
    expect(text).toContain('second &lt;/intercom-message&gt; line');
    expect(text).toContain('mcp__intercom__reply');
    // Shown (in context), not unread: nobody else may deliver it again.
    expect(w.store.hasUnread(w.session.code)).toBe(false);
    expect(w.store.inbox(w.session.code).map((e) => e.state)).toEqual(['shown']);
  });

  it('gives the messages back and switches the session to the hooks when the post fails', async () => {
    const w = world();
    const inbox = await fakeInbox(w.root);
    const errors: string[] = [];
    const p = poster(w, inbox.path, errors);
    await p.idle();
    await inbox.close(); // Claude Code's socket is gone
    const m = w.send('LOST? no');
    await watchUntil(join(w.home, 'inbox', w.session.code), () => w.store.deliveryPath(w.session.code)?.path === 'hooks', 10_000, 'the switch to the hooks');
    await p.idle();
    expect(w.store.deliveryPath(w.session.code)?.reason).toMatch(/posting to the inbox socket failed \((ENOENT|ECONNREFUSED)\)/);
    expect(w.store.inbox(w.session.code)).toEqual([expect.objectContaining({ id: m.id, state: 'unread' })]);
    expect(errors.join('\n')).toContain('posting to the inbox socket');
    // The watcher delivers it now (it no longer stands down for the socket).
    const watcher = spawnNode([HOOK_CJS, 'watch'], { CLAUDE_INTERCOM_HOME: w.home, CLAUDE_PID: String(w.claude.pid), CLAUDE_CODE_ENTRYPOINT: 'cli' }, JSON.stringify({ hook_event_name: 'Stop' }));
    const r = await watcher.closed;
    expect(r.code).toBe(2);
    expect(ids(r.stderr)).toEqual([m.id]);
  });

  it('a watcher leaves at once, without the lease, while the poster serves its session', async () => {
    const w = world();
    const inbox = await fakeInbox(w.root);
    const p = poster(w, inbox.path);
    await p.idle();
    const watcher = spawnNode([HOOK_CJS, 'watch'], { CLAUDE_INTERCOM_HOME: w.home, CLAUDE_PID: String(w.claude.pid), CLAUDE_CODE_ENTRYPOINT: 'cli' }, JSON.stringify({ hook_event_name: 'Stop' }));
    const r = await watcher.closed;
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(w.store.watcherLease(w.session.code)).toBeUndefined();
  });

  it(`race: ${RACE_MESSAGES} messages, poster vs hook.cjs hooks vs claiming processes, then the socket fails and watchers take over: 0 duplicated, 0 lost`, async () => {
    const w = world();
    const inbox = await fakeInbox(w.root);
    const p = poster(w, inbox.path);
    await p.idle();
    const env = { CLAUDE_INTERCOM_HOME: w.home, CLAUDE_PID: String(w.claude.pid), CLAUDE_CODE_ENTRYPOINT: 'cli' };
    const claimers = Array.from({ length: 2 }, () => spawnWorker('claim', [w.home, w.session.code]));
    const hookIds: string[] = [];
    let hooksRun = 0;
    let stopHooks = false;
    const hookLoop = (async () => {
      while (!stopHooks) {
        const h = await spawnNode([HOOK_CJS, 'hook'], env, JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: {} })).closed;
        expect(h.code).toBe(0);
        hooksRun++;
        if (h.stdout !== '') hookIds.push(...ids((JSON.parse(h.stdout) as { hookSpecificOutput: { additionalContext: string } }).hookSpecificOutput.additionalContext));
      }
    })();
    const sent: string[] = [];
    const half = Math.floor(RACE_MESSAGES / 2);
    while (sent.length < half) {
      for (let i = 0; i < 20 && sent.length < half; i++) sent.push(w.send(`race ${sent.length}`).id);
      await new Promise<void>((r) => setImmediate(r));
    }
    // Claude Code's socket goes away mid-stream: what the poster had claimed goes back.
    await inbox.close();
    const watcherIds: string[] = [];
    let watchersRun = 0;
    let stopWatchers = false;
    const watcherLoop = (async () => {
      while (!stopWatchers) {
        const wr = await spawnNode([HOOK_CJS, 'watch'], env, JSON.stringify({ hook_event_name: 'Stop' })).closed;
        watchersRun++;
        if (wr.code === 2) watcherIds.push(...ids(wr.stderr));
      }
    })();
    while (sent.length < RACE_MESSAGES) {
      for (let i = 0; i < 20 && sent.length < RACE_MESSAGES; i++) sent.push(w.send(`race ${sent.length}`).id);
      await new Promise<void>((r) => setImmediate(r));
    }
    const newDir = join(w.home, 'inbox', w.session.code, 'new');
    await watchUntil(newDir, () => readdirSync(newDir).length === 0 && w.store.deliveryPath(w.session.code)?.path === 'hooks', 120_000, 'the inbox to drain');
    stopHooks = true;
    await hookLoop;
    for (const c of claimers) c.child.stdin!.end('stop\n');
    const claimed = (await Promise.all(claimers.map(async (c) => lastJson<{ ids: string[] }>((await c.closed).stdout)))).flatMap((r) => r.ids);
    // The last watcher waits for more: one more message ends it, and it is part of the count.
    stopWatchers = true;
    sent.push(w.send('the last one').id);
    await watcherLoop;
    await p.idle();
    const swept = w.store.claim(w.session.code).map((m) => m.id);
    const socketIds = inbox.lines.flatMap((l) => ids(l.message.content));
    const owners = new Map<string, string[]>();
    const parts = { socket: socketIds, hook: hookIds, watcher: watcherIds, claimer: claimed, swept };
    for (const [who, list] of Object.entries(parts)) for (const id of list) owners.set(id, [...(owners.get(id) ?? []), who]);
    const twice = [...owners].filter(([, o]) => o.length > 1);
    const lost = sent.filter((id) => !owners.has(id));
    const foreign = [...owners.keys()].filter((id) => !sent.includes(id));
    expect({ lost, twice, foreign }).toEqual({ lost: [], twice: [], foreign: [] });
    expect(socketIds.length).toBeGreaterThan(0);
    expect(watcherIds.length + hookIds.length + claimed.length).toBeGreaterThan(0);
    console.log(
      `[reliability] socket race: ${sent.length} messages: socket ${socketIds.length} (${inbox.lines.length} posts), hook ${hookIds.length} (${hooksRun} runs), ` +
        `watcher ${watcherIds.length} (${watchersRun} runs), claimers ${claimed.length}, swept ${swept.length}; duplicated 0, lost 0`,
    );
  }, 240_000);
});

describe('batchesForInbox', () => {
  it('keeps every post under the socket send buffer, never splits a message, and keeps the order', async () => {
    const { batchesForInbox, MAX_POST_BYTES } = await import('../../src/claude/inbox-poster.js');
    const { inboxLine } = await import('../../src/claude/inbox-socket.js');
    // 20 of the largest messages (16 KiB), all '<': each grows to ~64 KiB escaped.
    const messages: Message[] = Array.from({ length: 20 }, (_, i) => ({ id: newMessageId(), from: 'k3x9', to: 'p2m7', text: '<'.repeat(16 * 1024 - 1) + String(i % 10), sentAt: 0 }));
    const batches = batchesForInbox(messages, 'p2m7');
    expect(batches.flatMap((b) => b.ids)).toEqual(messages.map((m) => m.id));
    for (const b of batches) expect(Buffer.byteLength(inboxLine(b.text))).toBeLessThanOrEqual(MAX_POST_BYTES);
    expect(batches.length).toBeGreaterThan(1);
    // Small messages share one post.
    expect(batchesForInbox(messages.slice(0, 5).map((m) => ({ ...m, text: 'hi' })), 'p2m7')).toHaveLength(1);
  });
});
