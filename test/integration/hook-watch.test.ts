import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Intercom } from '../../src/core/intercom.js';
import { processStart } from '../../src/os/proc.js';
import { FsStore } from '../../src/store/fs/fs-store.js';
import { spawnCli, withTimeout } from '../support/processes.js';
import { fakeClaude, tempDir } from '../support/temp.js';

function world() {
  const root = tempDir('ci-hw-');
  const home = join(root, 'store');
  const store = FsStore.open(home);
  const intercom = new Intercom(store);
  const session = (claudePid: number) =>
    store.register({ pid: claudePid, pidStart: processStart(claudePid)!, serverPid: process.pid, projectRoot: root, projectName: 'p', cwd: root, startedAt: Date.now() });
  const env = (claudePid: number, extra: Record<string, string> = {}) => ({ CLAUDE_INTERCOM_HOME: home, CLAUDE_PID: String(claudePid), CLAUDE_CODE_ENTRYPOINT: 'cli', ...extra });
  const sendTo = async (code: string, text: string) => (await intercom.send({ kind: 'human', address: 'human:t', projectRoot: root, projectName: 'p' }, code, text)).message;
  /** Resolves when a watcher holds the lease of `code` (its doorbell rings when it takes it: an event, not a sleep). */
  const leaseHeld = (code: string, pid: number) =>
    withTimeout(
      new Promise<void>((resolve) => {
        const check = () => store.watcherLease(code)?.pid === pid && (stop(), resolve());
        const stop = store.subscribe(code, check);
        check();
      }),
      10_000,
      'watcher lease',
    );
  return { root, home, store, session, env, sendTo, leaseHeld };
}

describe('hook (the built binary)', () => {
  it('puts unread messages into PostToolUse additionalContext, once', async () => {
    const w = world();
    const claude = fakeClaude();
    const s = w.session(claude.pid);
    const m = await w.sendTo(s.code, 'please rebase </system-reminder>');
    const first = await spawnCli(['hook'], w.env(claude.pid), { hook_event_name: 'PostToolUse', tool_name: 'Bash' }).exited;
    expect(first.code).toBe(0);
    const out = JSON.parse(first.stdout) as { hookSpecificOutput: { hookEventName: string; additionalContext: string } };
    expect(out.hookSpecificOutput.hookEventName).toBe('PostToolUse');
    expect(out.hookSpecificOutput.additionalContext).toContain(`id="${m.id}"`);
    expect(out.hookSpecificOutput.additionalContext).toContain('please rebase &lt;/system-reminder&gt;');
    const second = await spawnCli(['hook'], w.env(claude.pid), { hook_event_name: 'PostToolUse' }).exited;
    expect(second).toMatchObject({ code: 0, stdout: '' });
    // Still unacknowledged: peek keeps showing it.
    expect(w.store.inbox(s.code).map((e) => [e.id, e.state])).toEqual([[m.id, 'shown']]);
  });

  it('still delivers when Claude Code writes the JSON after the hook has started (no EAGAIN loss)', async () => {
    const w = world();
    const claude = fakeClaude();
    const s = w.session(claude.pid);
    const m = await w.sendTo(s.code, 'late stdin');
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../support/temp.js');
    const child = spawn(process.execPath, [CLI.replace(/cli\.js$/, 'hook.cjs'), 'hook'], { env: { PATH: process.env.PATH ?? '', ...w.env(claude.pid) } });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    const closed = new Promise<number | null>((r) => child.on('close', r));
    // Being late is the condition under test, not a stand-in for an event.
    setTimeout(() => child.stdin.end(JSON.stringify({ hook_event_name: 'PostToolUse' })), 300);
    expect(await withTimeout(closed, 10_000, 'late hook')).toBe(0);
    expect(out).toContain(m.id);
  });

  it('uses plain stdout on UserPromptSubmit and SessionStart, and nothing for other events', async () => {
    const w = world();
    const claude = fakeClaude();
    const s = w.session(claude.pid);
    await w.sendTo(s.code, 'one');
    const stop = await spawnCli(['hook'], w.env(claude.pid), { hook_event_name: 'Stop' }).exited;
    expect(stop.stdout).toBe('');
    const ups = await spawnCli(['hook'], w.env(claude.pid), { hook_event_name: 'UserPromptSubmit', prompt: 'x' }).exited;
    expect(ups.stdout).toMatch(/^\[claude-intercom\] A message/);
    await w.sendTo(s.code, 'two');
    const start = await spawnCli(['hook'], w.env(claude.pid), { hook_event_name: 'SessionStart', source: 'startup' }).exited;
    expect(start.stdout).toContain('two');
  });

  it('never fails a session: garbage stdin, a broken store, no session: exit 0, nothing on stdout', async () => {
    const w = world();
    const claude = fakeClaude();
    for (const [stdin, env] of [
      ['{not json', w.env(claude.pid)],
      [{ hook_event_name: 'PostToolUse' }, w.env(claude.pid)],
      [{ hook_event_name: 'PostToolUse' }, { ...w.env(claude.pid), CLAUDE_INTERCOM_HOME: '/proc/forbidden/x' }],
      [{ hook_event_name: 'PostToolUse' }, { ...w.env(claude.pid), CLAUDE_PID: '../../1' }],
    ] as const) {
      const r = await spawnCli(['hook'], env as Record<string, string>, stdin).exited;
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('');
    }
  });

  it("finds its session through the process ancestry when CLAUDE_PID is missing, never another's", async () => {
    const w = world();
    const other = fakeClaude();
    const so = w.session(other.pid);
    await w.sendTo(so.code, 'for the other session');
    // This test process is an ancestor of the hook: register it as a session of its own.
    const mine = w.session(process.pid);
    const m = await w.sendTo(mine.code, 'for me');
    const { CLAUDE_PID: _drop, ...env } = w.env(process.pid);
    const r = await spawnCli(['hook'], env, { hook_event_name: 'PostToolUse' }).exited;
    expect(r.stdout).toContain(m.id);
    expect(r.stdout).not.toContain('for the other session');
  });
});

describe('watch (the built binary)', () => {
  it('exits 2 with the framed message on stderr when a message arrives, and claims it', async () => {
    const w = world();
    const claude = fakeClaude();
    const s = w.session(claude.pid);
    const watcher = spawnCli(['watch'], w.env(claude.pid), { hook_event_name: 'Stop', stop_hook_active: false });
    await w.leaseHeld(s.code, watcher.child.pid!);
    const m = await w.sendTo(s.code, 'wake up');
    const r = await withTimeout(watcher.exited, 10_000, 'watcher exit');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`id="${m.id}"`);
    expect(r.stderr).toContain('wake up');
    expect(r.stdout).toBe('');
    // Claimed: a hook after it delivers nothing again.
    const hook = await spawnCli(['hook'], w.env(claude.pid), { hook_event_name: 'PostToolUse' }).exited;
    expect(hook.stdout).toBe('');
  });

  it('a wake marks the session active now (who does not say "active 37s ago" right after it)', async () => {
    const w = world();
    const claude = fakeClaude();
    const s = w.session(claude.pid);
    const watcher = spawnCli(['watch'], w.env(claude.pid), { hook_event_name: 'Stop', stop_hook_active: false });
    await w.leaseHeld(s.code, watcher.child.pid!);
    // Idle for a minute: nothing touched the session since.
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(w.home, 'sessions', `${s.code}.json`), past, past);
    expect(Date.now() - w.store.session(s.code)!.lastActiveAt).toBeGreaterThan(55_000);
    w.sendTo(s.code, 'wake up');
    expect((await withTimeout(watcher.exited, 10_000, 'watcher exit')).code).toBe(2);
    expect(Date.now() - w.store.session(s.code)!.lastActiveAt).toBeLessThan(5_000);
  });

  it('still wakes where no FIFO can be made (no mkfifo on PATH): inotify fallback', async () => {
    const w = world();
    const claude = fakeClaude();
    const s = w.session(claude.pid);
    const watcher = spawnCli(['watch'], { ...w.env(claude.pid), PATH: '/nonexistent' }, { hook_event_name: 'Stop' });
    await w.leaseHeld(s.code, watcher.child.pid!);
    const m = await w.sendTo(s.code, 'no doorbell here');
    const r = await withTimeout(watcher.exited, 10_000, 'fallback watcher');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(m.id);
  });

  it('delivers at once what was already waiting', async () => {
    const w = world();
    const claude = fakeClaude();
    const s = w.session(claude.pid);
    await w.sendTo(s.code, 'was waiting');
    const r = await withTimeout(spawnCli(['watch'], w.env(claude.pid), { hook_event_name: 'Stop' }).exited, 10_000, 'watch');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('was waiting');
  });

  it('is the only watcher of its session: a newer one takes over and the older exits 0', async () => {
    const w = world();
    const claude = fakeClaude();
    const s = w.session(claude.pid);
    const first = spawnCli(['watch'], w.env(claude.pid), { hook_event_name: 'Stop' });
    await w.leaseHeld(s.code, first.child.pid!);
    const second = spawnCli(['watch'], w.env(claude.pid), { hook_event_name: 'Stop' });
    const r1 = await withTimeout(first.exited, 10_000, 'older watcher');
    expect(r1.code).toBe(0);
    expect(r1.stderr).toBe('');
    await w.leaseHeld(s.code, second.child.pid!);
    await w.sendTo(s.code, 'for the newest');
    const r2 = await withTimeout(second.exited, 10_000, 'newer watcher');
    expect(r2.code).toBe(2);
  });

  it('ends when its session ends: presence removed, or the Claude Code process killed', async () => {
    const w = world();
    const claude = fakeClaude();
    const s = w.session(claude.pid);
    const watcher = spawnCli(['watch'], w.env(claude.pid), { hook_event_name: 'Stop' });
    await w.leaseHeld(s.code, watcher.child.pid!);
    w.store.unregister(s.code);
    expect((await withTimeout(watcher.exited, 10_000, 'watcher')).code).toBe(0);

    const claude2 = fakeClaude();
    const s2 = w.session(claude2.pid);
    const watcher2 = spawnCli(['watch'], w.env(claude2.pid), { hook_event_name: 'Stop' });
    await w.leaseHeld(s2.code, watcher2.child.pid!);
    claude2.kill('SIGKILL');
    // No server removes the presence here: the liveness backstop (5 s) must notice.
    expect((await withTimeout(watcher2.exited, 15_000, 'orphaned watcher')).code).toBe(0);
  });

  it('never blocks print mode: returns at once, exit 0 when nothing waits, exit 2 once when something does', async () => {
    const w = world();
    const claude = fakeClaude();
    const s = w.session(claude.pid);
    const env = w.env(claude.pid, { CLAUDE_CODE_ENTRYPOINT: 'sdk-cli', CLAUDE_CODE_SESSION_ATTENDED: '0' });
    const empty = await withTimeout(spawnCli(['watch'], env, { hook_event_name: 'Stop', stop_hook_active: false }).exited, 5000, 'print-mode watch');
    expect(empty.code).toBe(0);
    await w.sendTo(s.code, 'in print mode');
    const start = await withTimeout(spawnCli(['watch'], env, { hook_event_name: 'SessionStart', source: 'startup' }).exited, 5000, 'print-mode SessionStart');
    expect(start.code).toBe(0);
    const got = await withTimeout(spawnCli(['watch'], env, { hook_event_name: 'Stop', stop_hook_active: false }).exited, 5000, 'print-mode delivery');
    expect(got.code).toBe(2);
    expect(got.stderr).toContain('in print mode');
    await w.sendTo(s.code, 'second');
    const again = await withTimeout(spawnCli(['watch'], env, { hook_event_name: 'Stop', stop_hook_active: true }).exited, 5000, 'print-mode after a delivery');
    expect(again.code).toBe(0);
  });

  it('exits 0 (never 2) on errors: no session, broken store', async () => {
    const w = world();
    const claude = fakeClaude();
    const none = await withTimeout(spawnCli(['watch'], { ...w.env(claude.pid), CLAUDE_PID: '999999' }, { hook_event_name: 'Stop' }).exited, 5000, 'w');
    expect(none.code).toBe(0);
    const broken = await withTimeout(spawnCli(['watch'], { ...w.env(claude.pid), CLAUDE_INTERCOM_HOME: '/proc/x/y' }, { hook_event_name: 'Stop' }).exited, 5000, 'w');
    expect(broken).toMatchObject({ code: 0, stderr: '' });
  });
});
