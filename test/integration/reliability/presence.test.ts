import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from '../../../src/os/proc.js';
import { Intercom } from '../../../src/core/intercom.js';
import { newMessageId } from '../../../src/core/ids.js';
import type { Message, Presence } from '../../../src/core/types.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';
import { codeOf, startSession } from '../../support/mcp.js';
import { spawnCli } from '../../support/processes.js';
import { fakeClaude, tempDir } from '../../support/temp.js';
import { HOOK_CJS, spawnNode } from './support/bundle.js';

function world() {
  const root = tempDir('ci-rel-pres-');
  const home = join(root, 'store');
  const store = FsStore.open(home);
  const env = { CLAUDE_INTERCOM_HOME: home };
  const register = (pid: number, pidStart = processStart(pid)!) =>
    store.register({ pid, pidStart, serverPid: process.pid, projectRoot: root, projectName: 'p', cwd: root, startedAt: Date.now() });
  const whoCodes = async (): Promise<string[]> => {
    const r = await spawnCli(['who', '--all', '--json'], env).exited;
    expect(r.code).toBe(0);
    return (JSON.parse(r.stdout) as Array<{ code: string }>).map((s) => s.code).sort();
  };
  const message = (to: string, text: string): Message => ({ id: newMessageId(), from: 'human:t', to, text, sentAt: Date.now() });
  /** The hook as Claude Code runs it for CLAUDE_PID=pid: the ids it puts into context. */
  const hookIds = async (pid: number): Promise<string[]> => {
    const r = await spawnNode([HOOK_CJS, 'hook'], { ...env, CLAUDE_PID: String(pid) }, JSON.stringify({ hook_event_name: 'PostToolUse' })).closed;
    expect(r.code).toBe(0);
    if (r.stdout === '') return [];
    const context = (JSON.parse(r.stdout) as { hookSpecificOutput: { additionalContext: string } }).hookSpecificOutput.additionalContext;
    return [...context.matchAll(/<intercom-message id="([0-9a-z]{17})"/g)].map((m) => m[1]!);
  };
  return { root, home, store, env, register, whoCodes, message, hookIds };
}

function pruned(home: string, s: Presence): boolean {
  return !existsSync(join(home, 'sessions', `${s.code}.json`)) && !existsSync(join(home, 'pids', String(s.pid))) && !existsSync(join(home, 'inbox', s.code));
}

describe('presence: dead sessions disappear, pid reuse is not taken for them', () => {
  it('sessions killed with SIGKILL are gone from `who` at the next read (store records and real servers)', async () => {
    const w = world();
    const claudes = Array.from({ length: 6 }, () => fakeClaude());
    const recs = claudes.map((c) => w.register(c.pid));
    // Two real `serve` processes behind their stand-ins for Claude Code.
    const real = [await startSession(w.env, w.root), await startSession(w.env, w.root)];
    const realCodes = real.map(codeOf);
    expect(await w.whoCodes()).toEqual([...recs.map((r) => r.code), ...realCodes].sort());

    // SIGKILL three Claude Code stand-ins (nobody removes their records) ...
    const dead = [0, 2, 4];
    await Promise.all(
      dead.map((i) => {
        const exited = new Promise((r) => claudes[i]!.once('exit', r));
        claudes[i]!.kill('SIGKILL');
        return exited;
      }),
    );
    // ... and one real session: its server first (so it cannot unregister), which takes its parent down.
    const victim = w.store.session(realCodes[0]!)!;
    const closed = new Promise<void>((r) => (real[0]!.transport.onclose = () => r()));
    process.kill(victim.serverPid, 'SIGKILL');
    await closed;
    expect(existsSync(join(w.home, 'sessions', `${victim.code}.json`))).toBe(true); // still on disk, until read

    const alive = [...recs.filter((_, i) => !dead.includes(i)).map((r) => r.code), realCodes[1]!].sort();
    expect(await w.whoCodes()).toEqual(alive);
    for (const i of dead) expect(pruned(w.home, recs[i]!)).toBe(true);
    expect(pruned(w.home, victim)).toBe(true);
    // A dead code cannot be written to any more.
    const send = await spawnCli(['send', recs[0]!.code, 'anyone there?'], w.env).exited;
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/No live session has the code/);
    console.log(`[reliability] presence: ${dead.length + 1} of ${recs.length + real.length} sessions killed with SIGKILL, all gone at the next \`who\`, ${alive.length} live ones kept`);
  }, 60_000);

  it('a record whose pid now belongs to an unrelated live process (another start time) is not that process', async () => {
    const w = world();
    const unrelated = fakeClaude(); // alive, never registered: the newcomer that got a dead session's pid
    const code = 'dead';
    w.register(fakeClaude().pid); // a live session beside it, so that the store's folders exist
    const forged = { pid: unrelated.pid, pidStart: `${processStart(unrelated.pid)}0`, serverPid: 1, projectRoot: w.root, projectName: 'p', cwd: w.root, startedAt: Date.now() - 60_000 };
    writeFileSync(join(w.home, 'sessions', `${code}.json`), JSON.stringify(forged), { mode: 0o600 });
    symlinkSync(code, join(w.home, 'pids', String(unrelated.pid)));
    mkdirSync(join(w.home, 'inbox', code, 'new'), { recursive: true, mode: 0o700 });
    mkdirSync(join(w.home, 'inbox', code, 'shown'), { mode: 0o700 });
    const m = w.message(code, 'meant for the dead session');
    writeFileSync(join(w.home, 'inbox', code, 'new', `${m.id}.json`), JSON.stringify(m), { mode: 0o600 });

    // The hook of the newcomer gets nothing of the dead session's, and `who` does not list it.
    expect(await w.hookIds(unrelated.pid)).toEqual([]);
    expect(w.store.sessionByPid(unrelated.pid)).toBeUndefined();
    expect(await w.whoCodes()).not.toContain(code);
    expect(existsSync(join(w.home, 'sessions', `${code}.json`))).toBe(false);
    expect(existsSync(join(w.home, 'inbox', code))).toBe(false);
    expect(existsSync(join(w.home, 'pids', String(unrelated.pid)))).toBe(false);
  }, 30_000);

  it('pid reuse through the store: the new owner of a pid gets a new session, never the old one\'s messages', async () => {
    const w = world();
    const proc = fakeClaude();
    // The old session: same pid, but the start time of the process that had the pid before.
    const old = w.register(proc.pid, 'an-earlier-start');
    const intercom = new Intercom(w.store);
    // While the old record is unread, a sender cannot tell: delivery goes to its inbox.
    const oldMsg = w.message(old.code, 'for the old owner');
    w.store.deliver(oldMsg, [old.code]);
    expect(readdirSync(join(w.home, 'inbox', old.code, 'new'))).toHaveLength(1);

    // The new owner of the pid starts its own session: the stale record is not reused.
    const now = w.register(proc.pid);
    expect(now.pidStart).toBe(processStart(proc.pid));
    expect(w.store.session(old.code)).toBeUndefined();
    expect(w.store.sessionByPid(proc.pid)?.code).toBe(now.code);
    if (now.code !== old.code) expect(existsSync(join(w.home, 'inbox', old.code))).toBe(false);
    const newMsg = (await intercom.send({ kind: 'human', address: 'human:t', projectRoot: w.root, projectName: 'p' }, now.code, 'for the new owner')).message;
    expect(await w.hookIds(proc.pid)).toEqual([newMsg.id]);
    expect(w.store.inbox(now.code).map((e) => e.id)).toEqual([newMsg.id]);
    expect(await w.whoCodes()).toEqual([now.code]);
  }, 30_000);
});
