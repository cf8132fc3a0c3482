import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNodeStartCost, checkTeamEngine } from '../../../src/doctor/team-checks.js';
import type { DoctorEnv } from '../../../src/doctor/types.js';
import { type Engine, startEngine } from '../../support/redis-engine.js';
import { tempDir, testContext } from '../../support/temp.js';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => {
  await engine.stop();
});

function doctorEnv(env: Record<string, string>): DoctorEnv {
  const home = tempDir();
  return { ctx: testContext({ homeDir: home, env: { CLAUDE_INTERCOM_HOME: join(home, 'store'), ...env } }) } as unknown as DoctorEnv;
}

describe('doctor and the team engine', () => {
  it('warns when NODE_EXTRA_CA_CERTS is set (it costs every Node start, the hook included)', async () => {
    expect((await checkNodeStartCost(doctorEnv({}))).status).toBe('ok');
    const r = await checkNodeStartCost(doctorEnv({ NODE_EXTRA_CA_CERTS: '/etc/corp-ca.pem' }));
    expect(r.status).toBe('warning');
    expect(r.detail).toMatch(/every Node start, the hook after each tool call included/);
  });

  it('reports no engine, a reachable one, a refused password and an unreachable one, never the password', async () => {
    expect((await checkTeamEngine(doctorEnv({}))).detail).toMatch(/none configured/);
    const good = await checkTeamEngine(doctorEnv({ CLAUDE_INTERCOM_URL: engine.url('team-a'), CLAUDE_INTERCOM_MACHINE: 'A' }));
    expect(good.status).toBe('ok');
    expect(good.detail).toMatch(/redis:\/\/team-a:\*\*\*@127\.0\.0\.1:\d+\/0 answers in \d+ ms \(prefix team-a, this machine is A/);
    const wrong = await checkTeamEngine(doctorEnv({ CLAUDE_INTERCOM_URL: engine.url('team-a', 'bad-pw') }));
    expect(wrong.status).toBe('warning');
    expect(wrong.detail).toMatch(/refused the user name or password/);
    expect(JSON.stringify(wrong)).not.toContain('bad-pw');
    const down = await checkTeamEngine(doctorEnv({ CLAUDE_INTERCOM_URL: 'redis://u:secret-x@127.0.0.1:1/0' }));
    expect(down.status).toBe('warning');
    expect(down.detail).toMatch(/unreachable/);
    expect(JSON.stringify(down)).not.toContain('secret-x');
  });

  it('fails on a backend.url others can read', async () => {
    const env = doctorEnv({});
    const home = (env.ctx.env as Record<string, string>).CLAUDE_INTERCOM_HOME!;
    (await import('node:fs')).mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'backend.url'), `${engine.url('team-a')}\n`, { mode: 0o644 });
    const r = await checkTeamEngine(env);
    expect(r.status).toBe('failure');
    expect(r.detail).toMatch(/can be read by other users/);
  });
});
