import { HOOK_ENTRIES } from '../../../src/claude/hook-spec.js';
/**
 * Doctor on the delivery paths: which path each live session uses and why, and mcp_tool hooks left
 * in a settings file that an older Claude Code would ignore whole.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStart } from '../../../src/os/proc.js';
import { run as doctor } from '../../../src/commands/doctor.js';
import { run as install } from '../../../src/commands/install.js';
import type { CheckResult } from '../../../src/doctor/types.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';
import { makeWorld, type World } from '../../unit/install/support.js';
import { fakeClaude } from '../../support/temp.js';

let worlds: World[] = [];
afterEach(() => {
  for (const w of worlds) w.cleanup();
  worlds = [];
});

/** A world whose `claude --version` says `version` (a fake first on PATH). */
function world(version: string): World & { setVersion: (v: string) => void } {
  const w = makeWorld();
  worlds.push(w);
  const bin = join(w.root, 'bin');
  mkdirSync(bin);
  const setVersion = (v: string): void => {
    writeFileSync(join(bin, 'claude'), `#!/bin/sh\necho "${v} (Claude Code)"\n`);
    chmodSync(join(bin, 'claude'), 0o755);
  };
  setVersion(version);
  w.ctx.env.PATH = `${bin}:/usr/bin:/bin`;
  return Object.assign(w, { setVersion });
}

async function checks(w: World): Promise<Map<string, CheckResult>> {
  const mark = w.out().length;
  await doctor(w.ctx, { json: true }, { selfTest: false });
  return new Map((JSON.parse(w.out().slice(mark)) as { checks: CheckResult[] }).checks.map((c) => [c.id, c]));
}

describe('doctor: delivery paths', () => {
  it('fails when mcp_tool hooks meet a Claude Code older than 2.1.118, and install puts command hooks back', async () => {
    const w = world('2.1.332');
    expect(await install(w.ctx, { yes: true }, { packageRoot: w.pkg, nodePath: process.execPath })).toBe(0);
    let c = (await checks(w)).get('mcp-tool-hooks')!;
    expect(c.status).toBe('ok');
    expect(c.detail).toContain(`${HOOK_ENTRIES.filter((e) => e.mcpTool).length} mcp_tool hooks`);
    expect((await checks(w)).get('installed')?.status).toBe('ok');
    expect((await checks(w)).get('entry-paths')?.status).toBe('ok');

    w.setVersion('2.1.117');
    c = (await checks(w)).get('mcp-tool-hooks')!;
    expect(c.status).toBe('failure');
    expect(c.detail).toContain('Claude Code 2.1.117 does not know mcp_tool hooks, and so ignores EVERY hook');
    expect(c.fix).toMatch(/install --yes/);

    expect(await install(w.ctx, { yes: true }, { packageRoot: w.pkg, nodePath: process.execPath })).toBe(0);
    c = (await checks(w)).get('mcp-tool-hooks')!;
    expect(c).toMatchObject({ status: 'ok', detail: expect.stringContaining('None installed') });
  });

  it('lists each live session with its path and reason, and flags a socket path whose serve is gone', async () => {
    const w = world('2.1.332');
    const store = FsStore.open(w.intercomHome);
    const base = { projectRoot: w.project, projectName: 'project', cwd: w.project, startedAt: Date.now() };
    const [c1, c2, c3] = [fakeClaude(), fakeClaude(), fakeClaude()];
    const viaSocket = store.register({ ...base, serverPid: process.pid, pid: c1.pid, pidStart: processStart(c1.pid)! });
    const viaHooks = store.register({ ...base, serverPid: process.pid, pid: c2.pid, pidStart: processStart(c2.pid)! });
    const orphaned = store.register({ ...base, serverPid: process.pid, pid: c3.pid, pidStart: processStart(c3.pid)! });
    const me = { pid: process.pid, pidStart: processStart(process.pid)!, since: Date.now() };
    store.setDeliveryPath(viaSocket.code, { ...me, path: 'socket', reason: 'Claude Code 2.1.332 inbox socket' });
    store.setDeliveryPath(viaHooks.code, { ...me, path: 'hooks', reason: 'crossSessionInbound is "hold" in /x/settings.json' });
    store.setDeliveryPath(orphaned.code, { ...me, path: 'socket', reason: 'x', pidStart: 'not-its-start' });
    const c = (await checks(w)).get('delivery-paths')!;
    expect(c.detail).toContain(`${viaSocket.code}: inbox socket (Claude Code 2.1.332 inbox socket)`);
    expect(c.detail).toContain(`${viaHooks.code}: hooks (crossSessionInbound is "hold" in /x/settings.json)`);
    expect(c.detail).toContain(`${orphaned.code}: hooks (the serve that posted into its inbox socket, pid ${process.pid}, is gone`);
    expect(c.status).toBe('warning');
    expect(c.fix).toContain(orphaned.code);
  });
});
