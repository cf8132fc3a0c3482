import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from '../../../src/os/proc.js';
import { newMessageId } from '../../../src/core/ids.js';
import { doctorEnv } from '../../../src/doctor/index.js';
import { checkStoreSpace } from '../../../src/doctor/store-space.js';
import { FsStore } from '../../../src/store/fs/fs-store.js';
import { fakeClaude, tempDir, testContext } from '../../support/temp.js';

describe('doctor: store size and free space', () => {
  it('counts what the store holds, each message once however many links it has', async () => {
    const ctx = testContext();
    const home = ctx.env.CLAUDE_INTERCOM_HOME!;
    const store = FsStore.open(home);
    const claude = fakeClaude();
    const s = store.register({ pid: claude.pid, pidStart: processStart(claude.pid)!, serverPid: process.pid, projectRoot: '/r', projectName: 'r', cwd: '/r', startedAt: Date.now() });
    for (let i = 0; i < 3; i++) store.deliver({ id: newMessageId(), from: 'human:t', to: s.code, text: 'x'.repeat(1000), sentAt: Date.now() }, [s.code]);
    store.ack(s.code, store.inbox(s.code)[0]!.id);
    store.beginClaim(s.code, 1);
    const r = await checkStoreSpace(doctorEnv(ctx));
    expect(r.status).toBe('ok'); // this disk has room
    expect(r.detail).toMatch(/^[34] KiB of messages: history 3 \([34] KiB; kept to 2000 messages and 16\.0 MiB\), 2 unacknowledged, 1 in flight, 0 in tmp\/; .* free on its disk$/);
  });

  it('reports a planted link instead of counting through it', async () => {
    const ctx = testContext();
    const home = ctx.env.CLAUDE_INTERCOM_HOME!;
    FsStore.open(home);
    const outside = tempDir();
    rmSync(join(home, 'log'), { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    symlinkSync(outside, join(home, 'log'));
    const r = await checkStoreSpace(doctorEnv(ctx));
    expect(r.status).toBe('warning');
    expect(r.detail).toMatch(/log in the intercom store is a symbolic link/);
  });
});
